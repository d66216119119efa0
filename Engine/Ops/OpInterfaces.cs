using System.Numerics;

namespace Scratch.Ops;

/// <summary>An elementwise function y = f(x) on floating types with its derivative.</summary>
/// <remarks>One struct, every executor: the scalar <see cref="Forward{T}"/> runs in the Reference backend, in CPU
/// tails and (later) in GPU kernels; <see cref="ForwardSpan{T}"/> is an optional vectorised CPU path.</remarks>
public interface IUnaryOp
{
    /// <summary>Op name for graphs and errors.</summary>
    string Name { get; }

    /// <summary>y = f(x).</summary>
    T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>dL/dx given x, y = f(x) and dL/dy.</summary>
    T Backward<T>(T x, T y, T dy) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Vectorised y = f(x) over spans; returns false when there is none (the scalar loop runs).</summary>
    bool ForwardSpan<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => false;

    /// <summary>Vectorised dx = <see cref="Backward{T}"/>(x, y, dy) over equal-length spans, with the same result
    /// element by element; returns false when there is none (the scalar loop runs).</summary>
    bool BackwardSpan<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T> => false;
}

/// <summary>An elementwise function y = f(a, b) on numeric types (backward is written with tensor ops).</summary>
public interface IBinaryOp
{
    /// <summary>Op name for graphs and errors.</summary>
    string Name { get; }

    /// <summary>y = f(a, b).</summary>
    T Forward<T>(T a, T b) where T : unmanaged, INumber<T>;

    /// <summary>Vectorised path over equal-length spans; returns false when there is none.</summary>
    bool ForwardSpan<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, INumber<T> => false;
}

/// <summary>An elementwise predicate on numeric types (comparisons, logical ops); the result dtype is Bool.</summary>
public interface ICompareOp
{
    /// <summary>Op name for errors.</summary>
    string Name { get; }

    /// <summary>The predicate.</summary>
    bool Forward<T>(T a, T b) where T : unmanaged, INumber<T>;
}

/// <summary>An associative reduction with an identity (sum, prod, max, min).</summary>
public interface IReduceOp
{
    /// <summary>Op name for errors.</summary>
    string Name { get; }

    /// <summary>The identity element (0 for sum, −∞ for max ...).</summary>
    T Identity<T>() where T : unmanaged, INumber<T>, IMinMaxValue<T>;

    /// <summary>Combines an accumulator with one element.</summary>
    T Combine<T>(T acc, T x) where T : unmanaged, INumber<T>, IMinMaxValue<T>;

    /// <summary>Vectorised reduction of a span; returns false when there is none.</summary>
    bool ReduceSpan<T>(ReadOnlySpan<T> x, out T result) where T : unmanaged, INumber<T>, IMinMaxValue<T>
    {
        result = default;
        return false;
    }
}
