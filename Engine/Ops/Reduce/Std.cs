using System.Numerics;
using System.Numerics.Tensors;
using Scratch.Ops;

namespace Scratch
{
    public static partial class F
    {
        /// <summary>y = √x; dy/dx = 1 / (2y) (∞ at 0, so a constant input has a NaN gradient, as in PyTorch).</summary>
        internal readonly struct StdSqrtOp : IUnaryOp
        {
            public string Name => "Std";
            public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Sqrt(x);
            public T Backward<T>(T x, T y, T dy) where T : unmanaged, IFloatingPointIeee754<T> => dy / (y + y);
            public bool ForwardSpan<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
            {
                TensorPrimitives.Sqrt(x, y);
                return true;
            }
        }

        /// <summary>Standard deviation with PyTorch's older <c>unbiased</c> flag: true divides by N − 1, false by N.
        /// </summary>
        public static Tensor Std(Tensor x, int[]? dims, bool unbiased, bool keepDim = false) =>
            Std(x, dims, unbiased ? 1 : 0, keepDim);

        /// <summary>Standard deviation over <paramref name="dims"/> (all when null): √<see cref="F.Var(Tensor, int[], int, bool)"/> with the same
        /// <paramref name="correction"/> (1 = unbiased, 0 = biased) and <paramref name="keepDim"/>. The gradient is NaN
        /// where the deviation is 0, as in PyTorch.</summary>
        public static Tensor Std(Tensor x, int[]? dims = null, int correction = 1, bool keepDim = false)
        {
            RequireFloating(x, "Std");
            return Map(VarMeanCore(x, dims, correction, keepDim, "Std").Spread, new StdSqrtOp());
        }

        /// <summary>Standard deviation and mean over <paramref name="dims"/> (see <see cref="F.Std(Tensor, int[], int, bool)"/>).</summary>
        public static SpreadAndMean StdMean(Tensor x, int[]? dims = null, int correction = 1, bool keepDim = false)
        {
            RequireFloating(x, "StdMean");
            var (v, m) = VarMeanCore(x, dims, correction, keepDim, "StdMean");
            return new SpreadAndMean(Map(v, new StdSqrtOp()), m);
        }
    }

    public partial class Tensor
    {
        /// <summary>Standard deviation of all elements (see <see cref="F.Std(Tensor, int[], int, bool)"/>).</summary>
        public Tensor Std() => F.Std(this);

        /// <summary>Standard deviation over <paramref name="dims"/> (all when null; see <see cref="F.Std(Tensor, int[], int, bool)"/>).</summary>
        public Tensor Std(int[]? dims, int correction = 1, bool keepDim = false) => F.Std(this, dims, correction, keepDim);

        /// <summary>Standard deviation over one dim (see <see cref="F.Std(Tensor, int[], int, bool)"/>).</summary>
        public Tensor Std(int dim, int correction = 1, bool keepDim = false) => F.Std(this, [dim], correction, keepDim);
    }
}
