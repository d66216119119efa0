using Scratch.Backends.Gpu;

namespace Scratch.Ops;

/// <summary>GPU paths of the interpolation kernels: each axis's taps and weights go to the device as tables
/// (see <see cref="InterpGpuKernels"/>).</summary>
internal static class InterpKernelsGpu
{
    private static (Tensor I, Tensor L) Tables(InterpAxis axis, DType dtype, Device device)
    {
        double[] i = [.. axis.I0.Select(v => (double)v), .. axis.I1.Select(v => (double)v)];
        double[] l = [.. axis.L0, .. axis.L1];
        return (Tensor.FromDoubles(i, new Shape(i.Length), DType.I32).To(device),
            Tensor.FromDoubles(l, new Shape(l.Length), dtype).To(device));
    }

    public static Tensor Forward(Tensor x, InterpAxis rows, InterpAxis cols)
    {
        var y = Tensor.Empty(new Shape(x.Size(0), x.Size(1), rows.OutSize, cols.OutSize), x.DType, x.Device);
        var ((ri, rl), (ci, cl)) = (Tables(rows, x.DType, x.Device), Tables(cols, x.DType, x.Device));
        var gpu = GpuRuntime.BackendFor(x.Device);
        var xc = x.Materialize();
        if (x.DType == DType.F32) gpu.Interpolate<float>(xc, ri, rl, ci, cl, y);
        else gpu.Interpolate<double>(xc, ri, rl, ci, cl, y);
        return y;
    }

    public static Tensor Backward(Tensor g, InterpAxis rows, InterpAxis cols, Shape inputShape)
    {
        var gx = Tensor.Empty(inputShape, g.DType, g.Device);
        var ((ri, rl), (ci, cl)) = (Tables(rows, g.DType, g.Device), Tables(cols, g.DType, g.Device));
        GpuRuntime.BackendFor(g.Device).InterpolateBackward(g.Materialize(), ri, rl, ci, cl, gx);
        return gx;
    }
}
