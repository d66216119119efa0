using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Backends.Gpu;

public abstract partial class GpuOpsTests
{
    [GpuFact]
    public void GroupNormAndItsGradientsMatchReference()
    {
        var r = new Random(61);
        for (var c = 0; c < Cases; c++)
        {
            var dtype = new[] { DType.F32, DType.F64 }[c % 2];
            var (atol, rtol) = dtype == DType.F32 ? (1e-4, 1e-4) : Tol(dtype);
            int groups = r.Next(1, 3), n = r.Next(1, 3), ch = groups * r.Next(1, 3), h = r.Next(1, 4), w = r.Next(2, 4);
            var x = Values.Uniform(new Shape(n, ch, h, w), (ulong)c, dtype, -2, 2);
            var g = Values.Uniform(new Shape(ch), (ulong)c + 10, dtype, 0.5, 1.5);
            var b = Values.Uniform(new Shape(ch), (ulong)c + 20, dtype, -1, 1);
            SameWithGrads(t => F.GroupNorm(t[0], groups, t[1], t[2]), [x, g, b], atol, rtol,
                $"group_norm case {c} x {x.Shape} G {groups} {dtype}");
        }
    }

    [GpuFact]
    public void BatchNormTrainAndEvalMatchReference()
    {
        var r = new Random(71);
        for (var c = 0; c < 6; c++)
        {
            var dtype = new[] { DType.F32, DType.F64 }[c % 2];
            var (atol, rtol) = dtype == DType.F32 ? (1e-4, 1e-4) : Tol(dtype);
            int n = r.Next(1, 3), ch = r.Next(1, 4), h = r.Next(1, 4), w = r.Next(2, 4);
            var x = Values.Uniform(new Shape(n, ch, h, w), (ulong)c, dtype, -2, 2);
            var g = Values.Uniform(new Shape(ch), (ulong)c + 10, dtype, 0.5, 1.5);
            var b = Values.Uniform(new Shape(ch), (ulong)c + 20, dtype, -1, 1);
            var mean = Values.Uniform(new Shape(ch), (ulong)c + 30, dtype, -1, 1);
            var variance = Values.Uniform(new Shape(ch), (ulong)c + 40, dtype, 0.5, 2);
            var what = $"case {c} x {x.Shape} {dtype}";
            SameWithGrads(t => F.BatchNorm(t[0], null, null, t[1], t[2], training: true), [x, g, b], atol, rtol,
                "batch_norm train " + what);
            SameWithGrads(t => F.BatchNorm(t[0], t[3].Detach(), t[4].Detach(), t[1], t[2]),
                [x, g, b, mean, variance], atol, rtol, "batch_norm eval " + what);
            // Running statistics update on the device as on the host.
            var (rmR, rvR) = (mean.To(Device.Reference), variance.To(Device.Reference));
            var (rmG, rvG) = (mean.To(Device), variance.To(Device));
            F.BatchNorm(x.To(Device.Reference), rmR, rvR, training: true);
            F.BatchNorm(x.To(Device), rmG, rvG, training: true);
            Assert.Equal(Device, rmG.Device);
            Verify.Close(rmR.To(Device.Cpu), rmG.To(Device.Cpu), atol, rtol, "running mean " + what);
            Verify.Close(rvR.To(Device.Cpu), rvG.To(Device.Cpu), atol, rtol, "running var " + what);
        }
    }

    [GpuFact]
    public void LayerAndInstanceNormMatchReference()
    {
        var x = Values.Uniform(new Shape(2, 3, 4), 5, DType.F64, -2, 2);
        var g = Values.Uniform(new Shape(4), 6, DType.F64, 0.5, 1.5);
        var b = Values.Uniform(new Shape(4), 7, DType.F64, -1, 1);
        SameWithGrads(t => F.LayerNorm(t[0], [4], t[1], t[2]), [x, g, b], 1e-12, 1e-10, "layer_norm");
        SameWithGrads(t => F.InstanceNorm(t[0]), [x], 1e-12, 1e-10, "instance_norm");
    }

    [GpuFact]
    public void MixingDevicesRaisesDeviceMismatchNamingTheArgument()
    {
        var x = Values.Uniform(new Shape(1, 1, 4, 4), 8, DType.F32, -1, 1).To(Device);
        var w = Values.Uniform(new Shape(1, 1, 3, 3), 9, DType.F32, -1, 1);
        var e = Assert.Throws<DeviceMismatchException>(() => F.Conv2d(x, w));
        Assert.Contains("weight", e.Message);
    }
}
