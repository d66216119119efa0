using System.Numerics;
using System.Numerics.Tensors;
using Scratch.Ops;

namespace Scratch.Ops
{
    /// <summary>y = 1/(1 + e⁻ˣ); dy/dx = y(1 − y).</summary>
    public readonly struct SigmoidOp : IUnaryOp
    {
        public string Name => "Sigmoid";
        public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.One / (T.One + T.Exp(-x));
        public T Backward<T>(T x, T y, T dy) where T : unmanaged, IFloatingPointIeee754<T> => dy * y * (T.One - y);
        public bool ForwardSpan<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (x.IsEmpty) return true; // TensorPrimitives.Sigmoid rejects empty spans
            TensorPrimitives.Sigmoid(x, y);
            return true;
        }
    }
}

namespace Scratch
{
    public static partial class F
    {
        /// <summary>Elementwise logistic sigmoid 1/(1 + e⁻ˣ).</summary>
        public static Tensor Sigmoid(Tensor x) => Map(x, new SigmoidOp());
    }

    public partial class Tensor
    {
        /// <summary>Elementwise logistic sigmoid 1/(1 + e⁻ˣ).</summary>
        public Tensor Sigmoid() => F.Sigmoid(this);
    }
}
