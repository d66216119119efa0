using System.Numerics;
using System.Numerics.Tensors;
using Scratch.Autograd;
using Scratch.Ops;

namespace Scratch.Ops
{
    /// <summary>Π x; identity 1.</summary>
    public readonly struct ProdOp : IReduceOp
    {
        public string Name => "Prod";
        public T Identity<T>() where T : unmanaged, INumber<T>, IMinMaxValue<T> => T.One;
        public T Combine<T>(T acc, T x) where T : unmanaged, INumber<T>, IMinMaxValue<T> => acc * x;
        public bool ReduceSpan<T>(ReadOnlySpan<T> x, out T result) where T : unmanaged, INumber<T>, IMinMaxValue<T>
        {
            result = T.One;
            if (x.Length == 0) return true;
            result = TensorPrimitives.Product(x);
            return true;
        }
    }

    /// <summary>∂Π/∂xⱼ · g = g · Πᵢ≠ⱼ xᵢ from prefix and suffix products: exact when the row holds zeros (one zero
    /// gets the product of the others, every other element 0; two or more zeros give 0 everywhere).</summary>
    internal readonly struct ProdBackwardKernel : IReduceRowKernel
    {
        public string Name => "Prod";

        public void Run<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> g, Span<T> dx) where T : unmanaged, INumber<T>
        {
            var acc = g[0];
            for (var j = 0; j < x.Length; j++)
            {
                dx[j] = acc;
                acc *= x[j];
            }
            acc = T.One;
            for (var j = x.Length - 1; j >= 0; j--)
            {
                dx[j] *= acc;
                acc *= x[j];
            }
        }
    }
}

namespace Scratch
{
    public static partial class F
    {
        /// <summary>Product over <paramref name="dims"/> (all when null; 1 over an empty dim). Integer and Bool
        /// inputs multiply in int64, as in PyTorch. ∂/∂xⱼ = Πᵢ≠ⱼ xᵢ, computed without dividing so inputs that hold
        /// zeros get exact gradients.</summary>
        public static Tensor Prod(Tensor x, int[]? dims = null, bool keepDim = false)
        {
            var d = ReduceDims(x, dims, "Prod");
            var src = x.DType.IsFloating() || x.DType == DType.I64 ? x : x.To(DType.I64);
            var y = ReduceForward(src, new ProdOp(), d, keepDim);
            if (!Graph.NeedsGrad(x)) return y;
            var sx = new SavedTensor(x, "Prod");
            return Graph.Record(y, "Prod", [x], g =>
            {
                var (data, rows, len) = ReduceLayout(sx.Get(), d);
                if (rows == 0 || len == 0) return [Tensor.ZerosLike(x)];
                var dx = ReduceRowKernels.Run(new ProdBackwardKernel(), data, g.Materialize(), rows, len, 1, len);
                return [FromReduceLayout(dx, x.Shape, d)];
            });
        }
    }

    public partial class Tensor
    {
        /// <summary>Product of all elements (see <see cref="F.Prod"/>).</summary>
        public Tensor Prod() => F.Prod(this);

        /// <summary>Product over <paramref name="dims"/> (see <see cref="F.Prod"/>).</summary>
        public Tensor Prod(int[] dims, bool keepDim = false) => F.Prod(this, dims, keepDim);

        /// <summary>Product over one dim (see <see cref="F.Prod"/>).</summary>
        public Tensor Prod(int dim, bool keepDim = false) => F.Prod(this, [dim], keepDim);
    }
}
