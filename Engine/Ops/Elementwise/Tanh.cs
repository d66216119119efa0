using System.Numerics;
using System.Numerics.Tensors;
using Scratch.Ops;

namespace Scratch.Ops
{
    /// <summary>y = tanh x; dy/dx = 1 − y².</summary>
    public readonly struct TanhOp : IUnaryOp
    {
        public string Name => "Tanh";
        public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Tanh(x);
        public T Backward<T>(T x, T y, T dy) where T : unmanaged, IFloatingPointIeee754<T> => dy * (T.One - y * y);
        public bool ForwardSpan<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        {
            TensorPrimitives.Tanh(x, y);
            return true;
        }
    }
}

namespace Scratch
{
    public static partial class F
    {
        /// <summary>Elementwise hyperbolic tangent.</summary>
        public static Tensor Tanh(Tensor x) => Map(x, new TanhOp());
    }

    public partial class Tensor
    {
        /// <summary>Elementwise hyperbolic tangent.</summary>
        public Tensor Tanh() => F.Tanh(this);
    }
}
