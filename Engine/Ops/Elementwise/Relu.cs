using System.Numerics;
using System.Numerics.Tensors;
using Scratch.Ops;

namespace Scratch.Ops
{
    /// <summary>y = max(x, 0); dy/dx = 1 where x &gt; 0, else 0 (0 at x = 0, as in PyTorch). NaN stays NaN.</summary>
    public readonly struct ReluOp : IUnaryOp
    {
        public string Name => "Relu";
        public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.IsNaN(x) ? x : x > T.Zero ? x : T.Zero;
        public T Backward<T>(T x, T y, T dy) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? dy : T.Zero;
        public bool ForwardSpan<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        {
            TensorPrimitives.Max(x, T.Zero, y);
            return true;
        }
    }
}

namespace Scratch
{
    public static partial class F
    {
        /// <summary>Elementwise rectified linear unit max(x, 0).</summary>
        public static Tensor Relu(Tensor x) => Map(x, new ReluOp());
    }

    public partial class Tensor
    {
        /// <summary>Elementwise rectified linear unit max(x, 0).</summary>
        public Tensor Relu() => F.Relu(this);
    }
}
