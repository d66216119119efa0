using System.Numerics;
using ILGPU;
using Scratch.Ops;

namespace Scratch.Backends.Gpu;

/// <summary>Four consecutive elements, loaded and stored as one: ILGPU turns a 16-byte struct access into one
/// <c>ld.v4.f32</c> / <c>st.v4.f32</c> for fp32 (checked in the PTX tests).</summary>
internal struct Quad<T> where T : unmanaged
{
    public T X, Y, Z, W;
}

/// <summary>The elementwise kernels of contiguous, equally shaped operands (<see cref="IlgpuBackend"/> picks them over
/// the strided <see cref="GpuKernels.Zip{TOp,T}"/>, which maps every index through each operand's layout): four
/// elements per thread through <see cref="Quad{T}"/> views where every operand starts at a multiple of four
/// elements, one element per thread on plain views for the tail or unaligned operands.</summary>
internal static class VectorGpuKernels
{
    public static void MapQuad<TOp, T>(Index1D i, TOp op, ArrayView<Quad<T>> x, ArrayView<Quad<T>> y)
        where TOp : struct, IUnaryOp where T : unmanaged, IFloatingPointIeee754<T>
    {
        var v = x[i];
        y[i] = new Quad<T> { X = op.Forward(v.X), Y = op.Forward(v.Y), Z = op.Forward(v.Z), W = op.Forward(v.W) };
    }

    public static void MapBackwardQuad<TOp, T>(Index1D i, TOp op, ArrayView<Quad<T>> x, ArrayView<Quad<T>> y,
        ArrayView<Quad<T>> dy, ArrayView<Quad<T>> dx)
        where TOp : struct, IUnaryOp where T : unmanaged, IFloatingPointIeee754<T>
    {
        Quad<T> a = x[i], b = y[i], g = dy[i];
        dx[i] = new Quad<T>
        {
            X = op.Backward(a.X, b.X, g.X), Y = op.Backward(a.Y, b.Y, g.Y), Z = op.Backward(a.Z, b.Z, g.Z),
            W = op.Backward(a.W, b.W, g.W),
        };
    }

    public static void ZipQuad<TOp, T>(Index1D i, TOp op, ArrayView<Quad<T>> a, ArrayView<Quad<T>> b,
        ArrayView<Quad<T>> y) where TOp : struct, IBinaryOp where T : unmanaged, INumber<T>
    {
        Quad<T> p = a[i], q = b[i];
        y[i] = new Quad<T>
        {
            X = op.Forward(p.X, q.X), Y = op.Forward(p.Y, q.Y), Z = op.Forward(p.Z, q.Z), W = op.Forward(p.W, q.W),
        };
    }

    public static void ZipDense<TOp, T>(Index1D i, TOp op, ArrayView<T> a, ArrayView<T> b, ArrayView<T> y)
        where TOp : struct, IBinaryOp where T : unmanaged, INumber<T> =>
        y[i] = op.Forward(a[i], b[i]);
}
