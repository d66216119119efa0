using System.Numerics;
using Scratch.Autograd;

namespace Scratch;

public static partial class F
{
    /// <summary>BorderAlign (BorderDet, Qiu et al. 2020), as cvpods' <c>border_align</c> kernel: max-pooling of
    /// bilinear samples along each of the four borders of a box.</summary>
    /// <remarks>
    /// Channels of <paramref name="input"/> form four blocks of C: [0, C) top, [C, 2C) left, [2C, 3C) bottom,
    /// [3C, 4C) right. For box k = (x1, y1, x2, y2) of image n (feature-map units), w = x2 − x1, h = y2 − y1,
    /// P = poolSize, side s takes the P + 1 samples i = 0..P at
    /// top (x1 + i·w/P, y1) · left (x1, y1 + i·h/P) · bottom (x2 − i·w/P, y2) · right (x2, y2 − i·h/P), and
    /// out[n, c, k, s] = max over i of bilinear(input[n, s·C + c], y, x); the first maximum wins (strict &gt;).
    /// Bilinear rules as <see cref="RoIAlign(Tensor, Tensor, ValueTuple{int, int}, double, int, bool)"/>: samples
    /// outside [−1, H] × [−1, W] read 0, negative coordinates clamp to 0, coordinates at or past the last row/column
    /// read it (as mmcv's port; cvpods' kernel has no bounds handling and relies on BorderDet clamping the boxes to
    /// [0, W − 1] × [0, H − 1], where both agree). The sample position is start + i·step (as mmcv's backward;
    /// cvpods accumulates the step, which can differ in the last ulp). Boxes need not be ordered (w or h may be
    /// negative); cvpods takes (w, h) as a separate input, which BorderDet computes as (x2 − x1, y2 − y1).
    /// Backward: grad·wₙ goes to the 4 bilinear neighbours of the arg-max sample (kept from the forward); boxes get
    /// no gradient. Reference runs plain loops; Cpu precomputes the 4(P + 1) samples per box and runs in parallel
    /// over (n, k) forward and over the 4NC planes backward; GPU devices run one thread per output
    /// (host-computed sample tables, atomic-add backward).
    /// </remarks>
    /// <param name="input">Features [N, 4C, H, W] (float32 or float64).</param>
    /// <param name="boxes">[N, K, 4] (x1, y1, x2, y2) per image, input's dtype and device.</param>
    /// <param name="poolSize">P ≥ 1 (BorderDet uses 10).</param>
    /// <returns>[N, C, K, 4] with the last axis (top, left, bottom, right).</returns>
    /// <exception cref="ShapeMismatchException">input is not 4-D with channels divisible by 4, or boxes is not
    /// [N, K, 4].</exception>
    /// <exception cref="ArgumentOutOfRangeException">poolSize is below 1.</exception>
    public static Tensor BorderAlign(Tensor input, Tensor boxes, int poolSize = 10)
    {
        const string op = "BorderAlign";
        RequireFloating(input, op);
        if (input.Rank != 4 || input.Shape[1] % 4 != 0)
            throw new ShapeMismatchException(op, "input", "[N, 4C, H, W] (channels divisible by 4)",
                input.Shape.ToString());
        RequireSame(input, boxes, op, "boxes");
        if (boxes.Rank != 3 || boxes.Shape[0] != input.Shape[0] || boxes.Shape[2] != 4)
            throw new ShapeMismatchException(op, "boxes", $"[{input.Shape[0]}, K, 4] (x1, y1, x2, y2)",
                boxes.Shape.ToString());
        if (poolSize < 1)
            throw new ArgumentOutOfRangeException(nameof(poolSize), poolSize,
                $"{op}: poolSize expected ≥ 1, got {poolSize}.");
        var kernel = new BorderAlignKernel(input.Shape[0], input.Shape[1] / 4, input.Shape[2], input.Shape[3],
            boxes.Shape[1], poolSize, input.Device.Kind == DeviceKind.Cpu);
        var x = input.Detach().Materialize();
        var b = boxes.Detach().Materialize();
        var y = Tensor.Empty(new Shape(input.Shape[0], input.Shape[1] / 4, boxes.Shape[1], 4), input.DType,
            input.Device);
        if (!input.Device.IsHost)
        {
            var arg = input.DType == DType.F32 ? kernel.GpuForward<float>(x, b, y) : kernel.GpuForward<double>(x, b, y);
            if (!Graph.NeedsGrad(input)) return y;
            return Graph.Record(y, op, [input, boxes], g =>
            {
                var gc = g.Materialize();
                var dx = Tensor.Empty(input.Shape, input.DType, input.Device);
                if (input.DType == DType.F32) kernel.GpuBackward<float>(gc, b, arg, dx);
                else kernel.GpuBackward<double>(gc, b, arg, dx);
                return [dx, null];
            });
        }
        var argmax = new int[y.Shape.Numel];
        if (input.DType == DType.F32) kernel.Forward<float>(x, b, y, argmax);
        else kernel.Forward<double>(x, b, y, argmax);
        if (!Graph.NeedsGrad(input)) return y;
        return Graph.Record(y, op, [input, boxes], g =>
        {
            var gc = g.Materialize();
            var dx = Tensor.Empty(input.Shape, input.DType, input.Device);
            if (input.DType == DType.F32) kernel.Backward<float>(gc, b, argmax, dx);
            else kernel.Backward<double>(gc, b, argmax, dx);
            return [dx, null];
        });
    }
}

/// <summary>BorderAlign kernels for input [N, 4C, H, W], boxes [N, K, 4], output [N, C, K, 4].</summary>
internal sealed partial class BorderAlignKernel(int n, int c, int h, int w, int k, int pool, bool fast)
{
    /// <summary>Sample i of side s of the box at boxes[o..o+4): (y, x).</summary>
    private (T Y, T X) Point<T>(T[] b, long o, int s, int i) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (x1, y1, x2, y2) = (b[o], b[o + 1], b[o + 2], b[o + 3]);
        var p = T.CreateChecked(pool);
        var t = T.CreateChecked(i);
        return s switch
        {
            0 => (y1, x1 + t * ((x2 - x1) / p)),
            1 => (y1 + t * ((y2 - y1) / p), x1),
            2 => (y2, x2 - t * ((x2 - x1) / p)),
            _ => (y2 - t * ((y2 - y1) / p), x2),
        };
    }

    private BilinearSample<T> Sample<T>(T[] b, long o, int s, int i) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (y, x) = Point(b, o, s, i);
        return BilinearSample<T>.At(y, x, h, w);
    }

    public void Forward<T>(Tensor input, Tensor boxes, Tensor output, int[] argmax)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (x, xo) = (input.HostArray<T>(), input.Offset);
        var (b, bo) = (boxes.HostArray<T>(), boxes.Offset);
        var y = output.HostArray<T>();
        var plane = (long)h * w;
        if (!fast)
        {
            // Naive: every (n, c, k, side) walks its P + 1 samples and keeps the first maximum.
            for (var ni = 0; ni < n; ni++)
                for (var ci = 0; ci < c; ci++)
                    for (var ki = 0; ki < k; ki++)
                        for (var s = 0; s < 4; s++)
                        {
                            var src = xo + ((long)ni * 4 * c + s * c + ci) * plane;
                            var box = bo + ((long)ni * k + ki) * 4;
                            var best = Sample(b, box, s, 0).Read(x, src);
                            var arg = 0;
                            for (var i = 1; i <= pool; i++)
                            {
                                var v = Sample(b, box, s, i).Read(x, src);
                                if (v > best)
                                {
                                    best = v;
                                    arg = i;
                                }
                            }
                            var o = (((long)ni * c + ci) * k + ki) * 4 + s;
                            y[o] = best;
                            argmax[o] = arg;
                        }
            return;
        }
        if (plane == 0) return; // every sample reads 0: the output and arg-max stay 0
        ForwardChannelsLast(x, xo, b, bo, y, argmax);
    }

    public void Backward<T>(Tensor grad, Tensor boxes, int[] argmax, Tensor dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (g, go) = (grad.HostArray<T>(), grad.Offset);
        var (b, bo) = (boxes.HostArray<T>(), boxes.Offset);
        var d = dx.HostArray<T>();
        var plane = (long)h * w;
        void Plane(int ni, int s, int ci)
        {
            var dst = ((long)ni * 4 * c + s * c + ci) * plane;
            for (var ki = 0; ki < k; ki++)
            {
                var o = (((long)ni * c + ci) * k + ki) * 4 + s;
                Sample(b, bo + ((long)ni * k + ki) * 4, s, argmax[o]).Scatter(d, dst, g[go + o]);
            }
        }
        if (!fast)
        {
            for (var ni = 0; ni < n; ni++)
                for (var s = 0; s < 4; s++)
                    for (var ci = 0; ci < c; ci++)
                        Plane(ni, s, ci);
            return;
        }
        // The bilinear corners of every sample are computed once; each (n, side, channel) plane of dx is then
        // written by its own task.
        var per = 4 * (pool + 1);
        var table = new BilinearSample<T>[(long)n * k * per];
        Parallel.For(0, n * k, nk =>
        {
            for (var s = 0; s < 4; s++)
                for (var i = 0; i <= pool; i++)
                    table[(long)nk * per + s * (pool + 1) + i] = Sample(b, bo + (long)nk * 4, s, i);
        });
        Parallel.For(0, n * 4 * c, p =>
        {
            var (ni, s, ci) = (p / (4 * c), p / c % 4, p % c);
            var dst = ((long)ni * 4 * c + s * c + ci) * plane;
            var o = ((long)ni * c + ci) * k * 4 + s;
            var at = (long)ni * k * per + s * (pool + 1);
            for (var ki = 0; ki < k; ki++, o += 4, at += per) table[at + argmax[o]].Scatter(d, dst, g[go + o]);
        });
    }
}
