using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Scratch;

/// <summary>The RoIAlign and position-sensitive RoIAlign kernels (torchvision 0.14 roi_align_kernel.cpp and
/// ps_roi_align_kernel.cpp semantics), generic over the float type so that float32 rounds as torchvision's float
/// kernels do. Position-sensitive mode reads output (k, c, i, j) from input channel (c·ph + i)·pw + j and divides
/// by gy·gx without the max(·, 1) guard.</summary>
internal sealed partial class RoIAlignGeometry(int[] inputShape, int[] batch, int ph, int pw, double scale, int ratio,
    bool aligned, bool positionSensitive = false)
{
    private readonly int _c = inputShape[1];
    private readonly int _cout = positionSensitive ? inputShape[1] / (ph * pw) : inputShape[1];
    private readonly int _h = inputShape[2];
    private readonly int _w = inputShape[3];

    /// <summary>Start, bin size and grid of one RoI: (sy, sx, bin h, bin w, gy, gx, count).</summary>
    private (T Sy, T Sx, T Bh, T Bw, int Gy, int Gx, T Count) Roi<T>(T[] r, long o)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // As torchvision: coordinate·scale − offset in double (scale is a double there), rounded to T once.
        var off = aligned ? 0.5 : 0.0;
        T Scaled(long i) => T.CreateChecked(double.CreateChecked(r[i]) * scale - off);
        var (sx, sy) = (Scaled(o + 1), Scaled(o + 2));
        var rw = Scaled(o + 3) - sx;
        var rh = Scaled(o + 4) - sy;
        if (!aligned)
        {
            rw = T.Max(rw, T.One);
            rh = T.Max(rh, T.One);
        }
        var bh = rh / T.CreateChecked(ph);
        var bw = rw / T.CreateChecked(pw);
        var gy = ratio > 0 ? ratio : int.CreateSaturating(T.Ceiling(rh / T.CreateChecked(ph)));
        var gx = ratio > 0 ? ratio : int.CreateSaturating(T.Ceiling(rw / T.CreateChecked(pw)));
        return (sy, sx, bh, bw, gy, gx, T.CreateChecked(positionSensitive ? gy * gx : Math.Max(gy * gx, 1)));
    }

    /// <summary>The input channel that output channel c reads in bin (row-major index) bin.</summary>
    private int InChannel(int c, int bin) => positionSensitive ? c * ph * pw + bin : c;

    /// <summary>The sample coordinate start + bin·size + (i + ½)·size/grid.</summary>
    private static T At<T>(T start, int bin, T size, int i, int grid) where T : unmanaged, IFloatingPointIeee754<T> =>
        start + T.CreateChecked(bin) * size +
        (T.CreateChecked(i) + T.CreateChecked(0.5)) * size / T.CreateChecked(grid);

    /// <summary>Bilinear corners and weights of sample (y, x) in this H×W plane (see <see cref="BilinearSample{T}"/>).
    /// </summary>
    private BilinearSample<T> Bilinear<T>(T y, T x) where T : unmanaged, IFloatingPointIeee754<T> =>
        BilinearSample<T>.At(y, x, _h, _w);

    public void Forward<T>(Tensor input, Tensor rois, Tensor output, bool fast)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (x, xo) = (input.HostArray<T>(), input.Offset);
        var (r, ro) = (rois.HostArray<T>(), rois.Offset);
        var y = output.HostArray<T>();
        var plane = (long)_h * _w;
        var outPlane = ph * pw;
        if (!fast)
        {
            for (var k = 0; k < batch.Length; k++)
            {
                var g = Roi(r, ro + 5L * k);
                for (var c = 0; c < _cout; c++)
                    for (var i = 0; i < ph; i++)
                        for (var j = 0; j < pw; j++)
                        {
                            var src = xo + ((long)batch[k] * _c + InChannel(c, i * pw + j)) * plane;
                            var sum = T.Zero;
                            for (var iy = 0; iy < g.Gy; iy++)
                                for (var ix = 0; ix < g.Gx; ix++)
                                {
                                    var b = Bilinear(At(g.Sy, i, g.Bh, iy, g.Gy), At(g.Sx, j, g.Bw, ix, g.Gx));
                                    if (b.P1 < 0) continue;
                                    sum += b.W1 * x[src + b.P1] + b.W2 * x[src + b.P2] + b.W3 * x[src + b.P3] +
                                        b.W4 * x[src + b.P4];
                                }
                            y[((long)k * _cout + c) * outPlane + i * pw + j] = sum / g.Count;
                        }
            }
            return;
        }
        if (plane == 0) return; // an empty map samples nothing: the output stays 0
        Parallel.For(0, batch.Length, k =>
        {
            var (pos, wts, count) = Precompute<T>(r, ro + 5L * k);
            var norm = Roi(r, ro + 5L * k).Count;
            // Offsets were validated when precomputed (each lies in [0, H·W) or is −1), so the loop reads without
            // bounds checks.
            ref var p0 = ref MemoryMarshal.GetArrayDataReference(pos);
            ref var w0 = ref MemoryMarshal.GetArrayDataReference(wts);
            for (var c = 0; c < _cout; c++)
            {
                var dst = y.AsSpan((k * _cout + c) * outPlane, outPlane);
                var n = 0;
                for (var bin = 0; bin < outPlane; bin++)
                {
                    ref var src = ref x[checked((int)(xo + ((long)batch[k] * _c + InChannel(c, bin)) * plane))];
                    var sum = T.Zero;
                    for (var s = 0; s < count; s++, n += 4)
                    {
                        var p1 = Unsafe.Add(ref p0, n);
                        if (p1 < 0) continue;
                        sum += Unsafe.Add(ref w0, n) * Unsafe.Add(ref src, p1) +
                            Unsafe.Add(ref w0, n + 1) * Unsafe.Add(ref src, Unsafe.Add(ref p0, n + 1)) +
                            Unsafe.Add(ref w0, n + 2) * Unsafe.Add(ref src, Unsafe.Add(ref p0, n + 2)) +
                            Unsafe.Add(ref w0, n + 3) * Unsafe.Add(ref src, Unsafe.Add(ref p0, n + 3));
                    }
                    dst[bin] = sum / norm;
                }
            }
        });
    }

    public void Backward<T>(Tensor grad, Tensor rois, Tensor dx, bool fast)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (g, go) = (grad.HostArray<T>(), grad.Offset);
        var (r, ro) = (rois.HostArray<T>(), rois.Offset);
        var d = dx.HostArray<T>();
        var plane = (long)_h * _w;
        var outPlane = ph * pw;
        if (!fast)
        {
            for (var k = 0; k < batch.Length; k++)
            {
                var geo = Roi(r, ro + 5L * k);
                for (var c = 0; c < _cout; c++)
                    for (var i = 0; i < ph; i++)
                        for (var j = 0; j < pw; j++)
                        {
                            var dst = ((long)batch[k] * _c + InChannel(c, i * pw + j)) * plane;
                            var gv = g[go + ((long)k * _cout + c) * outPlane + i * pw + j] / geo.Count;
                            for (var iy = 0; iy < geo.Gy; iy++)
                                for (var ix = 0; ix < geo.Gx; ix++)
                                {
                                    var b = Bilinear(At(geo.Sy, i, geo.Bh, iy, geo.Gy),
                                        At(geo.Sx, j, geo.Bw, ix, geo.Gx));
                                    if (b.P1 < 0) continue;
                                    d[dst + b.P1] += gv * b.W1;
                                    d[dst + b.P2] += gv * b.W2;
                                    d[dst + b.P3] += gv * b.W3;
                                    d[dst + b.P4] += gv * b.W4;
                                }
                        }
            }
            return;
        }
        if (plane == 0) return;
        var pre = new (int[] Pos, T[] Wts, int Count)[batch.Length];
        Parallel.For(0, batch.Length, k => pre[k] = Precompute<T>(r, ro + 5L * k));
        var counts = new T[batch.Length];
        for (var k = 0; k < batch.Length; k++) counts[k] = Roi(r, ro + 5L * k).Count;
        // Output channels write disjoint input planes of dx, so they run in parallel; RoIs run in order within one.
        Parallel.For(0, _cout, c =>
        {
            for (var k = 0; k < batch.Length; k++)
            {
                var (pos, wts, count) = pre[k];
                var gs = g.AsSpan(checked((int)(go + ((long)k * _cout + c) * outPlane)), outPlane);
                var (p, q) = (0, 0);
                for (var bin = 0; bin < outPlane; bin++)
                {
                    var dst = d.AsSpan(checked((int)(((long)batch[k] * _c + InChannel(c, bin)) * plane)), (int)plane);
                    var gv = gs[bin] / counts[k];
                    for (var s = 0; s < count; s++, p += 4, q += 4)
                    {
                        if (pos[p] < 0) continue;
                        dst[pos[p]] += gv * wts[q];
                        dst[pos[p + 1]] += gv * wts[q + 1];
                        dst[pos[p + 2]] += gv * wts[q + 2];
                        dst[pos[p + 3]] += gv * wts[q + 3];
                    }
                }
            }
        });
    }

    /// <summary>torchvision's pre_calc for one RoI: per bin (row-major) and per sample, the 4 plane offsets and the 4
    /// bilinear weights; out-of-range samples get offset −1 (skipped).</summary>
    private (int[] Pos, T[] Wts, int Count) Precompute<T>(T[] r, long o)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = Roi(r, o);
        var count = Math.Max(g.Gy, 0) * Math.Max(g.Gx, 0);
        var pos = new int[4 * ph * pw * count];
        var wts = new T[4 * ph * pw * count];
        var n = 0;
        for (var i = 0; i < ph; i++)
            for (var j = 0; j < pw; j++)
                for (var iy = 0; iy < g.Gy; iy++)
                {
                    var yy = At(g.Sy, i, g.Bh, iy, g.Gy);
                    for (var ix = 0; ix < g.Gx; ix++, n += 4)
                    {
                        var b = Bilinear(yy, At(g.Sx, j, g.Bw, ix, g.Gx));
                        (pos[n], pos[n + 1], pos[n + 2], pos[n + 3]) = (b.P1, b.P2, b.P3, b.P4);
                        (wts[n], wts[n + 1], wts[n + 2], wts[n + 3]) = (b.W1, b.W2, b.W3, b.W4);
                    }
                }
        return (pos, wts, count);
    }
}
