using System.Numerics;
using System.Numerics.Tensors;
using Scratch.Ops;

namespace Scratch.Ops
{
    /// <summary>max(acc, x) with NaN propagating; identity −∞ (the type's minimum for integers).</summary>
    public readonly struct AmaxOp : IReduceOp
    {
        public string Name => "Amax";
        public T Identity<T>() where T : unmanaged, INumber<T>, IMinMaxValue<T> => T.CreateSaturating(double.NegativeInfinity);
        public T Combine<T>(T acc, T x) where T : unmanaged, INumber<T>, IMinMaxValue<T> =>
            T.IsNaN(acc) ? acc : T.IsNaN(x) || x > acc ? x : acc;
        public bool ReduceSpan<T>(ReadOnlySpan<T> x, out T result) where T : unmanaged, INumber<T>, IMinMaxValue<T>
        {
            result = default;
            if (x.Length == 0) return false;
            result = TensorPrimitives.Max(x);
            return true;
        }
    }
}

namespace Scratch
{
    public static partial class F
    {
        /// <summary>The largest element as a 0-d tensor (NaN when any element is NaN, as in PyTorch). The gradient is
        /// spread evenly over the elements equal to the maximum. Throws ArgumentException for an empty input.</summary>
        public static Tensor Max(Tensor x) => ExtremeOverDims(x, new AmaxOp(), null, false, "Max");

        /// <summary>Max along <paramref name="dim"/>: values and int64 indices of the first maximum (a NaN is the
        /// maximum), shape of x without <paramref name="dim"/> (size 1 when <paramref name="keepDim"/>). The gradient
        /// flows to the selected index. Throws when the dim is out of range or has size 0.</summary>
        public static ValuesAndIndices Max(Tensor x, int dim, bool keepDim = false) =>
            ExtremeAlongDim(x, true, dim, keepDim, "Max");

        /// <summary>Max over <paramref name="dims"/> (all when null or empty); NaN propagates; the gradient is spread
        /// evenly over ties (as torch.amax). Where the result is NaN the gradient goes to the NaN elements (as
        /// torch.max() does; torch 1.13's amax gives NaN gradients there). Throws when a reduced dim has size 0.
        /// </summary>
        public static Tensor Amax(Tensor x, int[]? dims = null, bool keepDim = false) =>
            ExtremeOverDims(x, new AmaxOp(), dims, keepDim, "Amax");
    }

    public partial class Tensor
    {
        /// <summary>The largest element (see <see cref="F.Max(Tensor)"/>).</summary>
        public Tensor Max() => F.Max(this);

        /// <summary>Max values and indices along <paramref name="dim"/> (see <see cref="F.Max(Tensor, int, bool)"/>).
        /// </summary>
        public ValuesAndIndices Max(int dim, bool keepDim = false) => F.Max(this, dim, keepDim);

        /// <summary>Max over <paramref name="dims"/> (see <see cref="F.Amax"/>).</summary>
        public Tensor Amax(int[]? dims = null, bool keepDim = false) => F.Amax(this, dims, keepDim);

        /// <summary>Max over one dim, values only (see <see cref="F.Amax"/>).</summary>
        public Tensor Amax(int dim, bool keepDim = false) => F.Amax(this, [dim], keepDim);
    }
}
