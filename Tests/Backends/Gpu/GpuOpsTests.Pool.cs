using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Backends.Gpu;

public abstract partial class GpuOpsTests
{
    [GpuFact]
    public void PoolsAndTheirGradientsMatchReference()
    {
        var r = new Random(41);
        for (var c = 0; c < Cases; c++)
        {
            var dtype = new[] { DType.F32, DType.F64 }[c % 2];
            var (atol, rtol) = Tol(dtype);
            int n = r.Next(1, 3), ch = r.Next(1, 3), k = r.Next(1, 4), s = r.Next(1, 3), p = r.Next(0, k / 2 + 1);
            int h = k + r.Next(0, 4), w = k + r.Next(0, 4);
            var x = Values.Uniform(new Shape(n, ch, h, w), (ulong)c, dtype, -2, 2);
            var what = $"case {c} x {x.Shape} k {k} s {s} p {p} {dtype}";
            SameWithGrads(t => F.MaxPool2d(t[0], k, s, p), [x], atol, rtol, "max_pool2d " + what);
            SameWithGrads(t => F.AvgPool2d(t[0], k, s, p), [x], atol, rtol, "avg_pool2d " + what);
            var o = (r.Next(1, h + 1), r.Next(1, w + 1));
            SameWithGrads(t => F.AdaptiveAvgPool2d(t[0], o), [x], atol, rtol, $"adaptive_avg_pool2d {o} " + what);
            SameWithGrads(t => F.AdaptiveMaxPool2d(t[0], o), [x], atol, rtol, $"adaptive_max_pool2d {o} " + what);
        }
    }

    [GpuFact]
    public void MaxPoolIndicesMatchReference()
    {
        var x = Values.Uniform(new Shape(1, 2, 5, 4), 3, DType.F32, -1, 1);
        var (_, expected) = F.MaxPool2dWithIndices(x.To(Device.Reference), 3, 2, 1);
        var (_, actual) = F.MaxPool2dWithIndices(x.To(Device), 3, 2, 1);
        Assert.Equal(expected.ToDoubleArray(), actual.ToDoubleArray());
    }
}
