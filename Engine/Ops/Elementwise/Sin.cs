using System.Numerics;
using System.Numerics.Tensors;
using Scratch.Ops;

namespace Scratch.Ops
{
    /// <summary>y = sin x; dy/dx = cos x.</summary>
    public readonly struct SinOp : IUnaryOp
    {
        public string Name => "Sin";
        public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Sin(x);
        public T Backward<T>(T x, T y, T dy) where T : unmanaged, IFloatingPointIeee754<T> => dy * T.Cos(x);
        public bool ForwardSpan<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        {
            TensorPrimitives.Sin(x, y);
            return true;
        }
    }
}

namespace Scratch
{
    public static partial class F
    {
        /// <summary>Elementwise sine (radians).</summary>
        public static Tensor Sin(Tensor x) => Map(x, new SinOp());
    }

    public partial class Tensor
    {
        /// <summary>Elementwise sine (radians).</summary>
        public Tensor Sin() => F.Sin(this);
    }
}
