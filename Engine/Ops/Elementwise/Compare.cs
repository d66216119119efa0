using System.Numerics;
using Scratch.Ops;

namespace Scratch.Ops
{
    /// <summary>a = b</summary>
    public readonly struct EqOp : ICompareOp
    {
        public string Name => "Eq";
        public bool Forward<T>(T a, T b) where T : unmanaged, INumber<T> => a == b;
    }

    /// <summary>a ≠ b (true when either is NaN)</summary>
    public readonly struct NeOp : ICompareOp
    {
        public string Name => "Ne";
        public bool Forward<T>(T a, T b) where T : unmanaged, INumber<T> => a != b;
    }

    /// <summary>a &lt; b</summary>
    public readonly struct LtOp : ICompareOp
    {
        public string Name => "Lt";
        public bool Forward<T>(T a, T b) where T : unmanaged, INumber<T> => a < b;
    }

    /// <summary>a ≤ b</summary>
    public readonly struct LeOp : ICompareOp
    {
        public string Name => "Le";
        public bool Forward<T>(T a, T b) where T : unmanaged, INumber<T> => a <= b;
    }

    /// <summary>a &gt; b</summary>
    public readonly struct GtOp : ICompareOp
    {
        public string Name => "Gt";
        public bool Forward<T>(T a, T b) where T : unmanaged, INumber<T> => a > b;
    }

    /// <summary>a ≥ b</summary>
    public readonly struct GeOp : ICompareOp
    {
        public string Name => "Ge";
        public bool Forward<T>(T a, T b) where T : unmanaged, INumber<T> => a >= b;
    }
}

namespace Scratch
{
    public static partial class F
    {
        /// <summary>Elementwise a = b with broadcasting; Bool result, never differentiable (NaN ≠ NaN).</summary>
        public static Tensor Eq(Tensor a, Tensor b) => CompareForward(a, b, new EqOp());

        /// <summary>Elementwise a ≠ b with broadcasting; Bool result.</summary>
        public static Tensor Ne(Tensor a, Tensor b) => CompareForward(a, b, new NeOp());

        /// <summary>Elementwise a &lt; b with broadcasting; Bool result.</summary>
        public static Tensor Lt(Tensor a, Tensor b) => CompareForward(a, b, new LtOp());

        /// <summary>Elementwise a ≤ b with broadcasting; Bool result.</summary>
        public static Tensor Le(Tensor a, Tensor b) => CompareForward(a, b, new LeOp());

        /// <summary>Elementwise a &gt; b with broadcasting; Bool result.</summary>
        public static Tensor Gt(Tensor a, Tensor b) => CompareForward(a, b, new GtOp());

        /// <summary>Elementwise a ≥ b with broadcasting; Bool result.</summary>
        public static Tensor Ge(Tensor a, Tensor b) => CompareForward(a, b, new GeOp());

        /// <summary>Elementwise a = value; Bool result of a's shape.</summary>
        public static Tensor Eq(Tensor a, double value) => CompareScalar(a, value, new EqOp());

        /// <summary>Elementwise a ≠ value; Bool result of a's shape.</summary>
        public static Tensor Ne(Tensor a, double value) => CompareScalar(a, value, new NeOp());

        /// <summary>Elementwise a &lt; value; Bool result of a's shape.</summary>
        public static Tensor Lt(Tensor a, double value) => CompareScalar(a, value, new LtOp());

        /// <summary>Elementwise a ≤ value; Bool result of a's shape.</summary>
        public static Tensor Le(Tensor a, double value) => CompareScalar(a, value, new LeOp());

        /// <summary>Elementwise a &gt; value; Bool result of a's shape.</summary>
        public static Tensor Gt(Tensor a, double value) => CompareScalar(a, value, new GtOp());

        /// <summary>Elementwise a ≥ value; Bool result of a's shape.</summary>
        public static Tensor Ge(Tensor a, double value) => CompareScalar(a, value, new GeOp());

        /// <summary>Compares with a scalar; integer and Bool tensors are compared in float64 when the scalar is not a
        /// whole number (or is out of their range), so <c>x &lt; 2.5</c> on int64 means what it says.</summary>
        private static Tensor CompareScalar<TOp>(Tensor a, double value, TOp op) where TOp : struct, ICompareOp
        {
            var exact = a.DType switch
            {
                DType.F32 or DType.F64 => true,
                DType.I32 => value == Math.Floor(value) && value >= int.MinValue && value <= int.MaxValue,
                DType.I64 => value == Math.Floor(value) && Math.Abs(value) < 9.2e18,
                DType.U8 => value == Math.Floor(value) && value >= 0 && value <= 255,
                _ => value is 0 or 1,
            };
            var x = exact ? a : a.Detach().To(DType.F64);
            return CompareForward(x, Tensor.Scalar(value, x.DType, x.Device), op);
        }
    }

    public partial class Tensor
    {
        /// <summary>Elementwise this = other (Bool). <c>==</c> keeps reference equality on tensors.</summary>
        public Tensor Eq(Tensor other) => F.Eq(this, other);

        /// <summary>Elementwise this = value (Bool).</summary>
        public Tensor Eq(double value) => F.Eq(this, value);

        /// <summary>Elementwise this ≠ other (Bool).</summary>
        public Tensor Ne(Tensor other) => F.Ne(this, other);

        /// <summary>Elementwise this ≠ value (Bool).</summary>
        public Tensor Ne(double value) => F.Ne(this, value);

        /// <summary>Elementwise this &lt; other (Bool).</summary>
        public Tensor Lt(Tensor other) => F.Lt(this, other);

        /// <summary>Elementwise this ≤ other (Bool).</summary>
        public Tensor Le(Tensor other) => F.Le(this, other);

        /// <summary>Elementwise this &gt; other (Bool).</summary>
        public Tensor Gt(Tensor other) => F.Gt(this, other);

        /// <summary>Elementwise this ≥ other (Bool).</summary>
        public Tensor Ge(Tensor other) => F.Ge(this, other);

        public static Tensor operator <(Tensor a, Tensor b) => F.Lt(a, b);
        public static Tensor operator >(Tensor a, Tensor b) => F.Gt(a, b);
        public static Tensor operator <=(Tensor a, Tensor b) => F.Le(a, b);
        public static Tensor operator >=(Tensor a, Tensor b) => F.Ge(a, b);
        public static Tensor operator <(Tensor a, double b) => F.Lt(a, b);
        public static Tensor operator >(Tensor a, double b) => F.Gt(a, b);
        public static Tensor operator <=(Tensor a, double b) => F.Le(a, b);
        public static Tensor operator >=(Tensor a, double b) => F.Ge(a, b);
        public static Tensor operator <(double a, Tensor b) => F.Gt(b, a);
        public static Tensor operator >(double a, Tensor b) => F.Lt(b, a);
        public static Tensor operator <=(double a, Tensor b) => F.Ge(b, a);
        public static Tensor operator >=(double a, Tensor b) => F.Le(b, a);
    }
}
