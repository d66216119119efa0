using System.Numerics;
using System.Numerics.Tensors;
using Scratch.Ops;

namespace Scratch.Ops
{
    /// <summary>y = ln x; dy/dx = 1/x.</summary>
    public readonly struct LogOp : IUnaryOp
    {
        public string Name => "Log";
        public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Log(x);
        public T Backward<T>(T x, T y, T dy) where T : unmanaged, IFloatingPointIeee754<T> => dy / x;
        public bool ForwardSpan<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        {
            TensorPrimitives.Log(x, y);
            return true;
        }
    }
}

namespace Scratch
{
    public static partial class F
    {
        /// <summary>Elementwise natural logarithm.</summary>
        public static Tensor Log(Tensor x) => Map(x, new LogOp());
    }

    public partial class Tensor
    {
        /// <summary>Elementwise natural logarithm.</summary>
        public Tensor Log() => F.Log(this);
    }
}
