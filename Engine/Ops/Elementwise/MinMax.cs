using System.Numerics;
using System.Numerics.Tensors;
using Scratch.Autograd;
using Scratch.Ops;

namespace Scratch.Ops
{
    /// <summary>min(a, b) (NaN propagates).</summary>
    public readonly struct MinimumOp : IBinaryOp
    {
        public string Name => "Minimum";
        public T Forward<T>(T a, T b) where T : unmanaged, INumber<T> => T.IsNaN(a) || T.IsNaN(b) ? a + b : T.Min(a, b);
        public bool ForwardSpan<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, INumber<T>
        {
            TensorPrimitives.Min(a, b, y);
            return true;
        }
    }

    /// <summary>max(a, b) (NaN propagates).</summary>
    public readonly struct MaximumOp : IBinaryOp
    {
        public string Name => "Maximum";
        public T Forward<T>(T a, T b) where T : unmanaged, INumber<T> => T.IsNaN(a) || T.IsNaN(b) ? a + b : T.Max(a, b);
        public bool ForwardSpan<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, INumber<T>
        {
            TensorPrimitives.Max(a, b, y);
            return true;
        }
    }
}

namespace Scratch
{
    public static partial class F
    {
        /// <summary>Elementwise minimum with broadcasting (NaN propagates). The gradient goes to the smaller input;
        /// on ties it is split in half between a and b (PyTorch ≥ 1.13).</summary>
        public static Tensor Minimum(Tensor a, Tensor b) => MinMax(a, b, new MinimumOp(), max: false);

        /// <summary>Elementwise maximum with broadcasting (NaN propagates). The gradient goes to the larger input;
        /// on ties it is split in half between a and b (PyTorch ≥ 1.13).</summary>
        public static Tensor Maximum(Tensor a, Tensor b) => MinMax(a, b, new MaximumOp(), max: true);

        private static Tensor MinMax<TOp>(Tensor a, Tensor b, TOp op, bool max) where TOp : struct, IBinaryOp
        {
            var y = ZipForward(a, b, op);
            if (!Graph.NeedsGrad(a, b)) return y;
            var (sa, sb) = (new SavedTensor(a, op.Name), new SavedTensor(b, op.Name));
            return Graph.Record(y, op.Name, [a, b], g =>
            {
                var (av, bv) = (sa.Get(), sb.Get());
                var tie = Eq(av, bv);
                var half = Where(tie, g * 0.5, g);
                var zero = g.ScalarLike(0);
                // a loses where it is on the wrong side of b; b loses where a wins.
                var aLoses = max ? Lt(av, bv) : Gt(av, bv);
                var bLoses = max ? Gt(av, bv) : Lt(av, bv);
                return
                [
                    a.RequiresGrad ? Where(aLoses, zero, half).SumToShape(a.Shape) : null,
                    b.RequiresGrad ? Where(bLoses, zero, half).SumToShape(b.Shape) : null,
                ];
            });
        }
    }

    public partial class Tensor
    {
        /// <summary>Elementwise minimum with <paramref name="other"/> (broadcasting).</summary>
        public Tensor Minimum(Tensor other) => F.Minimum(this, other);

        /// <summary>Elementwise maximum with <paramref name="other"/> (broadcasting).</summary>
        public Tensor Maximum(Tensor other) => F.Maximum(this, other);
    }
}
