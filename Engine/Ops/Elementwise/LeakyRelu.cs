using System.Numerics;
using Scratch.Ops;

namespace Scratch.Ops
{
    /// <summary>y = x for x &gt; 0, else slope·x; dy/dx = 1 for x &gt; 0, else slope.</summary>
    /// <param name="NegativeSlope">The slope for x ≤ 0.</param>
    public readonly record struct LeakyReluOp(double NegativeSlope) : IUnaryOp
    {
        public string Name => "LeakyRelu";
        public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> =>
            x > T.Zero ? x : x * T.CreateTruncating(NegativeSlope);
        public T Backward<T>(T x, T y, T dy) where T : unmanaged, IFloatingPointIeee754<T> =>
            x > T.Zero ? dy : dy * T.CreateTruncating(NegativeSlope);
    }
}

namespace Scratch
{
    public static partial class F
    {
        /// <summary>Elementwise leaky ReLU: x for x &gt; 0, <paramref name="negativeSlope"/>·x otherwise (PyTorch's
        /// default slope 0.01). The gradient at x = 0 is the slope, as in PyTorch.</summary>
        public static Tensor LeakyRelu(Tensor x, double negativeSlope = 0.01) => Map(x, new LeakyReluOp(negativeSlope));
    }

    public partial class Tensor
    {
        /// <summary>Elementwise leaky ReLU.</summary>
        public Tensor LeakyRelu(double negativeSlope = 0.01) => F.LeakyRelu(this, negativeSlope);
    }
}
