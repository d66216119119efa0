using Scratch.Tests.Properties;

namespace Scratch.Tests.Backends.Gpu;

public abstract partial class GpuOpsTests
{
    [GpuFact]
    public void InterpolateAndItsGradientMatchReference()
    {
        var r = new Random(51);
        for (var c = 0; c < Cases; c++)
        {
            var dtype = new[] { DType.F32, DType.F64 }[c % 2];
            var (atol, rtol) = Tol(dtype);
            int n = r.Next(1, 3), ch = r.Next(1, 3), h = r.Next(1, 5), w = r.Next(1, 5);
            var x = Values.Uniform(new Shape(n, ch, h, w), (ulong)c, dtype, -2, 2);
            Size2 size = (r.Next(1, 8), r.Next(1, 8));
            var what = $"case {c} x {x.Shape} size {size} {dtype}";
            SameWithGrads(t => F.Interpolate(t[0], size), [x], atol, rtol, "nearest " + what);
            SameWithGrads(t => F.Interpolate(t[0], size, mode: InterpolateMode.Bilinear), [x], atol, rtol,
                "bilinear " + what);
            SameWithGrads(t => F.Interpolate(t[0], size, mode: InterpolateMode.Bilinear, alignCorners: true), [x],
                atol, rtol, "bilinear align " + what);
            SameWithGrads(t => F.Interpolate(t[0], scaleFactor: 2.0), [x], atol, rtol, "nearest x2 " + what);
        }
    }
}
