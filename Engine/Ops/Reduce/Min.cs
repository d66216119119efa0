using System.Numerics;
using System.Numerics.Tensors;
using Scratch.Ops;

namespace Scratch.Ops
{
    /// <summary>min(acc, x) with NaN propagating; identity +∞ (the type's minimum for integers).</summary>
    public readonly struct AminOp : IReduceOp
    {
        public string Name => "Amin";
        public T Identity<T>() where T : unmanaged, INumber<T>, IMinMaxValue<T> => T.CreateSaturating(double.PositiveInfinity);
        public T Combine<T>(T acc, T x) where T : unmanaged, INumber<T>, IMinMaxValue<T> =>
            T.IsNaN(acc) ? acc : T.IsNaN(x) || x < acc ? x : acc;
        public bool ReduceSpan<T>(ReadOnlySpan<T> x, out T result) where T : unmanaged, INumber<T>, IMinMaxValue<T>
        {
            result = default;
            if (x.Length == 0) return false;
            result = TensorPrimitives.Min(x);
            return true;
        }
    }
}

namespace Scratch
{
    public static partial class F
    {
        /// <summary>The smallest element as a 0-d tensor (NaN when any element is NaN, as in PyTorch). The gradient is
        /// spread evenly over the elements equal to the minimum. Throws ArgumentException for an empty input.</summary>
        public static Tensor Min(Tensor x) => ExtremeOverDims(x, new AminOp(), null, false, "Min");

        /// <summary>Min along <paramref name="dim"/>: values and int64 indices of the first minimum (a NaN is the
        /// minimum), shape of x without <paramref name="dim"/> (size 1 when <paramref name="keepDim"/>). The gradient
        /// flows to the selected index. Throws when the dim is out of range or has size 0.</summary>
        public static ValuesAndIndices Min(Tensor x, int dim, bool keepDim = false) =>
            ExtremeAlongDim(x, false, dim, keepDim, "Min");

        /// <summary>Min over <paramref name="dims"/> (all when null or empty); NaN propagates; the gradient is spread
        /// evenly over ties (as torch.amin). Where the result is NaN the gradient goes to the NaN elements (as
        /// torch.min() does; torch 1.13's amin gives NaN gradients there). Throws when a reduced dim has size 0.
        /// </summary>
        public static Tensor Amin(Tensor x, int[]? dims = null, bool keepDim = false) =>
            ExtremeOverDims(x, new AminOp(), dims, keepDim, "Amin");
    }

    public partial class Tensor
    {
        /// <summary>The smallest element (see <see cref="F.Min(Tensor)"/>).</summary>
        public Tensor Min() => F.Min(this);

        /// <summary>Min values and indices along <paramref name="dim"/> (see <see cref="F.Min(Tensor, int, bool)"/>).
        /// </summary>
        public ValuesAndIndices Min(int dim, bool keepDim = false) => F.Min(this, dim, keepDim);

        /// <summary>Min over <paramref name="dims"/> (see <see cref="F.Amin"/>).</summary>
        public Tensor Amin(int[]? dims = null, bool keepDim = false) => F.Amin(this, dims, keepDim);

        /// <summary>Min over one dim, values only (see <see cref="F.Amin"/>).</summary>
        public Tensor Amin(int dim, bool keepDim = false) => F.Amin(this, [dim], keepDim);
    }
}
