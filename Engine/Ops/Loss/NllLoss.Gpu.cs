using System.Numerics;
using Scratch.Backends.Gpu;

namespace Scratch;

public static partial class F
{
    /// <summary>Row targets for <see cref="LossGpuKernels"/> on <paramref name="device"/>: tᵢ where
    /// <paramref name="take"/>(i), else −1.</summary>
    private static Tensor LossTargetsOnDevice(long[] t, Func<int, bool> take, Device device)
    {
        var ti = new int[t.Length];
        for (var i = 0; i < t.Length; i++) ti[i] = take(i) ? (int)t[i] : -1;
        return Tensor.From(ti, device: device);
    }

    /// <summary>GPU <see cref="NllGather{T}"/>: the kernel gathers logProbs[i, tᵢ]; the picked values come back to
    /// the host, where the loss is formed as on the host path.</summary>
    private static double[] NllGatherGpu<T>(Tensor lp, long[] t, double[] w) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (t.Length == 0) return [];
        var picked = Tensor.Empty(new Shape(t.Length), DType.F64, lp.Device);
        GpuRuntime.BackendFor(lp.Device).LossPick<T>(lp, LossTargetsOnDevice(t, i => w[i] != 0, lp.Device), picked,
            lp.Shape[1], "NllLoss");
        return picked.ToArray<double>();
    }

    /// <summary>GPU <see cref="NllScatter{T}"/>: values (rounded to T on the host) written at [i, tᵢ] by the kernel.
    /// </summary>
    private static void NllScatterGpu<T>(Tensor dx, long[] t, double[] w, double[] values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (t.Length == 0) return;
        var v = values.Select(T.CreateChecked).ToArray();
        GpuRuntime.BackendFor(dx.Device).LossRowScatter<T>(LossTargetsOnDevice(t, i => w[i] != 0, dx.Device),
            Tensor.From(v, device: dx.Device), dx, dx.Shape[1], "NllLoss");
    }
}
