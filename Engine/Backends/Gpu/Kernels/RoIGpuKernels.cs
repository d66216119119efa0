using System.Numerics;
using ILGPU;
using ILGPU.Runtime;

namespace Scratch.Backends.Gpu;

/// <summary>Sizes of one RoIAlign / PSRoIAlign launch, passed by value.</summary>
internal struct RoIArgs
{
    public int C, Cout, H, W, PH, PW, PositionSensitive;
}

/// <summary>RoIAlign and PSRoIAlign on the GPU: one thread per output (k, c, i, j), averaging bilinear samples on a
/// Gy×Gx grid per bin as torchvision does. Per-RoI geometry is computed on the host (the same code as the host
/// kernels) and passed as tables: geo [K, 5] of T (y start, x start, bin height, bin width, count) and grid [K, 3] of
/// int (batch index, Gy, Gx). The backward scatters with atomic adds.</summary>
internal static class RoIGpuKernels
{
    /// <summary>The four taps and weights of a bilinear sample at (y, x) in an h×w plane (p1 = −1 when outside), as
    /// <c>BilinearSample</c> computes them.</summary>
    private static void Sample<T>(T y, T x, int h, int w, out int p1, out int p2, out int p3, out int p4, out T w1,
        out T w2, out T w3, out T w4) where T : unmanaged, IFloatingPointIeee754<T>
    {
        p1 = p2 = p3 = p4 = -1;
        w1 = w2 = w3 = w4 = T.Zero;
        if (y < -T.One || y > T.CreateTruncating(h) || x < -T.One || x > T.CreateTruncating(w) || h == 0 || w == 0)
            return;
        if (y <= T.Zero) y = T.Zero;
        if (x <= T.Zero) x = T.Zero;
        var yLow = int.CreateTruncating(y);
        var xLow = int.CreateTruncating(x);
        int yHigh, xHigh;
        if (yLow >= h - 1)
        {
            yHigh = yLow = h - 1;
            y = T.CreateTruncating(yLow);
        }
        else yHigh = yLow + 1;
        if (xLow >= w - 1)
        {
            xHigh = xLow = w - 1;
            x = T.CreateTruncating(xLow);
        }
        else xHigh = xLow + 1;
        var ly = y - T.CreateTruncating(yLow);
        var lx = x - T.CreateTruncating(xLow);
        T hy = T.One - ly, hx = T.One - lx;
        (p1, p2, p3, p4) = (yLow * w + xLow, yLow * w + xHigh, yHigh * w + xLow, yHigh * w + xHigh);
        (w1, w2, w3, w4) = (hy * hx, hy * lx, ly * hx, ly * lx);
    }

    private static T At<T>(T start, int bin, T size, int i, int grid) where T : unmanaged, IFloatingPointIeee754<T> =>
        start + T.CreateTruncating(bin) * size +
        (T.CreateTruncating(i) + T.One / (T.One + T.One)) * size / T.CreateTruncating(grid);

    /// <summary>Decodes output index idx into (k, c, bin) and the input plane offset it reads.</summary>
    private static void Locate(long idx, RoIArgs a, ArrayView<int> grid, out int k, out int bin, out long src)
    {
        var outPlane = a.PH * a.PW;
        bin = (int)(idx % outPlane);
        var c = (int)(idx / outPlane % a.Cout);
        k = (int)(idx / outPlane / a.Cout);
        var ch = a.PositionSensitive != 0 ? c * outPlane + bin : c;
        src = ((long)grid[3 * k] * a.C + ch) * a.H * a.W;
    }

    public static void Forward<T>(Index1D idx, ArrayView<T> x, ArrayView<T> geo, ArrayView<int> grid, ArrayView<T> y,
        RoIArgs a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Locate(idx, a, grid, out var k, out var bin, out var src);
        int i = bin / a.PW, j = bin % a.PW, gy = grid[3 * k + 1], gx = grid[3 * k + 2];
        var sum = T.Zero;
        for (var iy = 0; iy < gy; iy++)
        for (var ix = 0; ix < gx; ix++)
        {
            Sample(At(geo[5 * k], i, geo[5 * k + 2], iy, gy), At(geo[5 * k + 1], j, geo[5 * k + 3], ix, gx), a.H,
                a.W, out var p1, out var p2, out var p3, out var p4, out var w1, out var w2, out var w3, out var w4);
            if (p1 < 0) continue;
            sum += w1 * x[src + p1] + w2 * x[src + p2] + w3 * x[src + p3] + w4 * x[src + p4];
        }
        y[idx] = sum / geo[5 * k + 4];
    }

    public static void BackwardF32(Index1D idx, ArrayView<float> g, ArrayView<float> geo, ArrayView<int> grid,
        ArrayView<float> dx, RoIArgs a)
    {
        Locate(idx, a, grid, out var k, out var bin, out var dst);
        int i = bin / a.PW, j = bin % a.PW, gy = grid[3 * k + 1], gx = grid[3 * k + 2];
        var gv = g[idx] / geo[5 * k + 4];
        for (var iy = 0; iy < gy; iy++)
        for (var ix = 0; ix < gx; ix++)
        {
            Sample(At(geo[5 * k], i, geo[5 * k + 2], iy, gy), At(geo[5 * k + 1], j, geo[5 * k + 3], ix, gx), a.H,
                a.W, out var p1, out var p2, out var p3, out var p4, out var w1, out var w2, out var w3, out var w4);
            if (p1 < 0) continue;
            Atomic.Add(ref dx[dst + p1], gv * w1);
            Atomic.Add(ref dx[dst + p2], gv * w2);
            Atomic.Add(ref dx[dst + p3], gv * w3);
            Atomic.Add(ref dx[dst + p4], gv * w4);
        }
    }

    public static void BackwardF64(Index1D idx, ArrayView<double> g, ArrayView<double> geo, ArrayView<int> grid,
        ArrayView<double> dx, RoIArgs a)
    {
        Locate(idx, a, grid, out var k, out var bin, out var dst);
        int i = bin / a.PW, j = bin % a.PW, gy = grid[3 * k + 1], gx = grid[3 * k + 2];
        var gv = g[idx] / geo[5 * k + 4];
        for (var iy = 0; iy < gy; iy++)
        for (var ix = 0; ix < gx; ix++)
        {
            Sample(At(geo[5 * k], i, geo[5 * k + 2], iy, gy), At(geo[5 * k + 1], j, geo[5 * k + 3], ix, gx), a.H,
                a.W, out var p1, out var p2, out var p3, out var p4, out var w1, out var w2, out var w3, out var w4);
            if (p1 < 0) continue;
            Atomic.Add(ref dx[dst + p1], gv * w1);
            Atomic.Add(ref dx[dst + p2], gv * w2);
            Atomic.Add(ref dx[dst + p3], gv * w3);
            Atomic.Add(ref dx[dst + p4], gv * w4);
        }
    }
}

public sealed partial class IlgpuBackend
{
    internal void RoIAlign<T>(Tensor x, Tensor geo, Tensor grid, Tensor y, RoIArgs a, string op)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (y.Numel == 0) return;
        var k = Kernel("RoIAlign", typeof(T), typeof(T), op,
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<int>, ArrayView<T>,
                RoIArgs>(RoIGpuKernels.Forward));
        k(checked((int)y.Numel), Dense<T>(x, op), Dense<T>(geo, op), Dense<int>(grid, op), Dense<T>(y, op), a);
    }

    internal void RoIAlignBackward(Tensor g, Tensor geo, Tensor grid, Tensor dx, RoIArgs a, string op)
    {
        if (g.Numel == 0) return;
        var n = checked((int)g.Numel);
        if (g.DType == DType.F32)
            Kernel("RoIAlignBackward", typeof(float), typeof(float), op,
                    acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>,
                        ArrayView<float>, RoIArgs>(RoIGpuKernels.BackwardF32))
                (n, Dense<float>(g, op), Dense<float>(geo, op), Dense<int>(grid, op), Dense<float>(dx, op), a);
        else
            Kernel("RoIAlignBackward", typeof(double), typeof(double), op,
                    acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>,
                        ArrayView<int>, ArrayView<double>, RoIArgs>(RoIGpuKernels.BackwardF64))
                (n, Dense<double>(g, op), Dense<double>(geo, op), Dense<int>(grid, op), Dense<double>(dx, op), a);
    }
}
