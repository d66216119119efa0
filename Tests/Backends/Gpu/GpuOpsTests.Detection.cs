using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Backends.Gpu;

public abstract partial class GpuOpsTests
{
    private static Tensor RandomRois(Random r, int k, int n, int h, int w, DType dtype)
    {
        var boxes = new double[5 * k];
        for (var i = 0; i < k; i++)
        {
            double x1 = r.NextDouble() * (w + 2) - 1.5, y1 = r.NextDouble() * (h + 2) - 1.5;
            (boxes[5 * i], boxes[5 * i + 1], boxes[5 * i + 2]) = (r.Next(n), x1, y1);
            (boxes[5 * i + 3], boxes[5 * i + 4]) = (x1 + r.NextDouble() * w, y1 + r.NextDouble() * h);
        }
        return Tensor.FromDoubles(boxes, new Shape(k, 5), dtype);
    }

    [GpuFact]
    public void PSRoIAlignMaxMatchesReference()
    {
        var r = new Random(82);
        for (var c = 0; c < 8; c++)
        {
            var dtype = new[] { DType.F32, DType.F64 }[c % 2];
            var (atol, rtol) = dtype == DType.F32 ? (1e-4, 1e-4) : Tol(dtype);
            int n = r.Next(1, 3), ch = 4 * r.Next(1, 3), h = r.Next(1, 6), w = r.Next(1, 6), k = r.Next(1, 4);
            if (c == 0) (h, w) = (4, 4);
            // Case 0 is zero inside a 4×4 map: every sample ties exactly, so the first one must win on both sides.
            var x = c == 0
                ? Tensor.Zeros(new Shape(n, ch, h, w), dtype)
                : Values.Uniform(new Shape(n, ch, h, w), (ulong)c, dtype, -2, 2);
            var rois = c == 0
                ? Tensor.FromDoubles([0, 0.2, 0.3, 3.1, 2.9], new Shape(1, 5), dtype)
                : RandomRois(r, k, n, h, w, dtype);
            var (ratio, aligned) = (r.Next(-1, 3), c % 3 == 0);
            if (c == 0) ratio = 2; // 2×2 samples per bin, so there is a tie to break
            SameWithGrads(t => F.PSRoIAlignMax(t[0], t[1].Detach(), 2, 0.9, ratio, aligned), [x, rois], atol, rtol,
                $"ps_roi_align_max case {c} x {x.Shape} rois {k} ratio {ratio} aligned {aligned} {dtype}");
        }
    }

    [GpuFact]
    public void BorderAlignMatchesReference()
    {
        var r = new Random(83);
        for (var c = 0; c < 8; c++)
        {
            var dtype = new[] { DType.F32, DType.F64 }[c % 2];
            var (atol, rtol) = dtype == DType.F32 ? (1e-4, 1e-4) : Tol(dtype);
            int n = r.Next(1, 3), ch = 4 * r.Next(1, 3), h = r.Next(1, 5), w = r.Next(1, 5), k = r.Next(1, 4);
            // Case 0 is zero: the P + 1 samples of every side tie exactly; the first must win.
            var x = c == 0
                ? Tensor.Zeros(new Shape(n, ch, h, w), dtype)
                : Values.Uniform(new Shape(n, ch, h, w), (ulong)c, dtype, -2, 2);
            var b = new double[n * k * 4];
            for (var i = 0; i < b.Length; i++) b[i] = r.NextDouble() * ((i % 2 == 0 ? w : h) + 2) - 1.5;
            var boxes = Tensor.FromDoubles(b, new Shape(n, k, 4), dtype);
            var pool = r.Next(1, 5);
            SameWithGrads(t => F.BorderAlign(t[0], t[1].Detach(), pool), [x, boxes], atol, rtol,
                $"border_align case {c} x {x.Shape} boxes {k} pool {pool} {dtype}");
        }
    }

    [GpuFact]
    public void NmsAndBatchedNmsMatchReference()
    {
        var r = new Random(84);
        // Up to 150 boxes: the bitmask spans three 64-box tiles.
        foreach (var (k, c) in new[] { (0, 0), (1, 1), (7, 2), (65, 3), (150, 4) })
        {
            var dtype = new[] { DType.F32, DType.F64 }[c % 2];
            var b = new double[4 * k];
            var s = new double[k];
            var cls = new long[k];
            for (var i = 0; i < k; i++)
            {
                double x1 = r.NextDouble() * 20, y1 = r.NextDouble() * 20;
                (b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]) =
                    (x1, y1, x1 + 1 + r.NextDouble() * 8, y1 + 1 + r.NextDouble() * 8);
                // Repeated scores and repeated boxes: ties keep the lower index first; IoU 1 suppresses.
                s[i] = r.Next(8) / 8.0;
                if (i % 9 == 8) (b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]) =
                    (b[4 * i - 4], b[4 * i - 3], b[4 * i - 2], b[4 * i - 1]);
                cls[i] = r.Next(3);
            }
            var boxes = Tensor.FromDoubles(b, new Shape(k, 4), dtype);
            var scores = Tensor.FromDoubles(s, new Shape(k), dtype);
            var classes = Tensor.From(cls);
            foreach (var thr in new[] { 0.0, 0.3, 0.7 })
            {
                var expected = F.Nms(boxes.To(Device.Reference), scores.To(Device.Reference), thr);
                var actual = F.Nms(boxes.To(Device), scores.To(Device), thr);
                Assert.Equal(Device, actual.Device);
                Assert.Equal(DType.I64, actual.DType);
                Assert.Equal(expected.ToArray<long>(), actual.ToArray<long>());
                var expectedB = F.BatchedNms(boxes.To(Device.Reference), scores.To(Device.Reference),
                    classes.To(Device.Reference), thr);
                var actualB = F.BatchedNms(boxes.To(Device), scores.To(Device), classes.To(Device), thr);
                Assert.Equal(Device, actualB.Device);
                Assert.Equal(expectedB.ToArray<long>(), actualB.ToArray<long>());
            }
        }
    }
}
