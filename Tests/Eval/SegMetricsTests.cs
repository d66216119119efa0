using FsCheck;
using FsCheck.Fluent;
using Scratch.Eval;
using Xunit;

namespace Scratch.Tests.Eval;

public sealed class SegMetricsTests
{
    private static readonly long[] Gt = [2, 0, 255, 0, 255, 255, 1, 1, 1, 0, 2, 2, 0, 255, 255, 2, 0, 0, 2, 0, 2, 2, 2, 2, 2, 2, 1, 255, 255, 0];
    private static readonly long[] Pred = [3, 2, 3, 2, 3, 0, 2, 0, 0, 0, 1, 1, 2, 0, 0, 1, 3, 0, 1, 2, 2, 3, 0, 1, 1, 3, 1, 1, 3, 2];

    [Fact]
    public void MatchesTorchBincountReference()
    {
        // torch 1.13: m = gt != 255; cm = torch.bincount(gt[m]*5 + pred[m], minlength=25).reshape(5, 5);
        // iou = cm.diag() / (cm.sum(0) + cm.sum(1) - cm.diag()); torch.nanmean(iou); cm.diag().sum() / cm.sum();
        // acc = cm.diag() / cm.sum(1); torch.nanmean(acc)   (gt, pred: torch.randint with manual_seed(0), 2x3x5)
        long[,] cm = { { 2, 0, 5, 1, 0 }, { 2, 1, 1, 0, 0 }, { 1, 6, 1, 3, 0 }, { 0, 0, 0, 0, 0 }, { 0, 0, 0, 0, 0 } };
        var s = new SegMetrics(5);
        s.Update(Tensor.From(Pred, new Shape(2, 3, 5)), Tensor.From(Gt, new Shape(2, 3, 5)));
        for (var i = 0; i < 5; i++)
            for (var j = 0; j < 5; j++)
                Assert.Equal(cm[i, j], s[i, j]);
        var iou = s.IoU();
        Assert.Equal(0.18181818181818182, iou[0], 15);
        Assert.Equal(0.1, iou[1], 15);
        Assert.Equal(0.058823529411764705, iou[2], 15);
        Assert.Equal(0.0, iou[3]);             // predicted but never present: counts as 0
        Assert.True(double.IsNaN(iou[4]));     // absent from both: excluded from the mean
        Assert.Equal(0.08516042780748664, s.MeanIoU, 15);
        Assert.Equal(0.17391304347826086, s.PixelAccuracy, 15);
        Assert.Equal(0.196969696969697, s.MeanClassAccuracy, 15);
        Assert.Equal(23, s.Total);
    }

    [Fact]
    public void UpdatesAccumulateAndResetClears()
    {
        var whole = new SegMetrics(5);
        whole.Update(Pred, Gt);
        var parts = new SegMetrics(5);
        parts.Update(Pred.AsSpan(0, 11), Gt.AsSpan(0, 11));
        parts.Update(Pred.AsSpan(11), Gt.AsSpan(11));
        Assert.Equal(whole.IoU(), parts.IoU());
        parts.Reset();
        Assert.Equal(0, parts.Total);
        Assert.True(double.IsNaN(parts.MeanIoU));
        Assert.True(double.IsNaN(parts.PixelAccuracy));
    }

    [Fact]
    public void BadInputThrowsNamingTheArgument()
    {
        var s = new SegMetrics(3);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => s.Update([0L, 1], [0L, 3]));
        Assert.Equal("target", e.ParamName);
        Assert.Contains("got 3", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => s.Update([0L, 255], [0L, 1]));
        Assert.Equal("prediction", e.ParamName);
        Assert.Throws<ArgumentException>(() => s.Update([0L], [0L, 1]));
        Assert.Throws<ShapeMismatchException>(() => s.Update(Tensor.From(new long[] { 0, 1 }), Tensor.From(new long[] { 0, 1 }, new Shape(1, 2))));
        var d = Assert.Throws<DTypeMismatchException>(() => s.Update(Tensor.From(new float[] { 0, 1 }), Tensor.From(new long[] { 0, 1 })));
        Assert.Contains("prediction", d.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SegMetrics(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SegMetrics(300, ignoreIndex: 255));
    }

    public sealed record LabelCase(int K, long[] Pred, long[] Gt);

    public static class Arbs
    {
        public static Arbitrary<LabelCase> Labels() => Arb.From(
            from k in Gen.Choose(1, 6)
            from n in Gen.Choose(0, 40)
            from pred in Gen.ArrayOf(Gen.Choose(0, k - 1).Select(v => (long)v), n)
            from gt in Gen.ArrayOf(Gen.Frequency((4, Gen.Choose(0, k - 1).Select(v => (long)v)), (1, Gen.Constant(255L))), n)
            select new LabelCase(k, pred, gt));
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void MetricsAgreeWithSetDefinitions(LabelCase c)
    {
        var s = new SegMetrics(c.K);
        s.Update(c.Pred, c.Gt);
        var scored = Enumerable.Range(0, c.Gt.Length).Where(i => c.Gt[i] != 255).ToArray();
        Assert.Equal(scored.Length, s.Total);
        var iou = s.IoU();
        for (var k = 0; k < c.K; k++)
        {
            var inter = scored.Count(i => c.Gt[i] == k && c.Pred[i] == k);
            var union = scored.Count(i => c.Gt[i] == k || c.Pred[i] == k);
            if (union == 0) Assert.True(double.IsNaN(iou[k]));
            else Assert.Equal((double)inter / union, iou[k], 12);
        }
        // Predicting the ground truth itself gives IoU 1 for every present class and pixel accuracy 1.
        var perfect = new SegMetrics(c.K);
        perfect.Update(c.Gt.Select(g => g == 255 ? 0 : g).ToArray(), c.Gt);
        if (scored.Length > 0)
        {
            Assert.Equal(1.0, perfect.PixelAccuracy);
            Assert.Equal(1.0, perfect.MeanIoU);
        }
    }
}
