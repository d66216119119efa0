using System.Numerics;

namespace Scratch.Ops;

/// <summary>The input positions each output position of one spatial axis of a 2-D pool reads.</summary>
/// <param name="Taps">Taps[o]: the in-range input indices of window o, in increasing order.</param>
/// <param name="Span">Span[o]: the window length clipped only to the padded input (the count_include_pad
/// divisor factor).</param>
/// <param name="InSize">The input length.</param>
internal sealed record PoolAxis(int[][] Taps, int[] Span, int InSize)
{
    /// <summary>Output length.</summary>
    public int OutSize => Taps.Length;

    /// <summary>The sliding window (kernel, stride, padding, dilation) the taps come from; null for adaptive axes.
    /// Window o then covers o·S − P + i·D for i &lt; K, clipped to the input.</summary>
    public (int K, int S, int P, int D)? Window { get; init; }

    /// <summary>PyTorch's pooling output length: ⌊(in + 2p − d·(k − 1) − 1 (+ s − 1 if ceil)) / s⌋ + 1, minus one in
    /// ceil mode when the last window would start at or past in + p (it must start inside the input or the left
    /// padding).</summary>
    public static int OutLength(int size, int k, int s, int p, int d, bool ceil)
    {
        var num = size + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0);
        var o = (int)Math.Floor((double)num / s) + 1;
        if (ceil && (o - 1) * s >= size + p) o--;
        return o;
    }

    /// <summary>Windows of a strided, padded, dilated pool: taps o·s − p + i·d for i &lt; k that fall inside the input;
    /// Span[o] = min(o·s − p + k, in + p) − (o·s − p) (used by average pooling, where d = 1).</summary>
    public static PoolAxis Sliding(int size, int outSize, int k, int s, int p, int d)
    {
        var taps = new int[outSize][];
        var span = new int[outSize];
        for (var o = 0; o < outSize; o++)
        {
            var start = o * s - p;
            var list = new List<int>(k);
            for (var i = 0; i < k; i++)
            {
                var t = start + i * d;
                if (t >= 0 && t < size) list.Add(t);
            }
            taps[o] = [.. list];
            span[o] = Math.Min(start + k, size + p) - start;
        }
        return new PoolAxis(taps, span, size) { Window = (k, s, p, d) };
    }

    /// <summary>Adaptive windows [⌊o·in/out⌋, ⌈(o+1)·in/out⌉).</summary>
    public static PoolAxis Adaptive(int size, int outSize)
    {
        var taps = new int[outSize][];
        var span = new int[outSize];
        for (var o = 0; o < outSize; o++)
        {
            var start = (int)((long)o * size / outSize);
            var end = (int)(((long)(o + 1) * size + outSize - 1) / outSize);
            taps[o] = Enumerable.Range(start, end - start).ToArray();
            span[o] = end - start;
        }
        return new PoolAxis(taps, span, size);
    }
}

/// <summary>Max and average pooling kernels over [planes, H, W] contiguous host tensors given per-axis windows.
/// Reference tensors run plane by plane on one thread; Cpu tensors split planes across cores.</summary>
internal static class PoolKernels
{
    private static void Planes(Tensor t, int planes, long work, Action<int> body)
    {
        if (t.Device.Kind != DeviceKind.Reference && planes > 1 && work >= 1 << 15) Parallel.For(0, planes, body);
        else for (var p = 0; p < planes; p++) body(p);
    }

    /// <summary>Window maxima and their flat indices h·W + w within the plane; NaN wins (as in PyTorch), ties keep
    /// the first.</summary>
    public static (Tensor Values, Tensor Indices) MaxForward(Tensor x, PoolAxis rows, PoolAxis cols)
    {
        if (!x.Device.IsHost) return PoolKernelsGpu.MaxForward(x, rows, cols);
        int n = x.Size(0), c = x.Size(1);
        var y = Tensor.Uninitialized(new Shape(n, c, rows.OutSize, cols.OutSize), x.DType, x.Device);
        var idx = Tensor.Uninitialized(y.Shape, DType.I64, x.Device);
        var xc = x.Materialize();
        if (x.Device.Kind == DeviceKind.Cpu)
        {
            if (x.DType == DType.F32) PoolKernelsCpu.MaxForward(xc.HostArray<float>(), (int)xc.Offset,
                y.HostArray<float>(), idx.HostArray<long>(), rows, cols, n * c);
            else PoolKernelsCpu.MaxForward(xc.HostArray<double>(), (int)xc.Offset, y.HostArray<double>(),
                idx.HostArray<long>(), rows, cols, n * c);
            return (y, idx);
        }
        if (x.DType == DType.F32) MaxForward(xc, xc.HostArray<float>(), y.HostArray<float>(), idx.HostArray<long>(),
            rows, cols, n * c);
        else MaxForward(xc, xc.HostArray<double>(), y.HostArray<double>(), idx.HostArray<long>(), rows, cols, n * c);
        return (y, idx);
    }

    private static void MaxForward<T>(Tensor x, T[] xa, T[] y, long[] idx, PoolAxis rows, PoolAxis cols, int planes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int inPlane = rows.InSize * cols.InSize, outPlane = rows.OutSize * cols.OutSize, w = cols.InSize;
        var xo = (int)x.Offset;
        Planes(x, planes, (long)planes * inPlane, p =>
        {
            var src = xo + p * inPlane;
            for (var oh = 0; oh < rows.OutSize; oh++)
            for (var ow = 0; ow < cols.OutSize; ow++)
            {
                var best = T.NegativeInfinity;
                var hit = rows.Taps[oh].Length > 0 && cols.Taps[ow].Length > 0;
                var at = hit ? rows.Taps[oh][0] * w + cols.Taps[ow][0] : -1;
                foreach (var ih in rows.Taps[oh])
                foreach (var iw in cols.Taps[ow])
                {
                    var v = xa[src + ih * w + iw];
                    if (v > best || T.IsNaN(v))
                    {
                        best = v;
                        at = ih * w + iw;
                    }
                }
                var o = p * outPlane + oh * cols.OutSize + ow;
                y[o] = best;
                idx[o] = at;
            }
        });
    }

    /// <summary>gx[plane, idx] += g: the gradient goes to each window's arg-max.</summary>
    public static Tensor MaxBackward(Tensor g, Tensor indices, Shape inputShape)
    {
        if (!g.Device.IsHost) return PoolKernelsGpu.MaxBackward(g, indices, inputShape);
        var gx = Tensor.Empty(inputShape, g.DType, g.Device);
        var gc = g.Materialize();
        int planes = inputShape[0] * inputShape[1], inPlane = inputShape[2] * inputShape[3];
        var outPlane = g.Size(2) * g.Size(3);
        var ia = indices.HostArray<long>();
        if (g.DType == DType.F32) Scatter(gc.HostArray<float>(), (int)gc.Offset, gx.HostArray<float>());
        else Scatter(gc.HostArray<double>(), (int)gc.Offset, gx.HostArray<double>());
        return gx;

        void Scatter<T>(T[] ga, int go, T[] dst) where T : unmanaged, IFloatingPointIeee754<T> =>
            Planes(g, planes, (long)planes * outPlane, p =>
            {
                for (var o = 0; o < outPlane; o++)
                {
                    var at = ia[p * outPlane + o];
                    if (at >= 0) dst[p * inPlane + at] += ga[go + p * outPlane + o];
                }
            });
    }

    /// <summary>y = Σ window / divisor[oh·OW + ow]; an empty window gives 0.</summary>
    public static Tensor AvgForward(Tensor x, PoolAxis rows, PoolAxis cols, double[] divisor)
    {
        if (!x.Device.IsHost) return PoolKernelsGpu.AvgForward(x, rows, cols, divisor);
        int n = x.Size(0), c = x.Size(1);
        var y = Tensor.Empty(new Shape(n, c, rows.OutSize, cols.OutSize), x.DType, x.Device);
        var xc = x.Materialize();
        if (x.DType == DType.F32) Avg(xc, xc.HostArray<float>(), y.HostArray<float>(), rows, cols, divisor, n * c,
            false);
        else Avg(xc, xc.HostArray<double>(), y.HostArray<double>(), rows, cols, divisor, n * c, false);
        return y;
    }

    /// <summary>gx[window] += g / divisor, the adjoint of <see cref="AvgForward"/>.</summary>
    public static Tensor AvgBackward(Tensor g, PoolAxis rows, PoolAxis cols, double[] divisor, Shape inputShape)
    {
        if (!g.Device.IsHost) return PoolKernelsGpu.AvgBackward(g, rows, cols, divisor, inputShape);
        var gx = Tensor.Empty(inputShape, g.DType, g.Device);
        var gc = g.Materialize();
        var planes = inputShape[0] * inputShape[1];
        if (g.DType == DType.F32) Avg(gc, gc.HostArray<float>(), gx.HostArray<float>(), rows, cols, divisor, planes,
            true);
        else Avg(gc, gc.HostArray<double>(), gx.HostArray<double>(), rows, cols, divisor, planes, true);
        return gx;
    }

    private static void Avg<T>(Tensor src, T[] a, T[] b, PoolAxis rows, PoolAxis cols, double[] divisor, int planes,
        bool backward)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int inPlane = rows.InSize * cols.InSize, outPlane = rows.OutSize * cols.OutSize, w = cols.InSize;
        var so = (int)src.Offset;
        Planes(src, planes, (long)planes * inPlane, p =>
        {
            for (var oh = 0; oh < rows.OutSize; oh++)
            for (var ow = 0; ow < cols.OutSize; ow++)
            {
                var o = oh * cols.OutSize + ow;
                var inv = T.CreateChecked(divisor[o]);
                if (backward)
                {
                    var d = a[so + p * outPlane + o] / inv;
                    foreach (var ih in rows.Taps[oh])
                    foreach (var iw in cols.Taps[ow])
                        b[p * inPlane + ih * w + iw] += d;
                    continue;
                }
                var s = T.Zero;
                foreach (var ih in rows.Taps[oh])
                foreach (var iw in cols.Taps[ow])
                    s += a[so + p * inPlane + ih * w + iw];
                b[p * outPlane + o] = rows.Taps[oh].Length == 0 || cols.Taps[ow].Length == 0 ? T.Zero : s / inv;
            }
        });
    }
}
