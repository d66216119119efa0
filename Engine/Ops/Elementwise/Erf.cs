using System.Numerics;
using Scratch.Ops;

namespace Scratch.Ops
{
    /// <summary>The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt in double precision (.NET has no Math.Erf).</summary>
    /// <remarks>|x| ≤ 2.5: the everywhere-positive series erf(x) = 2/√π · e^(−x²) · Σₙ 2ⁿ x^(2n+1) / (1·3···(2n+1)),
    /// which has no cancellation; 2.5 &lt; |x| &lt; 6: erf = 1 − erfc with erfc(x) = e^(−x²)/√π · 1/(x + ½/(x + 1/(x +
    /// 3/2/(x + ...)))) evaluated by the modified Lentz method; |x| ≥ 6: ±1 (erfc(6) ≈ 2·10⁻¹⁷). Absolute error is a
    /// few ulp (&lt; 10⁻¹⁵). erf(±∞) = ±1, erf(NaN) = NaN.</remarks>
    public static class ErfMath
    {
        private const double TwoOverSqrtPi = 1.1283791670955126;
        private const double OneOverSqrtPi = 0.56418958354775628;

        /// <summary>erf(x).</summary>
        public static double Erf(double x) => Erf(x, 1e-17);

        /// <summary>erf(x) in the precision of <typeparamref name="T"/>: float stops the expansions at a relative
        /// tolerance of 10⁻⁹ (about half the terms), double at 10⁻¹⁷. The precision is told apart by arithmetic
        /// (1 + 10⁻¹⁰ rounds to 1 in float only), not by <c>typeof</c>, so the same code compiles for the GPU.
        /// </summary>
        public static T Erf<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> =>
            T.CreateTruncating(Erf(double.CreateTruncating(x), IsSingle<T>() ? 1e-9 : 1e-17));

        /// <summary>True when <typeparamref name="T"/> has at most single precision (its epsilon exceeds 10⁻¹⁰).
        /// </summary>
        private static bool IsSingle<T>() where T : unmanaged, IFloatingPointIeee754<T> =>
            T.One + T.CreateTruncating(1e-10) == T.One;

        private static double Erf(double x, double tol)
        {
            if (double.IsNaN(x)) return x;
            var ax = Math.Abs(x);
            if (ax >= 6) return x < 0 ? -1.0 : 1.0;
            if (ax <= 2.5) return Series(x, tol);
            var r = 1 - ErfcContinuedFraction(ax, tol);
            return x < 0 ? -r : r;
        }

        /// <summary>erfc(x) = 1 − erf(x), accurate in relative terms for large positive x.</summary>
        public static double Erfc(double x)
        {
            if (double.IsNaN(x)) return x;
            if (x > 2.5) return x >= 27 ? 0 : ErfcContinuedFraction(x, 1e-17);
            return 1 - Erf(x);
        }

        private static double Series(double x, double tol)
        {
            var x2 = x * x;
            double term = x, sum = x;
            for (var n = 0; n < 200; n++)
            {
                term *= 2 * x2 / (2 * n + 3);
                sum += term;
                if (Math.Abs(term) <= tol * Math.Abs(sum)) break;
            }
            return TwoOverSqrtPi * Math.Exp(-x2) * sum;
        }

        // erfc(x) = e^{-x²}/√π · 1/(x + a₁/(x + a₂/(x + ...))) with aₖ = k/2 (modified Lentz).
        private static double ErfcContinuedFraction(double x, double tol)
        {
            const double tiny = 1e-300;
            var f = x;
            var c = x;
            var d = 0.0;
            for (var k = 1; k < 500; k++)
            {
                var a = k * 0.5;
                d = x + a * d;
                d = Math.Abs(d) < tiny ? tiny : d;
                c = x + a / c;
                c = Math.Abs(c) < tiny ? tiny : c;
                d = 1 / d;
                var delta = c * d;
                f *= delta;
                if (Math.Abs(delta - 1) < Math.Max(tol, 1e-16)) break;
            }
            return OneOverSqrtPi * Math.Exp(-x * x) / f;
        }
    }

    /// <summary>y = erf(x); dy/dx = 2/√π · e^(−x²).</summary>
    public readonly struct ErfOp : IUnaryOp
    {
        public string Name => "Erf";
        public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => ErfMath.Erf(x);
        public T Backward<T>(T x, T y, T dy) where T : unmanaged, IFloatingPointIeee754<T> =>
            dy * T.CreateTruncating(1.1283791670955126) * T.Exp(-x * x);
    }
}

namespace Scratch
{
    public static partial class F
    {
        /// <summary>Elementwise error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt (accurate to a few ulp in float64).</summary>
        public static Tensor Erf(Tensor x) => Map(x, new ErfOp());
    }

    public partial class Tensor
    {
        /// <summary>Elementwise error function.</summary>
        public Tensor Erf() => F.Erf(this);
    }
}
