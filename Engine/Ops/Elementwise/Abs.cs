using System.Numerics;
using System.Numerics.Tensors;
using Scratch.Ops;

namespace Scratch.Ops
{
    /// <summary>y = |x|; dy/dx = sign(x), 0 at x = 0 (as in PyTorch).</summary>
    public readonly struct AbsOp : IUnaryOp
    {
        public string Name => "Abs";
        public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Abs(x);
        public T Backward<T>(T x, T y, T dy) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? dy : x < T.Zero ? -dy : T.Zero;
        public bool ForwardSpan<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        {
            TensorPrimitives.Abs(x, y);
            return true;
        }
    }
}

namespace Scratch
{
    public static partial class F
    {
        /// <summary>Elementwise absolute value; gradient sign(x) with sign(0) = 0.</summary>
        public static Tensor Abs(Tensor x) => Map(x, new AbsOp());
    }

    public partial class Tensor
    {
        /// <summary>Elementwise absolute value; gradient sign(x) with sign(0) = 0.</summary>
        public Tensor Abs() => F.Abs(this);
    }
}
