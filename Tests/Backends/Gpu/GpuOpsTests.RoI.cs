using Scratch.Tests.Properties;

namespace Scratch.Tests.Backends.Gpu;

public abstract partial class GpuOpsTests
{
    [GpuFact]
    public void RoIAlignAndPSRoIAlignMatchReference()
    {
        var r = new Random(81);
        for (var c = 0; c < 10; c++)
        {
            var dtype = new[] { DType.F32, DType.F64 }[c % 2];
            var (atol, rtol) = dtype == DType.F32 ? (1e-4, 1e-4) : Tol(dtype);
            int n = r.Next(1, 3), ch = 4, h = r.Next(2, 6), w = r.Next(2, 6), k = r.Next(1, 4);
            var x = Values.Uniform(new Shape(n, ch, h, w), (ulong)c, dtype, -2, 2);
            var boxes = new double[5 * k];
            for (var i = 0; i < k; i++)
            {
                double x1 = r.NextDouble() * w - 0.5, y1 = r.NextDouble() * h - 0.5;
                (boxes[5 * i], boxes[5 * i + 1], boxes[5 * i + 2]) = (r.Next(n), x1, y1);
                (boxes[5 * i + 3], boxes[5 * i + 4]) = (x1 + r.NextDouble() * w, y1 + r.NextDouble() * h);
            }
            var rois = Tensor.FromDoubles(boxes, new Shape(k, 5), dtype);
            var (ratio, aligned) = (r.Next(-1, 3), c % 3 == 0);
            var what = $"case {c} x {x.Shape} rois {k} ratio {ratio} aligned {aligned} {dtype}";
            SameWithGrads(t => F.RoIAlign(t[0], t[1].Detach(), (2, 2), 0.9, ratio, aligned), [x, rois], atol, rtol,
                "roi_align " + what);
            SameWithGrads(t => F.PSRoIAlign(t[0], t[1].Detach(), 2, 0.9, ratio), [x, rois], atol, rtol,
                "ps_roi_align " + what);
        }
    }
}
