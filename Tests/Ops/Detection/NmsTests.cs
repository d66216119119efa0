using Scratch.Tests.Properties;
using Xunit;
using static Scratch.Tests.Ops.Detection.DetectionArbs;

namespace Scratch.Tests.Ops.Detection;

public class NmsTests
{
    private static readonly double[] Thresholds = [0, 0.3, 0.5, 0.7, 1];

    /// <summary>N random boxes, scores rounded to tenths for even seeds (ties), M classes.</summary>
    private static (Tensor Boxes, Tensor Scores, Tensor Classes) Problem(BoxCase c, DType dtype = DType.F64)
    {
        var boxes = RandomBoxes(c.N, c.Seed, dtype);
        var s = Values.Uniform(new Shape(c.N), c.Seed + 1, DType.F64, 0, 1).ToDoubleArray();
        if (c.Seed % 2 == 0) s = s.Select(v => Math.Round(v, 1)).ToArray();
        var cls = Enumerable.Range(0, c.N).Select(i => (long)((i * 7 + (int)(c.Seed % 5)) % c.M)).ToArray();
        return (boxes, Tensor.FromDoubles(s, new Shape(c.N), dtype), Tensor.From(cls));
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(DetectionArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Kept_boxes_are_sorted_separated_complete_and_idempotent(BoxCase c)
    {
        var (boxes, scores, classes) = Problem(c);
        var s = scores.ToDoubleArray();
        var cls = classes.ToArray<long>();
        var iou = c.N == 0 ? [] : F.BoxIou(boxes, boxes).ToDoubleArray();
        foreach (var thr in Thresholds)
            foreach (var batched in new[] { false, true })
            {
                var keep = (batched ? F.BatchedNms(boxes, scores, classes, thr) : F.Nms(boxes, scores, thr)).ToArray<long>();
                bool Same(long i, long j) => !batched || cls[i] == cls[j];
                Assert.Equal(keep.Length, keep.Distinct().Count());
                Assert.All(keep, i => Assert.InRange(i, 0, c.N - 1));
                for (var q = 1; q < keep.Length; q++)
                    Assert.True(s[keep[q - 1]] > s[keep[q]] || (s[keep[q - 1]] == s[keep[q]] && keep[q - 1] < keep[q]),
                        $"order at {q}");
                foreach (var i in keep)
                    foreach (var j in keep)
                        if (i != j && Same(i, j)) Assert.False(iou[i * c.N + j] > thr, $"kept {i} and {j} overlap");
                // Every dropped box overlaps a kept box of its class that comes before it.
                for (var j = 0L; j < c.N; j++)
                    if (!keep.Contains(j))
                        Assert.Contains(keep, i => Same(i, j) && iou[i * c.N + j] > thr &&
                            (s[i] > s[j] || (s[i] == s[j] && i < j)));
                // NMS of the kept boxes keeps them all.
                var idx = Tensor.From(keep);
                var again = batched
                    ? F.BatchedNms(F.IndexSelect(boxes, 0, idx), F.IndexSelect(scores, 0, idx), F.IndexSelect(classes, 0, idx), thr)
                    : F.Nms(F.IndexSelect(boxes, 0, idx), F.IndexSelect(scores, 0, idx), thr);
                Assert.Equal(Enumerable.Range(0, keep.Length).Select(i => (long)i).ToArray(), again.ToArray<long>());
            }
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(DetectionArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Cpu_matches_the_naive_reference_and_batched_is_the_union_over_classes(BoxCase c)
    {
        foreach (var dtype in new[] { DType.F64, DType.F32 })
        {
            var (boxes, scores, classes) = Problem(c, dtype);
            foreach (var thr in Thresholds)
            {
                var cpu = F.BatchedNms(boxes, scores, classes, thr).ToArray<long>();
                var reference = F.BatchedNms(boxes.To(Device.Reference), scores.To(Device.Reference),
                    classes.To(Device.Reference), thr);
                Assert.Equal(Device.Reference, reference.Device);
                Assert.Equal(cpu, reference.ToArray<long>());
                Assert.Equal(F.Nms(boxes, scores, thr).ToArray<long>(),
                    F.Nms(boxes.To(Device.Reference), scores.To(Device.Reference), thr).ToArray<long>());
                var cls = classes.ToArray<long>();
                var union = new List<long>();
                foreach (var k in cls.Distinct())
                {
                    var members = Enumerable.Range(0, c.N).Where(i => cls[i] == k).Select(i => (long)i).ToArray();
                    var idx = Tensor.From(members);
                    var kept = F.Nms(F.IndexSelect(boxes, 0, idx), F.IndexSelect(scores, 0, idx), thr).ToArray<long>();
                    union.AddRange(kept.Select(i => members[i]));
                }
                Assert.Equal(union.Order(), cpu.Order());
            }
        }
    }

    /// <summary>The golden problem: 30 boxes, box i = (a, b, a + 2 + (7i mod 5), b + 2 + (11i mod 4)) with
    /// a = (37i mod 17)/2, b = (53i mod 13)/2; tied scores (29i mod 10)/10, distinct scores (29i mod 31)/31, class
    /// i mod 3.</summary>
    private static (Tensor Boxes, Tensor Tied, Tensor Distinct, Tensor Classes) Golden(DType dtype, Device device)
    {
        var b = new double[120];
        for (var i = 0; i < 30; i++)
        {
            var (x, y) = (i * 37 % 17 * 0.5, i * 53 % 13 * 0.5);
            (b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]) = (x, y, x + 2 + i * 7 % 5, y + 2 + i * 11 % 4);
        }
        var tied = Enumerable.Range(0, 30).Select(i => i * 29 % 10 / 10.0).ToArray();
        var distinct = Enumerable.Range(0, 30).Select(i => i * 29 % 31 / 31.0).ToArray();
        return (Tensor.FromDoubles(b, new Shape(30, 4), dtype, device), Tensor.FromDoubles(tied, new Shape(30), dtype, device),
            Tensor.FromDoubles(distinct, new Shape(30), dtype, device),
            Tensor.From(Enumerable.Range(0, 30).Select(i => (long)(i % 3)).ToArray(), device: device));
    }

    [Fact]
    public void Known_values_match_torchvision()
    {
        foreach (var device in new[] { Device.Cpu, Device.Reference })
            foreach (var dtype in new[] { DType.F64, DType.F32 })
            {
                var (b, tied, distinct, cls) = Golden(dtype, device);
                // torch 1.13: torchvision.ops.nms(b, tied, 0.3) (float64 and float32 agree)
                Assert.Equal([1L, 11, 21, 2, 12, 4, 15, 25, 6, 7, 28, 0, 20], F.Nms(b, tied, 0.3).ToArray<long>());
                // torch 1.13: torchvision.ops.nms(b, tied, 0.5)
                Assert.Equal([1L, 11, 21, 2, 12, 22, 3, 23, 4, 5, 15, 25, 6, 16, 26, 7, 27, 8, 28, 0, 10, 20],
                    F.Nms(b, tied, 0.5).ToArray<long>());
                // torch 1.13: torchvision.ops.nms(b, tied, 0.7)
                Assert.Equal([1L, 11, 21, 2, 12, 22, 3, 13, 23, 4, 14, 24, 5, 15, 25, 6, 16, 26, 7, 17, 27, 8, 18, 28,
                    9, 19, 29, 0, 10, 20],
                    F.Nms(b, tied, 0.7).ToArray<long>());
                // torch 1.13: torchvision.ops.batched_nms(b, distinct, cls, 0.3) (the coordinate trick agrees)
                Assert.Equal([16L, 1, 17, 2, 18, 3, 19, 20, 5, 21, 22, 23, 24, 25, 10, 11, 27, 0],
                    F.BatchedNms(b, distinct, cls, 0.3).ToArray<long>());
                // torch 1.13: torchvision.ops.batched_nms(b, distinct, cls, 0.5)
                Assert.Equal([16L, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 22, 23, 8, 24, 25, 10, 26, 11, 27, 28, 15, 0],
                    F.BatchedNms(b, distinct, cls, 0.5).ToArray<long>());
                // torch 1.13: torchvision.ops.batched_nms(b, distinct, cls, 0.7)
                Assert.Equal([16L, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23, 8, 24, 9, 25, 10, 26, 11, 27, 12,
                    28, 13, 29, 14, 15, 0],
                    F.BatchedNms(b, distinct, cls, 0.7).ToArray<long>());
            }
    }

    [Fact]
    public void Empty_inputs_and_degenerate_boxes()
    {
        var none = F.Nms(Tensor.Zeros(new Shape(0, 4)), Tensor.Zeros(new Shape(0)), 0.5);
        Assert.Equal(DType.I64, none.DType);
        Assert.Equal(new Shape(0), none.Shape);
        // Two identical empty boxes: IoU 0/0 = NaN suppresses nothing (as torchvision).
        var empty = Tensor.FromDoubles([1, 1, 1, 1, 1, 1, 1, 1], new Shape(2, 4), DType.F64);
        Assert.Equal([0L, 1], F.Nms(empty, Tensor.FromDoubles([0.5, 0.5], new Shape(2), DType.F64), 0.5).ToArray<long>());
    }

    [Fact]
    public void Float32_iou_is_compared_with_the_threshold_in_double_like_torchvision()
    {
        // IoU([0, 0, 10, 10], [0, 0, 10, 3]) = 0.3 exactly; as float32 it is 0.3f > 0.3.
        var b = Tensor.FromDoubles([0, 0, 10, 10, 0, 0, 10, 3], new Shape(2, 4), DType.F64);
        var s = Tensor.FromDoubles([0.9, 0.8], new Shape(2), DType.F64);
        foreach (var device in new[] { Device.Cpu, Device.Reference })
        {
            // torch 1.13: torchvision.ops.nms(b.float(), s.float(), 0.3) -> [0]; in float64 -> [0, 1]
            Assert.Equal([0L], F.Nms(b.To(DType.F32).To(device), s.To(DType.F32).To(device), 0.3).ToArray<long>());
            Assert.Equal([0L, 1], F.Nms(b.To(device), s.To(device), 0.3).ToArray<long>());
            // torch 1.13: torchvision.ops.batched_nms(b.float(), s.float(), torch.tensor([0, 0]), 0.3) -> [0]
            Assert.Equal([0L], F.BatchedNms(b.To(DType.F32).To(device), s.To(DType.F32).To(device),
                Tensor.Zeros(new Shape(2), DType.I64, device), 0.3).ToArray<long>());
        }
    }

    [Fact]
    public void Nan_scores_come_first_like_torchvision()
    {
        var b = Tensor.FromDoubles([0, 0, 10, 10, 0, 0, 10, 9, 20, 20, 30, 30], new Shape(3, 4), DType.F64);
        var s = Tensor.FromDoubles([0.5, double.NaN, 0.7], new Shape(3), DType.F64);
        foreach (var device in new[] { Device.Cpu, Device.Reference })
            foreach (var dtype in new[] { DType.F64, DType.F32 })
                // torch 1.13: torchvision.ops.nms(b, torch.tensor([0.5, float('nan'), 0.7]), 0.5) -> [1, 2]
                Assert.Equal([1L, 2], F.Nms(b.To(dtype).To(device), s.To(dtype).To(device), 0.5).ToArray<long>());
    }

    [Fact]
    public void Inverted_and_nan_boxes_behave_like_torchvision()
    {
        // torch 1.13: b = [[0,0,10,10],[1,1,11,11],[10,10,0,0],[2,2,9,9],[nan,0,10,10],[0,0,10,10.5],[5,5,5,5]],
        // s = [0.9,0.8,0.95,0.7,0.99,0.85,0.6]; torchvision.ops.nms(b, s, 0.5) (float64) = [4, 2, 0, 3, 6] and
        // torchvision.ops.nms(b.float(), s.float(), 0.3) = [4, 2, 0, 6]: the inverted box is kept with its positive
        // area (−10)·(−10) and no overlap, the NaN box overlaps nothing (NaN IoU), the empty box is kept.
        double[] b = [0, 0, 10, 10, 1, 1, 11, 11, 10, 10, 0, 0, 2, 2, 9, 9, double.NaN, 0, 10, 10, 0, 0, 10, 10.5, 5, 5, 5, 5];
        double[] s = [0.9, 0.8, 0.95, 0.7, 0.99, 0.85, 0.6];
        foreach (var device in new[] { Device.Cpu, Device.Reference })
        {
            var boxes = Tensor.FromDoubles(b, new Shape(7, 4), DType.F64, device);
            var scores = Tensor.FromDoubles(s, new Shape(7), DType.F64, device);
            Assert.Equal([4L, 2, 0, 3, 6], F.Nms(boxes, scores, 0.5).ToArray<long>());
            Assert.Equal([4L, 2, 0, 6], F.Nms(boxes.To(DType.F32), scores.To(DType.F32), 0.3).ToArray<long>());
        }
    }

    [Fact]
    public void Bad_inputs_name_the_argument()
    {
        var b = Tensor.Zeros(new Shape(3, 4), DType.F64);
        var s = Tensor.Zeros(new Shape(3), DType.F64);
        Assert.Contains("boxes", Assert.Throws<ShapeMismatchException>(
            () => F.Nms(Tensor.Zeros(new Shape(3, 5), DType.F64), s, 0.5)).Message);
        Assert.Contains("scores", Assert.Throws<ShapeMismatchException>(
            () => F.Nms(b, Tensor.Zeros(new Shape(2), DType.F64), 0.5)).Message);
        Assert.Contains("scores", Assert.Throws<DTypeMismatchException>(() => F.Nms(b, s.To(DType.F32), 0.5)).Message);
        Assert.Contains("classIdxs", Assert.Throws<DTypeMismatchException>(() => F.BatchedNms(b, s, s, 0.5)).Message);
        Assert.Contains("classIdxs", Assert.Throws<ShapeMismatchException>(
            () => F.BatchedNms(b, s, Tensor.Zeros(new Shape(4), DType.I64), 0.5)).Message);
        Assert.Contains("classIdxs", Assert.Throws<DeviceMismatchException>(
            () => F.BatchedNms(b, s, Tensor.Zeros(new Shape(3), DType.I64, Device.Reference), 0.5)).Message);
    }
}
