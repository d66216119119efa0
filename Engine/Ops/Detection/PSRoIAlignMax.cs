using System.Numerics;
using Scratch.Autograd;

namespace Scratch;

public static partial class F
{
    /// <summary>Position-sensitive RoIAlign with max pooling over the samples of each bin, as used by Light-Head
    /// R-CNN and ThunderNet (the average variant is <see cref="PSRoIAlign(Tensor, Tensor, ValueTuple{int, int},
    /// double, int)"/>).</summary>
    /// <remarks>
    /// Channel mapping as the average op: output (k, c, i, j) reads input channel (c·ph + i)·pw + j. For RoI
    /// k = (b, x1, y1, x2, y2), o = ½ when <paramref name="aligned"/> else 0 and s the spatial scale:
    /// sx = x1·s − o, sy = y1·s − o, w = x2·s − o − sx, h = y2·s − o − sy; without alignment (the Light-Head
    /// kernel's convention) w and h are clamped to ≥ 0. Bin (i, j) holds a gy × gx grid (gy = samplingRatio, or
    /// ⌈h/ph⌉ when samplingRatio ≤ 0; Light-Head and ThunderNet use 2) of samples at
    /// y = sy + i·h/ph + (iy + ½)·h/(ph·gy), x likewise, and out[k, c, i, j] = max over the grid of
    /// bilinear(input[b, (c·ph + i)·pw + j], y, x), scanning iy then ix and keeping the first maximum (strict &gt;).
    /// Bilinear rules as RoIAlign (detectron clamp; samples outside [−1, H] × [−1, W] read 0 and take part in the
    /// max). A bin with no samples (adaptive grid of a RoI of size ≤ 0) gives 0 and no gradient. Light-Head's TF
    /// kernel double-counts pixels at integer coordinates and reads 0 for out-of-map corners; ThunderNet's kernel
    /// adds 1 to x2, y2 and clamps sizes to 0.1: neither quirk is copied (pass x2 + 1, y2 + 1 to get the latter's
    /// geometry). Backward: grad·wₙ to the 4 bilinear neighbours of the arg-max sample (kept from the forward);
    /// RoIs get no gradient. Reference runs plain loops; Cpu runs in parallel over RoIs forward and over input
    /// channels backward; GPU devices run one thread per output (host-computed sample tables, atomic-add backward).
    /// </remarks>
    /// <param name="input">Features [N, C, H, W] with C divisible by ph·pw (float32 or float64).</param>
    /// <param name="rois">[K, 5] rows (batch index, x1, y1, x2, y2), input's dtype and device.</param>
    /// <param name="outputSize">(ph, pw) ≥ 1.</param>
    /// <param name="spatialScale">Factor from image to feature coordinates (1/16 in both papers).</param>
    /// <param name="samplingRatio">Samples per bin along each axis; ≤ 0 for adaptive.</param>
    /// <param name="aligned">Shift coordinates by −½ pixel; false (no shift, sizes ≥ 0) is the Light-Head form.
    /// </param>
    /// <returns>[K, C/(ph·pw), ph, pw].</returns>
    /// <exception cref="ShapeMismatchException">input is not 4-D, rois is not [K, 5], or C is not divisible by ph·pw.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">outputSize is not positive, spatialScale is not finite, or a
    /// batch index is outside [0, N).</exception>
    public static Tensor PSRoIAlignMax(Tensor input, Tensor rois, (int Height, int Width) outputSize,
        double spatialScale = 1.0, int samplingRatio = 2, bool aligned = false)
    {
        const string op = "PSRoIAlignMax";
        var batch = CheckRoiArgs(input, rois, outputSize, spatialScale, op);
        var (ph, pw) = outputSize;
        if (input.Shape[1] % (ph * pw) != 0)
            throw new ShapeMismatchException(op, "input",
                $"[N, C, H, W] with C divisible by {ph}·{pw} = {ph * pw}", input.Shape.ToString());
        var kernel = new PSRoIAlignMaxKernel(input.Shape.ToArray(), batch, ph, pw, spatialScale, samplingRatio,
            aligned, input.Device.Kind == DeviceKind.Cpu);
        var x = input.Detach().Materialize();
        var r = rois.Detach().Materialize();
        var y = Tensor.Empty(new Shape(rois.Shape[0], input.Shape[1] / (ph * pw), ph, pw), input.DType, input.Device);
        if (!input.Device.IsHost)
        {
            var arg = input.DType == DType.F32 ? kernel.GpuForward<float>(x, r, y) : kernel.GpuForward<double>(x, r, y);
            if (!Graph.NeedsGrad(input)) return y;
            return Graph.Record(y, op, [input, rois], g =>
            {
                var gc = g.Materialize();
                var dx = Tensor.Empty(input.Shape, input.DType, input.Device);
                if (input.DType == DType.F32) kernel.GpuBackward<float>(gc, r, arg, dx);
                else kernel.GpuBackward<double>(gc, r, arg, dx);
                return [dx, null];
            });
        }
        var argmax = new int[y.Shape.Numel];
        if (input.DType == DType.F32) kernel.Forward<float>(x, r, y, argmax);
        else kernel.Forward<double>(x, r, y, argmax);
        if (!Graph.NeedsGrad(input)) return y;
        return Graph.Record(y, op, [input, rois], g =>
        {
            var gc = g.Materialize();
            var dx = Tensor.Empty(input.Shape, input.DType, input.Device);
            if (input.DType == DType.F32) kernel.Backward<float>(gc, r, argmax, dx);
            else kernel.Backward<double>(gc, r, argmax, dx);
            return [dx, null];
        });
    }

    /// <summary>PSRoIAlignMax with a square output size.</summary>
    public static Tensor PSRoIAlignMax(Tensor input, Tensor rois, int outputSize, double spatialScale = 1.0,
        int samplingRatio = 2, bool aligned = false) =>
        PSRoIAlignMax(input, rois, (outputSize, outputSize), spatialScale, samplingRatio, aligned);
}

/// <summary>PSRoIAlignMax kernels; the arg-max of output element e is the row-major sample index iy·gx + ix, or −1
/// for an empty grid.</summary>
internal sealed partial class PSRoIAlignMaxKernel(int[] inputShape, int[] batch, int ph, int pw, double scale, int ratio,
    bool aligned, bool fast)
{
    private readonly int _c = inputShape[1];
    private readonly int _cout = inputShape[1] / (ph * pw);
    private readonly int _h = inputShape[2];
    private readonly int _w = inputShape[3];

    /// <summary>(sy, sx, bin h, bin w, gy, gx) of the RoI at r[o..o+5).</summary>
    private (T Sy, T Sx, T Bh, T Bw, int Gy, int Gx) Roi<T>(T[] r, long o) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var off = aligned ? 0.5 : 0.0;
        T Scaled(long i) => T.CreateChecked(double.CreateChecked(r[i]) * scale - off);
        var (sx, sy) = (Scaled(o + 1), Scaled(o + 2));
        var rw = Scaled(o + 3) - sx;
        var rh = Scaled(o + 4) - sy;
        if (!aligned)
        {
            rw = T.Max(rw, T.Zero);
            rh = T.Max(rh, T.Zero);
        }
        var gy = ratio > 0 ? ratio : Math.Max(int.CreateSaturating(T.Ceiling(rh / T.CreateChecked(ph))), 0);
        var gx = ratio > 0 ? ratio : Math.Max(int.CreateSaturating(T.Ceiling(rw / T.CreateChecked(pw))), 0);
        return (sy, sx, rh / T.CreateChecked(ph), rw / T.CreateChecked(pw), gy, gx);
    }

    /// <summary>Sample (iy, ix) of bin (i, j).</summary>
    private BilinearSample<T> Sample<T>((T Sy, T Sx, T Bh, T Bw, int Gy, int Gx) g, int i, int j, int iy, int ix)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var half = T.CreateChecked(0.5);
        var y = g.Sy + T.CreateChecked(i) * g.Bh + (T.CreateChecked(iy) + half) * g.Bh / T.CreateChecked(g.Gy);
        var x = g.Sx + T.CreateChecked(j) * g.Bw + (T.CreateChecked(ix) + half) * g.Bw / T.CreateChecked(g.Gx);
        return BilinearSample<T>.At(y, x, _h, _w);
    }

    private long Plane(int k, int c, int bin) => ((long)batch[k] * _c + c * ph * pw + bin) * _h * _w;

    public void Forward<T>(Tensor input, Tensor rois, Tensor output, int[] argmax)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (x, xo) = (input.HostArray<T>(), input.Offset);
        var (r, ro) = (rois.HostArray<T>(), rois.Offset);
        var y = output.HostArray<T>();
        var bins = ph * pw;
        if (!fast)
        {
            // Naive: every output element walks its grid of samples and keeps the first maximum.
            for (var k = 0; k < batch.Length; k++)
                for (var c = 0; c < _cout; c++)
                    for (var i = 0; i < ph; i++)
                        for (var j = 0; j < pw; j++)
                        {
                            var g = Roi(r, ro + 5L * k);
                            var src = xo + Plane(k, c, i * pw + j);
                            var (best, arg) = (T.Zero, -1);
                            for (var iy = 0; iy < g.Gy; iy++)
                                for (var ix = 0; ix < g.Gx; ix++)
                                {
                                    var v = Sample(g, i, j, iy, ix).Read(x, src);
                                    if (arg < 0 || v > best) (best, arg) = (v, iy * g.Gx + ix);
                                }
                            var e = ((long)k * _cout + c) * bins + i * pw + j;
                            y[e] = best;
                            argmax[e] = arg;
                        }
            return;
        }
        Parallel.For(0, batch.Length, k =>
        {
            var g = Roi(r, ro + 5L * k);
            var grid = g.Gy * g.Gx;
            var samples = new BilinearSample<T>[bins * grid];
            for (var bin = 0; bin < bins; bin++)
                for (var s = 0; s < grid; s++)
                    samples[bin * grid + s] = Sample(g, bin / pw, bin % pw, s / g.Gx, s % g.Gx);
            for (var c = 0; c < _cout; c++)
                for (var bin = 0; bin < bins; bin++)
                {
                    var src = xo + Plane(k, c, bin);
                    var mine = samples.AsSpan(bin * grid, grid);
                    var (best, arg) = (T.Zero, -1);
                    for (var s = 0; s < grid; s++)
                    {
                        var v = mine[s].Read(x, src);
                        if (arg < 0 || v > best) (best, arg) = (v, s);
                    }
                    var e = ((long)k * _cout + c) * bins + bin;
                    y[e] = best;
                    argmax[e] = arg;
                }
        });
    }

    public void Backward<T>(Tensor grad, Tensor rois, int[] argmax, Tensor dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (g, go) = (grad.HostArray<T>(), grad.Offset);
        var (r, ro) = (rois.HostArray<T>(), rois.Offset);
        var d = dx.HostArray<T>();
        var bins = ph * pw;
        // Input channel c·bins + bin receives only from output (c, bin), so channels are independent.
        void Channel(int ch)
        {
            var (c, bin) = (ch / bins, ch % bins);
            for (var k = 0; k < batch.Length; k++)
            {
                var e = ((long)k * _cout + c) * bins + bin;
                var a = argmax[e];
                if (a < 0) continue;
                var geo = Roi(r, ro + 5L * k);
                Sample(geo, bin / pw, bin % pw, a / geo.Gx, a % geo.Gx).Scatter(d, Plane(k, c, bin), g[go + e]);
            }
        }
        if (!fast)
        {
            for (var ch = 0; ch < _c; ch++) Channel(ch);
            return;
        }
        Parallel.For(0, _c, Channel);
    }
}
