using Scratch.Data.Coco;
using Scratch.Eval;
using Xunit;

namespace Scratch.Tests.Eval;

/// <summary>Small hand-computed scenarios for <see cref="CocoEval"/>.</summary>
public sealed class CocoEvalTests
{
    private static CocoDataset Gt(params CocoAnnotation[] anns) =>
        new([new CocoImage(1, "a.jpg", 100, 100), new CocoImage(2, "b.jpg", 100, 100)], anns,
            [new CocoCategory(3, "cat"), new CocoCategory(9, "dog")]);

    private static CocoAnnotation Ann(long id, double[] box, long cat = 3, bool crowd = false, long image = 1) =>
        new(id, image, cat, box, box[2] * box[3], crowd);

    [Fact]
    public void ThresholdsAreBitIdenticalToNumpyLinspace()
    {
        // numpy 1.24: np.linspace(.5, .95, 10).view(np.int64) and np.linspace(0, 1, 101).view(np.int64)[[7, 29, 70, 100]]
        long[] iou = [4602678819172646912, 4603129179135383962, 4603579539098121011, 4604029899060858061, 4604480259023595110,
            4604930618986332160, 4605380978949069210, 4605831338911806259, 4606281698874543308, 4606732058837280358];
        var p = new CocoEvalParams();
        Assert.Equal(iou, p.IouThresholds.Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(101, p.RecallThresholds.Length);
        Assert.Equal(4589708452245819884, BitConverter.DoubleToInt64Bits(p.RecallThresholds[7]));
        Assert.Equal(4598895795485655695, BitConverter.DoubleToInt64Bits(p.RecallThresholds[29]));
        Assert.Equal(4604480259023595111, BitConverter.DoubleToInt64Bits(p.RecallThresholds[70]));
        Assert.Equal(1.0, p.RecallThresholds[100]);
    }

    [Fact]
    public void PerfectDetectionsScoreOne()
    {
        var gt = Gt(Ann(1, [10, 10, 20, 20]), Ann(2, [50, 50, 40, 40], cat: 9), Ann(3, [0, 0, 99, 99], image: 2));
        var dt = gt.Annotations.Select(a => new CocoDetection(a.ImageId, a.CategoryId, a.Bbox, 0.9)).ToList();
        var s = CocoEval.Evaluate(gt, dt).Stats;
        Assert.Equal(1.0, s.AP, 12);
        Assert.Equal(1.0, s.APs, 12);   // 400 px²: small
        Assert.Equal(1.0, s.APm, 12);   // 1600 px²: medium
        Assert.Equal(1.0, s.APl, 12);   // 9801 px²: large
        Assert.Equal(1.0, s.AR1, 12); // maxDets=1 applies per image and category: each (image, category) has one gt
    }

    [Fact]
    public void IouOf072MatchesAtHalfTheThresholds()
    {
        // IoU([0,0,10,10], [0,0,10,7.2]) = 72/100: matched at t = .50 .55 .60 .65 .70, missed at .75 .. .95.
        var gt = Gt(Ann(1, [0, 0, 10, 7.2]));
        var s = CocoEval.Evaluate(gt, [new CocoDetection(1, 3, [0, 0, 10, 10], 0.8)]).Stats;
        Assert.Equal(0.5, s.AP, 12);
        Assert.Equal(1.0, s.AP50, 12);
        Assert.Equal(0.0, s.AP75, 12);
        Assert.Equal(0.5, s.AR100, 12);
        Assert.Equal(-1.0, s.APm);
        Assert.Equal(-1.0, s.ARl);
    }

    [Fact]
    public void DetectionsOnCrowdRegionsAreNotFalsePositives()
    {
        // The crowd box takes two detections inside it (IoU = intersection / detection area = 1); they are ignored,
        // so the regular gt's single true positive gives precision 1 at every recall.
        var gt = Gt(Ann(1, [0, 0, 20, 20]), Ann(2, [40, 40, 50, 50], crowd: true));
        List<CocoDetection> dt = [new(1, 3, [45, 45, 10, 10], 0.99), new(1, 3, [60, 60, 10, 10], 0.98), new(1, 3, [0, 0, 20, 20], 0.5)];
        var s = CocoEval.Evaluate(gt, dt).Stats;
        Assert.Equal(1.0, s.AP, 12);
        Assert.Equal(1.0, s.AR100, 12);
        Assert.Equal(1, CocoEval.BoxIou([45, 45, 10, 10], [40, 40, 50, 50], crowd: true));
        Assert.Equal(100.0 / 2500, CocoEval.BoxIou([45, 45, 10, 10], [40, 40, 50, 50], crowd: false), 15);
    }

    [Fact]
    public void PerCategoryApAveragesToAp()
    {
        var gt = Gt(Ann(1, [0, 0, 10, 7.2]), Ann(2, [50, 50, 20, 20], cat: 9));
        List<CocoDetection> dt = [new(1, 3, [0, 0, 10, 10], 0.8), new(1, 9, [50, 50, 20, 20], 0.7)];
        var r = CocoEval.Evaluate(gt, dt);
        Assert.Equal([3L, 9], r.CategoryIds);
        // Precision is TP / (TP + FP + 2^-52), so "1" is 1 - 2^-52 as in pycocotools.
        var ap = r.PerCategoryAP();
        Assert.Equal(0.5, ap[0], 12);
        Assert.Equal(1.0, ap[1], 12);
        Assert.Equal(0.75, r.Stats.AP, 12);
        Assert.Equal((ap[0] + ap[1]) / 2, r.Stats.AP, 15);
        ap = CocoEval.Evaluate(Gt(Ann(2, [50, 50, 20, 20], cat: 9)), dt).PerCategoryAP();
        Assert.Equal(-1.0, ap[0]);
        Assert.Equal(1.0, ap[1], 12);
    }

    [Fact]
    public void FalsePositiveRankedFirstHalvesPrecisionAtItsRecall()
    {
        // Two gts; ranking TP, FP, TP gives precision 1, 1/2, 2/3; interpolated: recall 0..0.5 -> 1, 0.51..1 -> 2/3.
        var gt = Gt(Ann(1, [0, 0, 20, 20]), Ann(2, [50, 50, 20, 20]));
        List<CocoDetection> dt = [new(1, 3, [0, 0, 20, 20], 0.9), new(1, 3, [80, 0, 10, 10], 0.8), new(1, 3, [50, 50, 20, 20], 0.7)];
        var s = CocoEval.Evaluate(gt, dt).Stats;
        Assert.Equal((51 * 1.0 + 50 * 2.0 / 3) / 101, s.AP, 12);
    }

    [Fact]
    public void ZeroSizeGroundTruthIsUnmatchableWhenKeptAndDroppedWhenSkipped()
    {
        var images = new[] { new CocoImage(1, "a.jpg", 100, 100) };
        CocoAnnotation[] anns = [Ann(1, [0, 0, 20, 20]), Ann(2, [50, 50, 0, 10])];
        CocoCategory[] cats = [new(3, "cat")];
        List<CocoDetection> dt = [new(1, 3, [0, 0, 20, 20], 0.9), new(1, 3, [50, 50, 1, 10], 0.8)];
        var kept = new CocoDataset(images, anns, cats, degenerate: DegenerateBoxPolicy.Keep);
        Assert.Equal(0.5, CocoEval.Evaluate(kept, dt).Stats.AR100, 12);   // pycocotools' behaviour
        var skipped = new CocoDataset(images, anns, cats);
        Assert.Equal(1, skipped.SkippedDegenerate);
        Assert.Equal(1.0, CocoEval.Evaluate(skipped, dt).Stats.AR100, 12);
    }

    [Fact]
    public void NoGroundTruthGivesMinusOne()
    {
        var gt = Gt();
        var s = CocoEval.Evaluate(gt, [new CocoDetection(1, 3, [0, 0, 5, 5], 0.5)]).Stats;
        Assert.All(s.ToArray(), v => Assert.Equal(-1.0, v));
        var r = CocoEval.Evaluate(gt, []);
        Assert.Equal(12, r.SummaryLines.Count);
        Assert.Equal(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = -1.000", r.SummaryLines[0]);
        Assert.Equal(" Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ] = -1.000", r.SummaryLines[1]);
        Assert.Equal(" Average Recall     (AR) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = -1.000", r.SummaryLines[9]);
    }

    [Fact]
    public void UnknownImageOrCategoryInDetectionsThrowsNamingTheDetection()
    {
        var gt = Gt(Ann(1, [0, 0, 20, 20]));
        var e = Assert.Throws<CocoFormatException>(() => CocoEval.Evaluate(gt, [new(1, 3, [0, 0, 1, 1], 0.1), new(7, 3, [0, 0, 1, 1], 0.1)], detectionsSource: "dt.json"));
        Assert.Contains("dt.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("detection #1", e.Message, StringComparison.Ordinal);
        Assert.Contains("image_id 7", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<CocoFormatException>(() => CocoEval.Evaluate(gt, [new(1, 4, [0, 0, 1, 1], 0.1)]));
        Assert.Contains("category_id 4", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<CocoFormatException>(() => CocoEval.Evaluate(gt, [new(1, 3, null, 0.1, new CocoRle(100, 100, [10000]))]));
        Assert.Contains("needs a bbox", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MaxDetsIsAppliedPerImageAndCategoryInScoreOrder()
    {
        // 101 detections on one gt: the true positive has the lowest score, so it is cut by maxDets=100.
        var gt = Gt(Ann(1, [0, 0, 20, 20]));
        var dt = Enumerable.Range(0, 100).Select(i => new CocoDetection(1, 3, [60, 60, 5, 5], 0.9)).ToList();
        dt.Add(new CocoDetection(1, 3, [0, 0, 20, 20], 0.1));
        Assert.Equal(0.0, CocoEval.Evaluate(gt, dt).Stats.AR100);
        dt[^1] = dt[^1] with { Score = 0.9 }; // tie with the others: stable order keeps it last, still cut
        Assert.Equal(0.0, CocoEval.Evaluate(gt, dt).Stats.AR100);
        dt[^1] = dt[^1] with { Score = 0.95 };
        Assert.Equal(1.0, CocoEval.Evaluate(gt, dt).Stats.AR1);
    }
}
