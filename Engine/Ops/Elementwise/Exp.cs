using System.Numerics;
using System.Numerics.Tensors;
using Scratch.Ops;

namespace Scratch.Ops
{
    /// <summary>y = eˣ; dy/dx = y.</summary>
    public readonly struct ExpOp : IUnaryOp
    {
        public string Name => "Exp";
        public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Exp(x);
        public T Backward<T>(T x, T y, T dy) where T : unmanaged, IFloatingPointIeee754<T> => dy * y;
        public bool ForwardSpan<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        {
            TensorPrimitives.Exp(x, y);
            return true;
        }
    }
}

namespace Scratch
{
    public static partial class F
    {
        /// <summary>Elementwise eˣ.</summary>
        public static Tensor Exp(Tensor x) => Map(x, new ExpOp());
    }

    public partial class Tensor
    {
        /// <summary>Elementwise eˣ.</summary>
        public Tensor Exp() => F.Exp(this);
    }
}
