using System.Numerics;
using System.Numerics.Tensors;
using Scratch.Autograd;
using Scratch.Ops;

namespace Scratch.Ops
{
    /// <summary>y = x^p for a scalar exponent p; dy/dx = p·x^(p−1), and 0 when p = 0 (as in PyTorch).</summary>
    public readonly record struct PowScalarOp(double Exponent) : IUnaryOp
    {
        public string Name => "Pow";

        public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Pow(x, T.CreateTruncating(Exponent));

        public T Backward<T>(T x, T y, T dy) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (Exponent == 0) return T.Zero;
            var p = T.CreateTruncating(Exponent);
            return dy * p * T.Pow(x, p - T.One);
        }

        public bool ForwardSpan<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        {
            TensorPrimitives.Pow(x, T.CreateTruncating(Exponent), y);
            return true;
        }
    }

    /// <summary>y = a^b elementwise (evaluated in double precision, then rounded to the element type).</summary>
    public readonly struct PowOp : IBinaryOp
    {
        public string Name => "Pow";
        public T Forward<T>(T a, T b) where T : unmanaged, INumber<T> =>
            T.CreateTruncating(Math.Pow(double.CreateTruncating(a), double.CreateTruncating(b)));
    }

    /// <summary>∂(a^b)/∂a = b·a^(b−1), and 0 where b = 0 (PyTorch's convention).</summary>
    internal readonly struct PowGradBaseOp : IBinaryOp
    {
        public string Name => "PowBackward";
        public T Forward<T>(T a, T b) where T : unmanaged, INumber<T>
        {
            var (x, p) = (double.CreateTruncating(a), double.CreateTruncating(b));
            return p == 0 ? T.Zero : T.CreateTruncating(p * Math.Pow(x, p - 1));
        }
    }

    /// <summary>∂(a^b)/∂b = a^b·ln a, and 0 where a = 0 and b ≥ 0 (PyTorch's convention).</summary>
    internal readonly struct PowGradExponentOp : IBinaryOp
    {
        public string Name => "PowBackward";
        public T Forward<T>(T a, T b) where T : unmanaged, INumber<T>
        {
            var (x, p) = (double.CreateTruncating(a), double.CreateTruncating(b));
            return x == 0 && p >= 0 ? T.Zero : T.CreateTruncating(Math.Pow(x, p) * Math.Log(x));
        }
    }
}

namespace Scratch
{
    public static partial class F
    {
        /// <summary>Elementwise x^<paramref name="exponent"/>. Gradient p·x^(p−1) (zero when p = 0). Negative x with
        /// a non-integer exponent gives NaN.</summary>
        public static Tensor Pow(Tensor x, double exponent) => Map(x, new PowScalarOp(exponent));

        /// <summary>Elementwise a^b with broadcasting (floating dtypes). ∂/∂a = b·a^(b−1) (0 where b = 0),
        /// ∂/∂b = a^b·ln a (0 where a = 0 and b ≥ 0), each summed over broadcast dims.</summary>
        public static Tensor Pow(Tensor a, Tensor b)
        {
            RequireFloating(a, "Pow", "input");
            var y = ZipForward(a, b, new PowOp());
            if (!Graph.NeedsGrad(a, b)) return y;
            var (sa, sb) = (new SavedTensor(a, "Pow"), new SavedTensor(b, "Pow"));
            return Graph.Record(y, "Pow", [a, b], g =>
            {
                var (av, bv) = (sa.Get(), sb.Get());
                return
                [
                    a.RequiresGrad ? Mul(g, ZipForward(av, bv, new PowGradBaseOp())).SumToShape(a.Shape) : null,
                    b.RequiresGrad ? Mul(g, ZipForward(av, bv, new PowGradExponentOp())).SumToShape(b.Shape) : null,
                ];
            });
        }
    }

    public partial class Tensor
    {
        /// <summary>Elementwise this^<paramref name="exponent"/>.</summary>
        public Tensor Pow(double exponent) => F.Pow(this, exponent);

        /// <summary>Elementwise this^<paramref name="exponent"/> with broadcasting.</summary>
        public Tensor Pow(Tensor exponent) => F.Pow(this, exponent);
    }
}
