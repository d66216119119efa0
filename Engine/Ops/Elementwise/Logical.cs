using System.Numerics;
using Scratch.Ops;

namespace Scratch.Ops
{
    /// <summary>(a ≠ 0) ∧ (b ≠ 0)</summary>
    public readonly struct LogicalAndOp : ICompareOp
    {
        public string Name => "LogicalAnd";
        public bool Forward<T>(T a, T b) where T : unmanaged, INumber<T> => a != T.Zero && b != T.Zero;
    }

    /// <summary>(a ≠ 0) ∨ (b ≠ 0)</summary>
    public readonly struct LogicalOrOp : ICompareOp
    {
        public string Name => "LogicalOr";
        public bool Forward<T>(T a, T b) where T : unmanaged, INumber<T> => a != T.Zero || b != T.Zero;
    }

    /// <summary>(a ≠ 0) ⊕ (b ≠ 0)</summary>
    public readonly struct LogicalXorOp : ICompareOp
    {
        public string Name => "LogicalXor";
        public bool Forward<T>(T a, T b) where T : unmanaged, INumber<T> => (a != T.Zero) ^ (b != T.Zero);
    }

    /// <summary>a is NaN (b is ignored).</summary>
    public readonly struct IsNanOp : ICompareOp
    {
        public string Name => "IsNan";
        public bool Forward<T>(T a, T b) where T : unmanaged, INumber<T> => T.IsNaN(a);
    }

    /// <summary>a is neither infinite nor NaN (b is ignored).</summary>
    public readonly struct IsFiniteOp : ICompareOp
    {
        public string Name => "IsFinite";
        public bool Forward<T>(T a, T b) where T : unmanaged, INumber<T> => T.IsFinite(a);
    }
}

namespace Scratch
{
    public static partial class F
    {
        /// <summary>Elementwise logical and with broadcasting (nonzero is true; inputs of equal dtype, usually
        /// Bool); Bool result.</summary>
        public static Tensor LogicalAnd(Tensor a, Tensor b) => CompareForward(a, b, new LogicalAndOp());

        /// <summary>Elementwise logical or with broadcasting; Bool result.</summary>
        public static Tensor LogicalOr(Tensor a, Tensor b) => CompareForward(a, b, new LogicalOrOp());

        /// <summary>Elementwise logical exclusive or with broadcasting; Bool result.</summary>
        public static Tensor LogicalXor(Tensor a, Tensor b) => CompareForward(a, b, new LogicalXorOp());

        /// <summary>Elementwise logical not (x = 0); Bool result of x's shape.</summary>
        public static Tensor LogicalNot(Tensor x) => CompareForward(x, Tensor.Scalar(0, x.DType, x.Device), new EqOp());

        /// <summary>Elementwise test for NaN; Bool result (all false for integer dtypes).</summary>
        public static Tensor IsNan(Tensor x) => CompareForward(x, x, new IsNanOp());

        /// <summary>Elementwise test for a finite value (not ±∞, not NaN); Bool result (all true for integers).</summary>
        public static Tensor IsFinite(Tensor x) => CompareForward(x, x, new IsFiniteOp());
    }

    public partial class Tensor
    {
        /// <summary>Elementwise logical and (Bool).</summary>
        public Tensor LogicalAnd(Tensor other) => F.LogicalAnd(this, other);

        /// <summary>Elementwise logical or (Bool).</summary>
        public Tensor LogicalOr(Tensor other) => F.LogicalOr(this, other);

        /// <summary>Elementwise logical exclusive or (Bool).</summary>
        public Tensor LogicalXor(Tensor other) => F.LogicalXor(this, other);

        /// <summary>Elementwise logical not (Bool).</summary>
        public Tensor LogicalNot() => F.LogicalNot(this);

        /// <summary>Elementwise NaN test (Bool).</summary>
        public Tensor IsNan() => F.IsNan(this);

        /// <summary>Elementwise finiteness test (Bool).</summary>
        public Tensor IsFinite() => F.IsFinite(this);

        public static Tensor operator &(Tensor a, Tensor b) => F.LogicalAnd(a, b);
        public static Tensor operator |(Tensor a, Tensor b) => F.LogicalOr(a, b);
        public static Tensor operator ^(Tensor a, Tensor b) => F.LogicalXor(a, b);
        public static Tensor operator !(Tensor a) => F.LogicalNot(a);
    }
}
