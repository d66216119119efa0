using System.Numerics;
using System.Numerics.Tensors;
using Scratch.Ops;

namespace Scratch.Ops
{
    /// <summary>y = cos x; dy/dx = −sin x.</summary>
    public readonly struct CosOp : IUnaryOp
    {
        public string Name => "Cos";
        public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Cos(x);
        public T Backward<T>(T x, T y, T dy) where T : unmanaged, IFloatingPointIeee754<T> => -dy * T.Sin(x);
        public bool ForwardSpan<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        {
            TensorPrimitives.Cos(x, y);
            return true;
        }
    }
}

namespace Scratch
{
    public static partial class F
    {
        /// <summary>Elementwise cosine (radians).</summary>
        public static Tensor Cos(Tensor x) => Map(x, new CosOp());
    }

    public partial class Tensor
    {
        /// <summary>Elementwise cosine (radians).</summary>
        public Tensor Cos() => F.Cos(this);
    }
}
