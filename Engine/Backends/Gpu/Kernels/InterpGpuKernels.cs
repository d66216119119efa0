using System.Numerics;
using ILGPU;
using ILGPU.Runtime;

namespace Scratch.Backends.Gpu;

/// <summary>Separable two-tap resampling (nearest / bilinear interpolate) of [planes, H, W] contiguous tensors on the
/// GPU. Each axis comes as an int table [I0[0..O), I1[0..O)] and a weight table [L0[0..O), L1[0..O)]; one thread per
/// output; the backward scatters with atomic adds.</summary>
internal static class InterpGpuKernels
{
    /// <summary>y[p, oh, ow] = Σ row weight · column weight · x over the two-by-two taps; zero-weight taps are skipped
    /// so nearest copies exactly, as on the host.</summary>
    public static void Forward<T>(Index1D idx, ArrayView<T> x, ArrayView<int> ri, ArrayView<T> rl, ArrayView<int> ci,
        ArrayView<T> cl, ArrayView<T> y, int h, int w, int oh, int ow) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var o = (int)(idx % ((long)oh * ow));
        var xp = idx / ((long)oh * ow) * h * w;
        int r = o / ow, c = o % ow;
        long r0 = xp + (long)ri[r] * w, r1 = xp + (long)ri[oh + r] * w;
        int c0 = ci[c], c1 = ci[ow + c];
        T cw0 = cl[c], cw1 = cl[ow + c], rw0 = rl[r], rw1 = rl[oh + r];
        var top = cw1 == T.Zero ? x[r0 + c0] : cw0 * x[r0 + c0] + cw1 * x[r0 + c1];
        if (rw1 == T.Zero)
        {
            y[idx] = top;
            return;
        }
        var bottom = cw1 == T.Zero ? x[r1 + c0] : cw0 * x[r1 + c0] + cw1 * x[r1 + c1];
        y[idx] = rw0 * top + rw1 * bottom;
    }

    /// <summary>Adjoint of <see cref="Forward{T}"/> for float: gx taps += weights · g.</summary>
    public static void BackwardF32(Index1D idx, ArrayView<float> g, ArrayView<int> ri, ArrayView<float> rl,
        ArrayView<int> ci, ArrayView<float> cl, ArrayView<float> gx, int h, int w, int oh, int ow)
    {
        var o = (int)(idx % ((long)oh * ow));
        var xp = idx / ((long)oh * ow) * h * w;
        int r = o / ow, c = o % ow;
        long r0 = xp + (long)ri[r] * w, r1 = xp + (long)ri[oh + r] * w;
        int c0 = ci[c], c1 = ci[ow + c];
        float cw0 = cl[c], cw1 = cl[ow + c], rw0 = rl[r], rw1 = rl[oh + r], d = g[idx];
        Atomic.Add(ref gx[r0 + c0], rw0 * cw0 * d);
        if (cw1 != 0) Atomic.Add(ref gx[r0 + c1], rw0 * cw1 * d);
        if (rw1 == 0) return;
        Atomic.Add(ref gx[r1 + c0], rw1 * cw0 * d);
        if (cw1 != 0) Atomic.Add(ref gx[r1 + c1], rw1 * cw1 * d);
    }

    /// <summary>Adjoint of <see cref="Forward{T}"/> for double: gx taps += weights · g.</summary>
    public static void BackwardF64(Index1D idx, ArrayView<double> g, ArrayView<int> ri, ArrayView<double> rl,
        ArrayView<int> ci, ArrayView<double> cl, ArrayView<double> gx, int h, int w, int oh, int ow)
    {
        var o = (int)(idx % ((long)oh * ow));
        var xp = idx / ((long)oh * ow) * h * w;
        int r = o / ow, c = o % ow;
        long r0 = xp + (long)ri[r] * w, r1 = xp + (long)ri[oh + r] * w;
        int c0 = ci[c], c1 = ci[ow + c];
        double cw0 = cl[c], cw1 = cl[ow + c], rw0 = rl[r], rw1 = rl[oh + r], d = g[idx];
        Atomic.Add(ref gx[r0 + c0], rw0 * cw0 * d);
        if (cw1 != 0) Atomic.Add(ref gx[r0 + c1], rw0 * cw1 * d);
        if (rw1 == 0) return;
        Atomic.Add(ref gx[r1 + c0], rw1 * cw0 * d);
        if (cw1 != 0) Atomic.Add(ref gx[r1 + c1], rw1 * cw1 * d);
    }
}

public sealed partial class IlgpuBackend
{
    /// <summary>Interpolates contiguous x [planes, H, W] into y [planes, OH, OW] given the axis tables (row/column
    /// index tables I32, weight tables of x's dtype, all on this device).</summary>
    internal void Interpolate<T>(Tensor x, Tensor ri, Tensor rl, Tensor ci, Tensor cl, Tensor y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const string op = "Interpolate";
        if (y.Numel == 0) return;
        var k = Kernel("Interpolate", typeof(T), typeof(T), op,
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<T>, ArrayView<int>, ArrayView<T>, ArrayView<int>,
                ArrayView<T>, ArrayView<T>, int, int, int, int>(InterpGpuKernels.Forward));
        k(checked((int)y.Numel), Dense<T>(x, op), Dense<int>(ri, op), Dense<T>(rl, op), Dense<int>(ci, op),
            Dense<T>(cl, op), Dense<T>(y, op), x.Size(-2), x.Size(-1), y.Size(-2), y.Size(-1));
    }

    /// <summary>Adjoint of <see cref="Interpolate{T}"/>: scatters contiguous g into the zeroed gx.</summary>
    internal void InterpolateBackward(Tensor g, Tensor ri, Tensor rl, Tensor ci, Tensor cl, Tensor gx)
    {
        const string op = "Interpolate";
        if (g.Numel == 0) return;
        int h = gx.Size(-2), w = gx.Size(-1), oh = g.Size(-2), ow = g.Size(-1), n = checked((int)g.Numel);
        if (g.DType == DType.F32)
            Kernel("InterpolateBackward", typeof(float), typeof(float), op,
                    acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>,
                        ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int, int, int>(
                        InterpGpuKernels.BackwardF32))
                (n, Dense<float>(g, op), Dense<int>(ri, op), Dense<float>(rl, op), Dense<int>(ci, op),
                    Dense<float>(cl, op), Dense<float>(gx, op), h, w, oh, ow);
        else
            Kernel("InterpolateBackward", typeof(double), typeof(double), op,
                    acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<int>,
                        ArrayView<double>, ArrayView<int>, ArrayView<double>, ArrayView<double>, int, int, int, int>(
                        InterpGpuKernels.BackwardF64))
                (n, Dense<double>(g, op), Dense<int>(ri, op), Dense<double>(rl, op), Dense<int>(ci, op),
                    Dense<double>(cl, op), Dense<double>(gx, op), h, w, oh, ow);
    }
}
