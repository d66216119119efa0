using System.Numerics;
using System.Numerics.Tensors;
using Scratch.Ops;

namespace Scratch.Ops
{
    /// <summary>y = √x; dy/dx = 1/(2y) (+∞ at x = 0).</summary>
    public readonly struct SqrtOp : IUnaryOp
    {
        public string Name => "Sqrt";
        public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Sqrt(x);
        public T Backward<T>(T x, T y, T dy) where T : unmanaged, IFloatingPointIeee754<T> => dy / (y + y);
        public bool ForwardSpan<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        {
            TensorPrimitives.Sqrt(x, y);
            return true;
        }
    }
}

namespace Scratch
{
    public static partial class F
    {
        /// <summary>Elementwise square root (NaN for x &lt; 0).</summary>
        public static Tensor Sqrt(Tensor x) => Map(x, new SqrtOp());
    }

    public partial class Tensor
    {
        /// <summary>Elementwise square root (NaN for x &lt; 0).</summary>
        public Tensor Sqrt() => F.Sqrt(this);
    }
}
