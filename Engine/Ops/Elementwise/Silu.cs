using System.Numerics;
using System.Numerics.Tensors;
using Scratch.Ops;

namespace Scratch.Ops
{
    /// <summary>y = x·σ(x) (swish); dy/dx = σ(x)(1 + x(1 − σ(x))).</summary>
    public readonly struct SiluOp : IUnaryOp
    {
        public string Name => "Silu";
        public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => x / (T.One + T.Exp(-x));
        public T Backward<T>(T x, T y, T dy) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var s = T.One / (T.One + T.Exp(-x));
            return dy * s * (T.One + x * (T.One - s));
        }
        public bool ForwardSpan<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (x.IsEmpty) return true; // TensorPrimitives.Sigmoid rejects empty spans
            TensorPrimitives.Sigmoid(x, y);
            TensorPrimitives.Multiply(x, y, y);
            return true;
        }
    }
}

namespace Scratch
{
    public static partial class F
    {
        /// <summary>Elementwise SiLU (swish) x·σ(x).</summary>
        public static Tensor Silu(Tensor x) => Map(x, new SiluOp());
    }

    public partial class Tensor
    {
        /// <summary>Elementwise SiLU (swish) x·σ(x).</summary>
        public Tensor Silu() => F.Silu(this);
    }
}
