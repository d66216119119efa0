using System.Numerics;
using System.Numerics.Tensors;
using Scratch.Ops;

namespace Scratch.Ops
{
    /// <summary>y = 1/√x; dy/dx = −y³/2.</summary>
    public readonly struct RsqrtOp : IUnaryOp
    {
        public string Name => "Rsqrt";
        public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.One / T.Sqrt(x);
        public T Backward<T>(T x, T y, T dy) where T : unmanaged, IFloatingPointIeee754<T> => -dy * y * y * y / (T.One + T.One);
        public bool ForwardSpan<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        {
            TensorPrimitives.ReciprocalSqrt(x, y);
            return true;
        }
    }
}

namespace Scratch
{
    public static partial class F
    {
        /// <summary>Elementwise reciprocal square root 1/√x (+∞ at 0, NaN for x &lt; 0).</summary>
        public static Tensor Rsqrt(Tensor x) => Map(x, new RsqrtOp());
    }

    public partial class Tensor
    {
        /// <summary>Elementwise reciprocal square root 1/√x (+∞ at 0, NaN for x &lt; 0).</summary>
        public Tensor Rsqrt() => F.Rsqrt(this);
    }
}
