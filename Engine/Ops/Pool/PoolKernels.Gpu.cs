using Scratch.Backends.Gpu;

namespace Scratch.Ops;

/// <summary>GPU paths of the pooling kernels: the per-axis windows go to the device as int tables
/// (see <see cref="PoolGpuKernels"/>), the divisors as a tensor of the input's dtype.</summary>
internal static class PoolKernelsGpu
{
    /// <summary>[O, start[O], count[O], taps...] for one axis, as an I32 tensor on <paramref name="device"/>.</summary>
    private static Tensor Table(PoolAxis axis, Device device)
    {
        var o = axis.OutSize;
        var t = new List<double> { o };
        var at = 1 + 2 * o;
        for (var i = 0; i < o; i++)
        {
            t.Add(at);
            at += axis.Taps[i].Length;
        }
        for (var i = 0; i < o; i++) t.Add(axis.Taps[i].Length);
        foreach (var taps in axis.Taps) t.AddRange(taps.Select(v => (double)v));
        return Tensor.FromDoubles([.. t], new Shape(t.Count), DType.I32).To(device);
    }

    public static (Tensor Values, Tensor Indices) MaxForward(Tensor x, PoolAxis rows, PoolAxis cols)
    {
        int n = x.Size(0), c = x.Size(1);
        var y = Tensor.Empty(new Shape(n, c, rows.OutSize, cols.OutSize), x.DType, x.Device);
        var idx = Tensor.Empty(y.Shape, DType.I64, x.Device);
        var (xc, rt, ct) = (x.Materialize(), Table(rows, x.Device), Table(cols, x.Device));
        var gpu = GpuRuntime.BackendFor(x.Device);
        if (x.DType == DType.F32) gpu.MaxPool<float>(xc, rt, ct, y, idx, "MaxPool2d");
        else gpu.MaxPool<double>(xc, rt, ct, y, idx, "MaxPool2d");
        return (y, idx);
    }

    public static Tensor MaxBackward(Tensor g, Tensor indices, Shape inputShape)
    {
        var gx = Tensor.Empty(inputShape, g.DType, g.Device);
        GpuRuntime.BackendFor(g.Device).MaxPoolBackward(g.Materialize(), indices.Materialize(), gx, "MaxPool2d");
        return gx;
    }

    public static Tensor AvgForward(Tensor x, PoolAxis rows, PoolAxis cols, double[] divisor)
    {
        int n = x.Size(0), c = x.Size(1);
        var y = Tensor.Empty(new Shape(n, c, rows.OutSize, cols.OutSize), x.DType, x.Device);
        var (xc, rt, ct) = (x.Materialize(), Table(rows, x.Device), Table(cols, x.Device));
        var div = Tensor.FromDoubles(divisor, new Shape(divisor.Length), x.DType).To(x.Device);
        var gpu = GpuRuntime.BackendFor(x.Device);
        if (x.DType == DType.F32) gpu.AvgPool<float>(xc, rt, ct, div, y, "AvgPool2d");
        else gpu.AvgPool<double>(xc, rt, ct, div, y, "AvgPool2d");
        return y;
    }

    public static Tensor AvgBackward(Tensor g, PoolAxis rows, PoolAxis cols, double[] divisor, Shape inputShape)
    {
        var gx = Tensor.Empty(inputShape, g.DType, g.Device);
        var div = Tensor.FromDoubles(divisor, new Shape(divisor.Length), g.DType).To(g.Device);
        GpuRuntime.BackendFor(g.Device).AvgPoolBackward(g.Materialize(), Table(rows, g.Device), Table(cols, g.Device),
            div, gx, "AvgPool2d");
        return gx;
    }
}
