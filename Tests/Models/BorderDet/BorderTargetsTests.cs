using Scratch.Models.BorderDet;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Models.BorderDet;

public class BorderTargetsTests
{
    /// <summary>cvpods' border assignment written as plain loops: detectron2 pairwise IoU, first arg-max,
    /// threshold 0.6, deltas (gt − coarse) / (0.5·(w, h, w, h)).</summary>
    private static (long[] Labels, double[] Deltas) Naive(double[] pre, double[] gt, long[] gtl, int k)
    {
        var (r, g) = (pre.Length / 4, gt.Length / 4);
        var labels = new long[r];
        var deltas = new double[r * 4];
        for (var i = 0; i < r; i++)
        {
            var (best, arg) = (-1.0, 0);
            for (var j = 0; j < g; j++)
            {
                var iw = Math.Max(0, Math.Min(pre[i * 4 + 2], gt[j * 4 + 2]) - Math.Max(pre[i * 4], gt[j * 4]));
                var ih = Math.Max(0, Math.Min(pre[i * 4 + 3], gt[j * 4 + 3]) - Math.Max(pre[i * 4 + 1], gt[j * 4 + 1]));
                var inter = iw * ih;
                var areaA = (pre[i * 4 + 2] - pre[i * 4]) * (pre[i * 4 + 3] - pre[i * 4 + 1]);
                var areaB = (gt[j * 4 + 2] - gt[j * 4]) * (gt[j * 4 + 3] - gt[j * 4 + 1]);
                var iou = inter > 0 ? inter / (areaA + areaB - inter) : 0;
                if (iou > best) (best, arg) = (iou, j);
            }
            labels[i] = best >= 0.6 ? gtl[arg] : k;
            var w = pre[i * 4 + 2] - pre[i * 4];
            var h = pre[i * 4 + 3] - pre[i * 4 + 1];
            double[] size = [w, h, w, h];
            for (var c = 0; c < 4; c++) deltas[i * 4 + c] = (gt[arg * 4 + c] - pre[i * 4 + c]) / (0.5 * size[c]);
        }
        return (labels, deltas);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Matches_a_naive_loop(int seed)
    {
        var rng = new Random(seed);
        const int r = 60, g = 4, k = 5;
        var pre = new double[r * 4];
        for (var i = 0; i < r; i++)
        {
            var (x, y) = (rng.NextDouble() * 50, rng.NextDouble() * 50);
            (pre[i * 4], pre[i * 4 + 1], pre[i * 4 + 2], pre[i * 4 + 3]) =
                (x - rng.NextDouble() * 20, y - rng.NextDouble() * 20, x + rng.NextDouble() * 20, y + rng.NextDouble() * 20);
        }
        var gt = new double[g * 4];
        for (var j = 0; j < g; j++)   // near coarse box 5j so that some IoUs pass 0.6
            for (var c = 0; c < 4; c++) gt[j * 4 + c] = pre[5 * j * 4 + c] + (rng.NextDouble() - 0.5) * 4;
        for (var c = 0; c < 4; c++) gt[(g - 1) * 4 + c] = gt[c];   // a duplicate gt: ties keep the first
        long[] gtl = [1, 4, 0, 2];
        var (labels, deltas) = BorderTargets.Assign(Tensor.From(pre, new Shape(r, 4)), Tensor.From(gt, new Shape(g, 4)),
            Tensor.From(gtl), k);
        var (el, ed) = Naive(pre, gt, gtl, k);
        Assert.Equal(el, labels.ToArray<long>());
        Assert.Contains(el, l => l != k);
        Verify.Close(ed, deltas.ToArray<double>(), 1e-12, 1e-12);
    }

    [Fact]
    public void No_ground_truth_gives_background_and_a_degenerate_box_is_background()
    {
        var pre = Tensor.From(new float[] { 0, 0, 10, 10, 5, 5, 5, 5 }, new Shape(2, 4));
        var (l0, d0) = BorderTargets.Assign(pre, Tensor.Zeros(new Shape(0, 4)), Tensor.Zeros(new Shape(0), DType.I64), 3);
        Assert.Equal([3L, 3L], l0.ToArray<long>());
        Assert.Equal(new float[8], d0.ToArray<float>());
        var (l1, d1) = BorderTargets.Assign(pre, Tensor.From(new float[] { 0, 0, 10, 12 }, new Shape(1, 4)), Tensor.From(new long[] { 2 }), 3);
        Assert.Equal([2L, 3L], l1.ToArray<long>());
        Verify.Close(new double[] { 0, 0, 0, 0.4 }, d1.Narrow(0, 0, 1).To(DType.F64).ToArray<double>(), 1e-7);
    }

    [Fact]
    public void Threshold_is_inclusive()
    {
        // IoU = 60/100 exactly
        var pre = Tensor.From(new double[] { 0, 0, 10, 10 }, new Shape(1, 4));
        var gt = Tensor.From(new double[] { 0, 0, 10, 6 }, new Shape(1, 4));
        Assert.Equal([0L], BorderTargets.Assign(pre, gt, Tensor.From(new long[] { 0 }), 2).Labels.ToArray<long>());
        Assert.Equal([2L], BorderTargets.Assign(pre, gt, Tensor.From(new long[] { 0 }), 2, 0.61).Labels.ToArray<long>());
    }

    [Fact]
    public void Bad_inputs_name_the_argument()
    {
        var pre = Tensor.Zeros(new Shape(2, 4));
        var e = Assert.Throws<ShapeMismatchException>(() =>
            BorderTargets.Assign(pre, Tensor.Zeros(new Shape(1, 4)), Tensor.Zeros(new Shape(2), DType.I64), 3));
        Assert.Contains("gtLabels", e.Message);
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() =>
            BorderTargets.Assign(pre, Tensor.Zeros(new Shape(1, 4)), Tensor.Zeros(new Shape(1), DType.I64), 0));
        Assert.Contains("numClasses", e2.Message);
    }
}
