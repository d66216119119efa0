using System.Numerics;
using ILGPU;
using ILGPU.Runtime;

namespace Scratch.Backends.Gpu;

/// <summary>Sizes of one max-over-samples launch (PSRoIAlignMax when <see cref="BorderAlign"/> is 0, else
/// BorderAlign), passed by value.</summary>
internal struct MaxSampleArgs
{
    public int BorderAlign, C, Cout, H, W, Bins, K, Pool;
}

/// <summary>Detection kernels: PSRoIAlignMax and BorderAlign (max over bilinear samples, arg-max kept for the
/// backward) and the NMS overlap bitmask.</summary>
/// <remarks>
/// The bilinear samples are computed on the host by the host kernels' own code (<c>BilinearSample</c>) and travel as
/// tables: pos [S, 4] of int (the 4 corner offsets in the plane, −1 for a sample outside the map, which reads 0) and
/// wts [S, 4] of T. One thread per output element walks its samples in the host order, keeping the first maximum
/// (strict &gt;); the backward adds grad·wₙ to the 4 corners of the arg-max sample with atomic adds.
/// PSRoIAlignMax: output (k, c, bin) reads input plane (b·C + c·bins + bin) and samples
/// [start + bin·G, start + (bin + 1)·G) with roi [K, 3] of int = (b, start, G). BorderAlign: output (n, c, k, s)
/// reads plane (n·4C + s·C + c) and samples [((n·K + k)·4 + s)·(P + 1), … + P + 1).
/// On CUDA, ptxas may contract the sample's products and sums into FMAs (ILGPU emits mul.f32 / add.f32 without
/// .rn), so values can differ from the host's in the last ulp, and samples within an ulp of each other can trade
/// the arg-max; exact ties (e.g. samples outside the map, reading 0) resolve as on the host.
/// </remarks>
internal static class DetectionGpuKernels
{
    /// <summary>NMS boxes per column tile (one bit each in a 64-bit mask word).</summary>
    public const int NmsTile = 64;

    /// <summary>Decodes output index e into its input plane offset and its run of samples.</summary>
    private static void Locate(long e, MaxSampleArgs a, ArrayView<int> roi, out long src, out int start,
        out int count)
    {
        var plane = (long)a.H * a.W;
        if (a.BorderAlign != 0)
        {
            var s = (int)(e % 4);
            var k = (int)(e / 4 % a.K);
            var c = (int)(e / 4 / a.K % a.C);
            var n = (int)(e / 4 / a.K / a.C);
            src = ((long)n * 4 * a.C + s * a.C + c) * plane;
            count = a.Pool + 1;
            start = ((n * a.K + k) * 4 + s) * count;
            return;
        }
        var bin = (int)(e % a.Bins);
        var co = (int)(e / a.Bins % a.Cout);
        var r = (int)(e / a.Bins / a.Cout);
        src = ((long)roi[3 * r] * a.C + co * a.Bins + bin) * plane;
        count = roi[3 * r + 2];
        start = roi[3 * r + 1] + bin * count;
    }

    public static void MaxForward<T>(Index1D e, ArrayView<T> x, ArrayView<int> pos, ArrayView<T> wts,
        ArrayView<int> roi, ArrayView<T> y, ArrayView<int> arg, MaxSampleArgs a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Locate(e, a, roi, out var src, out var start, out var count);
        var best = T.Zero;
        var where = -1;
        for (var s = 0; s < count; s++)
        {
            var p = 4 * (start + s);
            var v = pos[p] < 0
                ? T.Zero
                : wts[p] * x[src + pos[p]] + wts[p + 1] * x[src + pos[p + 1]] + wts[p + 2] * x[src + pos[p + 2]] +
                  wts[p + 3] * x[src + pos[p + 3]];
            if (where < 0 || v > best)
            {
                best = v;
                where = s;
            }
        }
        y[e] = best;
        arg[e] = where;
    }

    public static void MaxBackwardF32(Index1D e, ArrayView<float> g, ArrayView<int> pos, ArrayView<float> wts,
        ArrayView<int> roi, ArrayView<int> arg, ArrayView<float> dx, MaxSampleArgs a)
    {
        if (arg[e] < 0) return;
        Locate(e, a, roi, out var dst, out var start, out _);
        var p = 4 * (start + arg[e]);
        if (pos[p] < 0) return;
        var gv = g[e];
        for (var q = 0; q < 4; q++) Atomic.Add(ref dx[dst + pos[p + q]], gv * wts[p + q]);
    }

    public static void MaxBackwardF64(Index1D e, ArrayView<double> g, ArrayView<int> pos, ArrayView<double> wts,
        ArrayView<int> roi, ArrayView<int> arg, ArrayView<double> dx, MaxSampleArgs a)
    {
        if (arg[e] < 0) return;
        Locate(e, a, roi, out var dst, out var start, out _);
        var p = 4 * (start + arg[e]);
        if (pos[p] < 0) return;
        var gv = g[e];
        for (var q = 0; q < 4; q++) Atomic.Add(ref dx[dst + pos[p + q]], gv * wts[p + q]);
    }

    /// <summary>NMS overlap bits, as torchvision's CUDA kernel: group (rb, cb) of 64 threads loads column tile cb of
    /// the score-sorted boxes into shared memory; thread t sets bit u of mask[i, cb] (i = 64·rb + t) when box
    /// j = 64·cb + u comes after i, has i's class and IoU(i, j) &gt; thr (IoU in T, compared in double; areas
    /// precomputed on the host as the host kernel does).</summary>
    public static void NmsMask<T>(ArrayView<T> boxes, ArrayView<T> area, ArrayView<long> cls, ArrayView<long> mask,
        int n, int colBlocks, double thr) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var t = Group.IdxX;
        var rb = Grid.IdxX / colBlocks;
        var cb = Grid.IdxX % colBlocks;
        var tile = SharedMemory.Allocate<T>(5 * NmsTile);
        var tileCls = SharedMemory.Allocate<long>(NmsTile);
        var j0 = cb * NmsTile;
        if (j0 + t < n)
        {
            for (var q = 0; q < 4; q++) tile[5 * t + q] = boxes[4 * (j0 + t) + q];
            tile[5 * t + 4] = area[j0 + t];
            tileCls[t] = cls[j0 + t];
        }
        Group.Barrier();
        var i = rb * NmsTile + t;
        if (i >= n) return;
        var bits = 0L;
        if (cb >= rb)
        {
            T x1 = boxes[4 * i], y1 = boxes[4 * i + 1], x2 = boxes[4 * i + 2], y2 = boxes[4 * i + 3], ai = area[i];
            var cols = n - j0 < NmsTile ? n - j0 : NmsTile;
            for (var u = 0; u < cols; u++)
            {
                if (j0 + u <= i || tileCls[u] != cls[i]) continue;
                var w = T.Max(T.Zero, T.Min(x2, tile[5 * u + 2]) - T.Max(x1, tile[5 * u]));
                var h = T.Max(T.Zero, T.Min(y2, tile[5 * u + 3]) - T.Max(y1, tile[5 * u + 1]));
                // max(0, ·) is the identity on w·h ≥ 0; it keeps ptxas from contracting the product into the
                // subtraction below (ILGPU emits mul.f32 / sub.f32 without .rn), so the IoU rounds as on the host.
                var inter = T.Max(T.Zero, w * h);
                if (double.CreateTruncating(inter / (ai + tile[5 * u + 4] - inter)) > thr) bits |= 1L << u;
            }
        }
        mask[(long)i * colBlocks + cb] = bits;
    }
}

public sealed partial class IlgpuBackend
{
    /// <summary>PSRoIAlignMax / BorderAlign forward: y and the int arg-max, one thread per output element.</summary>
    internal void MaxSample<T>(Tensor x, Tensor pos, Tensor wts, Tensor roi, Tensor y, Tensor arg, MaxSampleArgs a,
        string op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (y.Numel == 0) return;
        var k = Kernel("MaxSample", typeof(T), typeof(T), op,
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<T>, ArrayView<int>, ArrayView<T>,
                ArrayView<int>, ArrayView<T>, ArrayView<int>, MaxSampleArgs>(DetectionGpuKernels.MaxForward));
        k(checked((int)y.Numel), Dense<T>(x, op), Dense<int>(pos, op), Dense<T>(wts, op), Dense<int>(roi, op),
            Dense<T>(y, op), Dense<int>(arg, op), a);
    }

    /// <summary>PSRoIAlignMax / BorderAlign backward: scatters contiguous g into the zeroed dx (atomic adds).
    /// </summary>
    internal void MaxSampleBackward(Tensor g, Tensor pos, Tensor wts, Tensor roi, Tensor arg, Tensor dx,
        MaxSampleArgs a, string op)
    {
        if (g.Numel == 0) return;
        var n = checked((int)g.Numel);
        if (g.DType == DType.F32)
            Kernel("MaxSampleBackward", typeof(float), typeof(float), op,
                    acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>,
                        ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<float>, MaxSampleArgs>(
                        DetectionGpuKernels.MaxBackwardF32))
                (n, Dense<float>(g, op), Dense<int>(pos, op), Dense<float>(wts, op), Dense<int>(roi, op),
                    Dense<int>(arg, op), Dense<float>(dx, op), a);
        else
            Kernel("MaxSampleBackward", typeof(double), typeof(double), op,
                    acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<int>,
                        ArrayView<double>, ArrayView<int>, ArrayView<int>, ArrayView<double>, MaxSampleArgs>(
                        DetectionGpuKernels.MaxBackwardF64))
                (n, Dense<double>(g, op), Dense<int>(pos, op), Dense<double>(wts, op), Dense<int>(roi, op),
                    Dense<int>(arg, op), Dense<double>(dx, op), a);
    }

    /// <summary>The NMS overlap bitmask [n, ⌈n/64⌉] (int64 words) of n score-sorted boxes.</summary>
    internal void NmsMask<T>(Tensor boxes, Tensor area, Tensor cls, Tensor mask, int n, double thr, string op)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (n == 0) return;
        var blocks = (n + DetectionGpuKernels.NmsTile - 1) / DetectionGpuKernels.NmsTile;
        var k = Kernel("NmsMask", typeof(T), typeof(T), op,
            acc => acc.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<long>, ArrayView<long>, int, int,
                double>(DetectionGpuKernels.NmsMask));
        k(new KernelConfig(blocks * blocks, DetectionGpuKernels.NmsTile), Dense<T>(boxes, op), Dense<T>(area, op),
            Dense<long>(cls, op), Dense<long>(mask, op), n, blocks, thr);
    }
}
