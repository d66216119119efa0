using System.Numerics;
using Scratch.Ops;

namespace Scratch.Ops
{
    /// <summary>y = ln(1 + e^(βx))/β, or x where βx &gt; threshold (PyTorch's linear cut-off);
    /// dy/dx = σ(βx), or 1 past the threshold.</summary>
    /// <param name="Beta">β &gt; 0.</param>
    /// <param name="Threshold">Above this value of βx the op is the identity.</param>
    public readonly record struct SoftplusOp(double Beta, double Threshold) : IUnaryOp
    {
        public string Name => "Softplus";

        public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var bx = x * T.CreateTruncating(Beta);
            return bx > T.CreateTruncating(Threshold) ? x : Log1pOp.Log1p(T.Exp(bx)) / T.CreateTruncating(Beta);
        }

        public T Backward<T>(T x, T y, T dy) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var bx = x * T.CreateTruncating(Beta);
            if (bx > T.CreateTruncating(Threshold)) return dy;
            var z = T.Exp(bx);
            return dy * z / (z + T.One);
        }
    }
}

namespace Scratch
{
    public static partial class F
    {
        /// <summary>Elementwise softplus ln(1 + e^(βx))/β, switching to the identity where βx &gt;
        /// <paramref name="threshold"/> (PyTorch semantics, defaults β = 1, threshold = 20). A smooth ReLU.</summary>
        /// <exception cref="ArgumentOutOfRangeException">β ≤ 0 or not finite.</exception>
        public static Tensor Softplus(Tensor x, double beta = 1, double threshold = 20)
        {
            if (!(beta > 0) || double.IsInfinity(beta))
                throw new ArgumentOutOfRangeException(nameof(beta), beta, $"Softplus: beta expected a finite value > 0, got {beta}.");
            return Map(x, new SoftplusOp(beta, threshold));
        }
    }

    public partial class Tensor
    {
        /// <summary>Elementwise softplus ln(1 + e^(βx))/β.</summary>
        public Tensor Softplus(double beta = 1, double threshold = 20) => F.Softplus(this, beta, threshold);
    }
}
