using System.Numerics;
using Scratch.Ops;

namespace Scratch.Ops
{
    /// <summary>GELU (Hendrycks &amp; Gimpel 2016). Exact: y = x·Φ(x) = ½x(1 + erf(x/√2)), dy/dx = Φ(x) + x·φ(x).
    /// Tanh approximation: y = ½x(1 + tanh(√(2/π)(x + 0.044715x³))) with its exact derivative.</summary>
    /// <remarks>The flag is stored as an int so the struct is blittable and can be passed to GPU kernels.</remarks>
    public readonly record struct GeluOp : IUnaryOp
    {
        private readonly int _tanh;

        /// <summary>Exact GELU, or the tanh approximation when <paramref name="tanh"/>.</summary>
        /// <param name="tanh">True for the tanh approximation (PyTorch's <c>approximate="tanh"</c>).</param>
        public GeluOp(bool tanh) => _tanh = tanh ? 1 : 0;

        /// <summary>True for the tanh approximation (PyTorch's <c>approximate="tanh"</c>).</summary>
        public bool Tanh => _tanh != 0;

        private const double InvSqrt2 = 0.70710678118654752;
        private const double InvSqrt2Pi = 0.39894228040143268;
        private const double SqrtTwoOverPi = 0.79788456080286536;
        private const double Kappa = 0.044715;

        public string Name => "Gelu";

        public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var half = T.CreateTruncating(0.5);
            if (!Tanh)
                return half * x * (T.One + ErfMath.Erf(x * T.CreateTruncating(InvSqrt2)));
            var inner = T.CreateTruncating(SqrtTwoOverPi) * (x + T.CreateTruncating(Kappa) * x * x * x);
            return half * x * (T.One + T.Tanh(inner));
        }

        public T Backward<T>(T x, T y, T dy) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var half = T.CreateTruncating(0.5);
            if (!Tanh)
            {
                var cdf = half * (T.One + ErfMath.Erf(x * T.CreateTruncating(InvSqrt2)));
                var pdf = T.CreateTruncating(InvSqrt2Pi) * T.Exp(-half * x * x);
                return dy * (cdf + x * pdf);
            }
            var (beta, kappa) = (T.CreateTruncating(SqrtTwoOverPi), T.CreateTruncating(Kappa));
            var x2 = x * x;
            var t = T.Tanh(beta * (x + kappa * x2 * x));
            var left = half * x;
            var right = T.One + t;
            var dRight = (T.One - t * t) * beta * (T.One + T.CreateTruncating(3 * Kappa) * x2);
            return dy * (half * right + left * dRight);
        }
    }
}

namespace Scratch
{
    public static partial class F
    {
        /// <summary>Elementwise GELU x·Φ(x). <paramref name="approximate"/> is <c>"none"</c> (exact, erf form) or
        /// <c>"tanh"</c> (½x(1 + tanh(√(2/π)(x + 0.044715x³)))), as in PyTorch.</summary>
        /// <exception cref="ArgumentException"><paramref name="approximate"/> is neither "none" nor "tanh".</exception>
        public static Tensor Gelu(Tensor x, string approximate = "none") => approximate switch
        {
            "none" => Map(x, new GeluOp(false)),
            "tanh" => Map(x, new GeluOp(true)),
            _ => throw new ArgumentException($"Gelu: approximate expected \"none\" or \"tanh\", got \"{approximate}\".", nameof(approximate)),
        };
    }

    public partial class Tensor
    {
        /// <summary>Elementwise GELU; see <see cref="F.Gelu"/>.</summary>
        public Tensor Gelu(string approximate = "none") => F.Gelu(this, approximate);
    }
}
