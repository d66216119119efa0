using System.Numerics;
using Scratch.Ops;

namespace Scratch.Tests.Backends.Gpu;

/// <summary>A unary op whose scalar code tests <c>typeof(T)</c>, which ILGPU cannot compile: the GPU suites use it to
/// check that a kernel that fails to compile raises <see cref="NotSupportedException"/> and leaves the device usable.
/// </summary>
public readonly struct TypeTestingOp : IUnaryOp
{
    /// <inheritdoc/>
    public string Name => "TypeTesting";

    /// <inheritdoc/>
    public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => typeof(T) == typeof(float) ? x : -x;

    /// <inheritdoc/>
    public T Backward<T>(T x, T y, T dy) where T : unmanaged, IFloatingPointIeee754<T> => dy;
}
