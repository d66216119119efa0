using System.Numerics;
using ILGPU;
using ILGPU.Runtime;

namespace Scratch.Backends.Gpu;

/// <summary>2-D pooling on the GPU over [planes, H, W] contiguous tensors. Each axis's windows come as an int table
/// [O, start[0..O), count[0..O), taps...] (start indexes the table), so sliding and adaptive windows share the
/// kernels. Forward: one thread per output. Backward: one thread per output gradient, scattered with atomic adds
/// (only overlapping windows collide).</summary>
internal static class PoolGpuKernels
{
    /// <summary>Window maximum and its flat index h·W + w in the plane (NaN wins, ties keep the first; −1 for an
    /// empty window).</summary>
    public static void MaxForward<T>(Index1D idx, ArrayView<T> x, ArrayView<int> rows, ArrayView<int> cols,
        ArrayView<T> y, ArrayView<long> at, int h, int w) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int oh = rows[0], ow = cols[0];
        var o = (int)(idx % ((long)oh * ow));
        long p = idx / ((long)oh * ow);
        int r = o / ow, c = o % ow;
        int rs = rows[1 + r], rn = rows[1 + oh + r], cs = cols[1 + c], cn = cols[1 + ow + c];
        var best = T.NegativeInfinity;
        var hit = rn > 0 && cn > 0 ? (long)rows[rs] * w + cols[cs] : -1L;
        for (var i = 0; i < rn; i++)
        for (var j = 0; j < cn; j++)
        {
            var pos = (long)rows[rs + i] * w + cols[cs + j];
            var v = x[p * h * w + pos];
            if (v > best || T.IsNaN(v))
            {
                best = v;
                hit = pos;
            }
        }
        y[idx] = best;
        at[idx] = hit;
    }

    /// <summary>y = Σ window / divisor[o]; an empty window gives 0.</summary>
    public static void AvgForward<T>(Index1D idx, ArrayView<T> x, ArrayView<int> rows, ArrayView<int> cols,
        ArrayView<T> divisor, ArrayView<T> y, int h, int w) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int oh = rows[0], ow = cols[0];
        var o = (int)(idx % ((long)oh * ow));
        long p = idx / ((long)oh * ow);
        int r = o / ow, c = o % ow;
        int rs = rows[1 + r], rn = rows[1 + oh + r], cs = cols[1 + c], cn = cols[1 + ow + c];
        var s = T.Zero;
        for (var i = 0; i < rn; i++)
        for (var j = 0; j < cn; j++)
            s += x[p * h * w + (long)rows[rs + i] * w + cols[cs + j]];
        y[idx] = rn == 0 || cn == 0 ? T.Zero : s / divisor[o];
    }

    /// <summary>gx[plane, at[o]] += g[o] (max-pool backward), float.</summary>
    public static void MaxBackwardF32(Index1D idx, ArrayView<float> g, ArrayView<long> at, ArrayView<float> gx,
        int outPlane, int inPlane)
    {
        var a = at[idx];
        if (a >= 0) Atomic.Add(ref gx[idx / outPlane * inPlane + a], g[idx]);
    }

    /// <summary>gx[plane, at[o]] += g[o] (max-pool backward), double.</summary>
    public static void MaxBackwardF64(Index1D idx, ArrayView<double> g, ArrayView<long> at, ArrayView<double> gx,
        int outPlane, int inPlane)
    {
        var a = at[idx];
        if (a >= 0) Atomic.Add(ref gx[idx / outPlane * inPlane + a], g[idx]);
    }

    /// <summary>gx[window of o] += g[o] / divisor[o] (average-pool backward), float.</summary>
    public static void AvgBackwardF32(Index1D idx, ArrayView<float> g, ArrayView<int> rows, ArrayView<int> cols,
        ArrayView<float> divisor, ArrayView<float> gx, int h, int w)
    {
        int oh = rows[0], ow = cols[0];
        var o = (int)(idx % ((long)oh * ow));
        long p = idx / ((long)oh * ow);
        int r = o / ow, c = o % ow;
        int rs = rows[1 + r], rn = rows[1 + oh + r], cs = cols[1 + c], cn = cols[1 + ow + c];
        var d = g[idx] / divisor[o];
        for (var i = 0; i < rn; i++)
        for (var j = 0; j < cn; j++)
            Atomic.Add(ref gx[p * h * w + (long)rows[rs + i] * w + cols[cs + j]], d);
    }

    /// <summary>gx[window of o] += g[o] / divisor[o] (average-pool backward), double.</summary>
    public static void AvgBackwardF64(Index1D idx, ArrayView<double> g, ArrayView<int> rows, ArrayView<int> cols,
        ArrayView<double> divisor, ArrayView<double> gx, int h, int w)
    {
        int oh = rows[0], ow = cols[0];
        var o = (int)(idx % ((long)oh * ow));
        long p = idx / ((long)oh * ow);
        int r = o / ow, c = o % ow;
        int rs = rows[1 + r], rn = rows[1 + oh + r], cs = cols[1 + c], cn = cols[1 + ow + c];
        var d = g[idx] / divisor[o];
        for (var i = 0; i < rn; i++)
        for (var j = 0; j < cn; j++)
            Atomic.Add(ref gx[p * h * w + (long)rows[rs + i] * w + cols[cs + j]], d);
    }
}

public sealed partial class IlgpuBackend
{
    /// <summary>Max pool of contiguous x [planes, H, W] into y and at (I64 flat indices), given axis tables
    /// (I32 tensors on this device; see <see cref="PoolGpuKernels"/>).</summary>
    internal void MaxPool<T>(Tensor x, Tensor rows, Tensor cols, Tensor y, Tensor at, string op)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (y.Numel == 0) return;
        var k = Kernel("MaxPool", typeof(T), typeof(T), op,
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<T>, ArrayView<int>, ArrayView<int>, ArrayView<T>,
                ArrayView<long>, int, int>(PoolGpuKernels.MaxForward));
        k(checked((int)y.Numel), Dense<T>(x, op), Dense<int>(rows, op), Dense<int>(cols, op), Dense<T>(y, op),
            Dense<long>(at, op), x.Size(-2), x.Size(-1));
    }

    /// <summary>Average pool of contiguous x into y with per-output divisors (a T tensor on this device).</summary>
    internal void AvgPool<T>(Tensor x, Tensor rows, Tensor cols, Tensor divisor, Tensor y, string op)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (y.Numel == 0) return;
        var k = Kernel("AvgPool", typeof(T), typeof(T), op,
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<T>, ArrayView<int>, ArrayView<int>, ArrayView<T>,
                ArrayView<T>, int, int>(PoolGpuKernels.AvgForward));
        k(checked((int)y.Numel), Dense<T>(x, op), Dense<int>(rows, op), Dense<int>(cols, op), Dense<T>(divisor, op),
            Dense<T>(y, op), x.Size(-2), x.Size(-1));
    }

    /// <summary>Max-pool backward: scatters contiguous g into the zeroed gx at the arg-max indices.</summary>
    internal void MaxPoolBackward(Tensor g, Tensor at, Tensor gx, string op)
    {
        if (g.Numel == 0) return;
        int outPlane = g.Size(-2) * g.Size(-1), inPlane = gx.Size(-2) * gx.Size(-1);
        if (g.DType == DType.F32)
            Kernel("MaxPoolBackward", typeof(float), typeof(float), op,
                    acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<long>, ArrayView<float>,
                        int, int>(PoolGpuKernels.MaxBackwardF32))
                (checked((int)g.Numel), Dense<float>(g, op), Dense<long>(at, op), Dense<float>(gx, op), outPlane,
                    inPlane);
        else
            Kernel("MaxPoolBackward", typeof(double), typeof(double), op,
                    acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<long>,
                        ArrayView<double>, int, int>(PoolGpuKernels.MaxBackwardF64))
                (checked((int)g.Numel), Dense<double>(g, op), Dense<long>(at, op), Dense<double>(gx, op), outPlane,
                    inPlane);
    }

    /// <summary>Average-pool backward: spreads contiguous g / divisor over each window of the zeroed gx.</summary>
    internal void AvgPoolBackward(Tensor g, Tensor rows, Tensor cols, Tensor divisor, Tensor gx, string op)
    {
        if (g.Numel == 0) return;
        int h = gx.Size(-2), w = gx.Size(-1);
        if (g.DType == DType.F32)
            Kernel("AvgPoolBackward", typeof(float), typeof(float), op,
                    acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>,
                        ArrayView<float>, ArrayView<float>, int, int>(PoolGpuKernels.AvgBackwardF32))
                (checked((int)g.Numel), Dense<float>(g, op), Dense<int>(rows, op), Dense<int>(cols, op),
                    Dense<float>(divisor, op), Dense<float>(gx, op), h, w);
        else
            Kernel("AvgPoolBackward", typeof(double), typeof(double), op,
                    acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<int>, ArrayView<int>,
                        ArrayView<double>, ArrayView<double>, int, int>(PoolGpuKernels.AvgBackwardF64))
                (checked((int)g.Numel), Dense<double>(g, op), Dense<int>(rows, op), Dense<int>(cols, op),
                    Dense<double>(divisor, op), Dense<double>(gx, op), h, w);
    }
}
