using FsCheck;
using FsCheck.Fluent;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Detection;

public class RotatedIouTests
{
    public static class Arbs
    {
        public static Arbitrary<BoxCase> Cases() => DetectionArbs.Boxes();
    }

    /// <summary>Random rotated boxes [n, 5]: centres in [0, 6)², sizes in [0.5, 4.5), yaw in [−π, π).</summary>
    private static Tensor RandomRotated(int n, ulong seed, DType dtype = DType.F64)
    {
        var g = new Generator(seed);
        var v = new double[5 * n];
        for (var i = 0; i < n; i++)
        {
            v[5 * i] = 6 * g.NextDouble();
            v[5 * i + 1] = 6 * g.NextDouble();
            v[5 * i + 2] = 0.5 + 4 * g.NextDouble();
            v[5 * i + 3] = 0.5 + 4 * g.NextDouble();
            v[5 * i + 4] = Math.PI * (2 * g.NextDouble() - 1);
        }
        return Tensor.FromDoubles(v, new Shape(n, 5), dtype);
    }

    /// <summary>Independent estimate: the intersection length of each horizontal scanline with the two rectangles
    /// (each rectangle's x-interval on the line computed from its 4 half-planes), integrated over y with the midpoint
    /// rule on <paramref name="rows"/> lines.</summary>
    private static double ScanlineIou(double[] a, double[] b, int rows = 20000)
    {
        (double Lo, double Hi) Interval(double[] r, double y)
        {
            var (cx, cy, hw, hl, yaw) = (r[0], r[1], r[2] / 2, r[3] / 2, r[4]);
            var (c, s) = (Math.Cos(yaw), Math.Sin(yaw));
            // Local coordinates along the line: u(x) = (x − cx)·c + (y − cy)·s, v(x) = −(x − cx)·s + (y − cy)·c;
            // need |u| ≤ hw and |v| ≤ hl, each a linear constraint in x.
            var (lo, hi) = (double.NegativeInfinity, double.PositiveInfinity);
            void Bound(double slope, double at0, double limit)
            {
                if (Math.Abs(slope) < 1e-15)
                {
                    if (Math.Abs(at0) > limit) (lo, hi) = (1, 0);
                    return;
                }
                var (x1, x2) = ((-limit - at0) / slope, (limit - at0) / slope);
                lo = Math.Max(lo, Math.Min(x1, x2));
                hi = Math.Min(hi, Math.Max(x1, x2));
            }
            Bound(c, -cx * c + (y - cy) * s, hw);
            Bound(-s, cx * s + (y - cy) * c, hl);
            return (lo, hi);
        }
        var reach = Math.Sqrt(a[2] * a[2] + a[3] * a[3]) / 2 + Math.Sqrt(b[2] * b[2] + b[3] * b[3]) / 2;
        var (y0, y1) = (Math.Min(a[1], b[1]) - reach, Math.Max(a[1], b[1]) + reach);
        var dy = (y1 - y0) / rows;
        var inter = 0.0;
        for (var i = 0; i < rows; i++)
        {
            var y = y0 + (i + 0.5) * dy;
            var (p, q) = (Interval(a, y), Interval(b, y));
            inter += Math.Max(0, Math.Min(p.Hi, q.Hi) - Math.Max(p.Lo, q.Lo)) * dy;
        }
        return inter / (a[2] * a[3] + b[2] * b[3] - inter);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Matches_a_fine_scanline_estimate(BoxCase c)
    {
        var (a, b) = (RandomRotated(Math.Min(c.N, 3), c.Seed), RandomRotated(Math.Min(c.M, 3), c.Seed + 1));
        var iou = F.RotatedBoxIou(a, b).ToDoubleArray();
        var (av, bv) = (a.ToDoubleArray(), b.ToDoubleArray());
        var m = b.Shape[0];
        for (var i = 0; i < a.Shape[0]; i++)
            for (var j = 0; j < m; j++)
                Assert.True(Math.Abs(ScanlineIou(av[(5 * i)..(5 * i + 5)], bv[(5 * j)..(5 * j + 5)]) - iou[i * m + j]) < 1e-4,
                    $"pair ({i}, {j}): {iou[i * m + j]}");
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Is_symmetric_in_range_and_one_on_the_diagonal(BoxCase c)
    {
        var (a, b) = (RandomRotated(c.N, c.Seed), RandomRotated(c.M, c.Seed + 1));
        Verify.Close(F.RotatedBoxIou(a, b).Transpose(0, 1).Contiguous(), F.RotatedBoxIou(b, a), 1e-12, 0);
        Assert.All(F.RotatedBoxIou(a, b).ToDoubleArray(), v => Assert.InRange(v, 0, 1 + 1e-12));
        var self = F.RotatedBoxIou(a, a).ToDoubleArray();
        for (var i = 0; i < c.N; i++) Assert.Equal(1, self[i * c.N + i], 12);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Equals_axis_aligned_iou_at_yaw_zero_and_swaps_sides_at_a_quarter_turn(BoxCase c)
    {
        var (a, b) = (DetectionArbs.RandomBoxes(c.N, c.Seed), DetectionArbs.RandomBoxes(c.M, c.Seed + 1));
        Tensor Rotated(Tensor xyxy, double yaw, bool swap)
        {
            var cw = F.BoxConvert(xyxy, BoxFormat.Xyxy, BoxFormat.Cxcywh);
            var (w, h) = (cw.Select(1, 2), cw.Select(1, 3));
            return F.Stack([cw.Select(1, 0), cw.Select(1, 1), swap ? h : w, swap ? w : h,
                Tensor.Zeros(new Shape(xyxy.Shape[0]), DType.F64) + yaw], 1);
        }
        var expected = F.BoxIou(a, b);
        Verify.Close(expected, F.RotatedBoxIou(Rotated(a, 0, false), Rotated(b, 0, false)), 1e-12, 1e-12);
        Verify.Close(expected, F.RotatedBoxIou(Rotated(a, Math.PI / 2, true), Rotated(b, -Math.PI / 2, true)), 1e-12,
            1e-12);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Cpu_matches_reference(BoxCase c)
    {
        var (a, b) = (RandomRotated(c.N, c.Seed), RandomRotated(c.M, c.Seed + 1));
        Verify.SameOnBackends(t => F.RotatedBoxIou(t[0], t[1]), [a, b], 0, 0);
        var s = Values.Uniform(new Shape(c.N), c.Seed, DType.F64, 0, 1);
        Assert.Equal(F.RotatedNms(a, s, 0.2).ToDoubleArray(),
            F.RotatedNms(a.To(Device.Reference), s.To(Device.Reference), 0.2).ToDoubleArray());
    }

    [Fact]
    public void Hand_computed_cases()
    {
        // Unit squares at the same centre, one turned by 45°: the intersection is a regular octagon of area
        // 2(√2 − 1), so IoU = 2(√2 − 1) / (2 − 2(√2 − 1)) = 1/√2.
        var a = Tensor.FromDoubles([0, 0, 1, 1, 0, 3, 0, 2, 2, 0.3], new Shape(2, 5), DType.F64);
        var b = Tensor.FromDoubles([0, 0, 1, 1, Math.PI / 4, 4, 0, 2, 2, 0.3, 50, 50, 1, 1, 0], new Shape(3, 5),
            DType.F64);
        foreach (var device in new[] { Device.Cpu, Device.Reference })
        {
            var iou = F.RotatedBoxIou(a.To(device), b.To(device));
            // Row 1, col 1: equal 2×2 squares turned by 0.3 whose centres differ by 1 along x. In the squares' frame
            // the offset is (cos 0.3, −sin 0.3), so the overlap is (2 − cos 0.3)(2 − sin 0.3).
            var (ox, oy) = (Math.Cos(0.3), Math.Sin(0.3));
            var inter = (2 - ox) * (2 - oy);
            Verify.Values(iou, new Shape(2, 3), [1 / Math.Sqrt(2), 0, 0, 0, inter / (8 - inter), 0], 1e-12);
        }
    }

    [Fact]
    public void Rotated_nms_suppresses_overlaps_by_score()
    {
        // Boxes 0 and 1 overlap with IoU 1/√2 (the 45° pair above); box 2 is far away; box 3 duplicates box 2.
        var boxes = Tensor.FromDoubles([0, 0, 1, 1, 0, 0, 0, 1, 1, Math.PI / 4, 10, 10, 2, 1, 1, 10, 10, 2, 1, 1],
            new Shape(4, 5), DType.F64);
        var scores = Tensor.FromDoubles([0.5, 0.9, 0.3, 0.3], new Shape(4), DType.F64);
        Assert.Equal(new double[] { 1, 2 }, F.RotatedNms(boxes, scores, 0.5).ToDoubleArray());
        Assert.Equal(new double[] { 1, 0, 2 }, F.RotatedNms(boxes, scores, 0.75).ToDoubleArray());
        Assert.Equal(DType.I64, F.RotatedNms(boxes, scores, 0.5).DType);
        Assert.Equal(0, F.RotatedNms(Tensor.Zeros(new Shape(0, 5), DType.F64), Tensor.Zeros(new Shape(0), DType.F64),
            0.5).Shape[0]);
    }

    [Fact]
    public void Bad_inputs_name_the_argument()
    {
        var a = Tensor.Zeros(new Shape(2, 5), DType.F64);
        Assert.Contains("b", Assert.Throws<ShapeMismatchException>(
            () => F.RotatedBoxIou(a, Tensor.Zeros(new Shape(2, 4), DType.F64))).Message);
        Assert.Contains("a", Assert.Throws<ShapeMismatchException>(
            () => F.RotatedBoxIou(Tensor.Zeros(new Shape(5), DType.F64), a)).Message);
        Assert.Throws<DTypeMismatchException>(() => F.RotatedBoxIou(a, Tensor.Zeros(new Shape(2, 5))));
        Assert.Contains("scores", Assert.Throws<ShapeMismatchException>(
            () => F.RotatedNms(a, Tensor.Zeros(new Shape(3), DType.F64), 0.5)).Message);
    }
}
