using System.Numerics;
using Scratch.Ops;

namespace Scratch.Ops
{
    /// <summary>y = ln(1 + x), accurate for tiny x; dy/dx = 1/(1 + x).</summary>
    /// <remarks>.NET's LogP1 is ln(x + 1), which loses every digit of a tiny x; this uses Goldberg's correction
    /// u = 1 + x, ln(u)·x/(u − 1), exact to a few ulp for all x &gt; −1.</remarks>
    public readonly struct Log1pOp : IUnaryOp
    {
        public string Name => "Log1p";
        public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => Log1p(x);
        public T Backward<T>(T x, T y, T dy) where T : unmanaged, IFloatingPointIeee754<T> => dy / (T.One + x);

        /// <summary>ln(1 + x) without cancellation (−∞ at −1, NaN below, +∞ at +∞).</summary>
        public static T Log1p<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var u = T.One + x;
            if (u == T.One) return x;
            if (T.IsInfinity(u) || u <= T.Zero) return T.Log(u);
            return T.Log(u) * x / (u - T.One);
        }
    }
}

namespace Scratch
{
    public static partial class F
    {
        /// <summary>Elementwise ln(1 + x), accurate for |x| ≪ 1 (−∞ at −1, NaN for x &lt; −1).</summary>
        public static Tensor Log1p(Tensor x) => Map(x, new Log1pOp());
    }

    public partial class Tensor
    {
        /// <summary>Elementwise ln(1 + x).</summary>
        public Tensor Log1p() => F.Log1p(this);
    }
}
