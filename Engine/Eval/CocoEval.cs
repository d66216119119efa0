using System.Globalization;
using Scratch.Data.Coco;

namespace Scratch.Eval;

/// <summary>COCO detection evaluation, the algorithm of pycocotools' <c>COCOeval</c> (evaluate, accumulate,
/// summarize) for iouType bbox and segm.</summary>
/// <remarks>
/// <para>Per image and category: detections are sorted by descending score with a stable sort (ties keep file
/// order) and cut to the largest maxDets; IoUs are box IoU or mask IoU, with a crowd ground truth's IoU taken as
/// intersection over the detection's area. For each area range the ground truths are stably reordered so that
/// ignored ones (crowd, or area outside the range) come last; at each IoU threshold t every detection in score
/// order is matched greedily to the unmatched ground truth with the highest IoU ≥ min(t, 1−1e−10) (crowd ground
/// truths stay matchable), stopping at the first ignored ground truth once a regular one has been matched.
/// Detections matched to ignored ground truths, and unmatched detections whose area is outside the range, are
/// ignored.</para>
/// <para>Accumulation per category, area range and maxDets: each image's first maxDets detections are pooled and
/// stably sorted by descending score (ties in image-id order), cumulative TP/FP give recall = TP/npig and precision
/// = TP/(TP+FP+2⁻⁵²); precision is made monotone from the right and sampled at the recall thresholds with
/// numpy's searchsorted(side='left') (0 past the last recall). Categories without non-ignored ground truth stay −1
/// and are excluded from the means of <see cref="CocoStats"/>.</para>
/// <para>Detections follow pycocotools' loadRes: detection i gets id i+1, area w·h of its box (the mask area when
/// it has no box), and in segm mode a detection without a mask uses its box as a polygon. Ground truth "ignore"
/// is exactly iscrowd. pycocotools keeps ground truths with zero-size boxes: read the ground truth with
/// <see cref="DegenerateBoxPolicy.Keep"/> to reproduce its numbers (the default Skip drops them).
/// As in pycocotools, a match to a ground truth whose id is 0 is recorded as "unmatched" (pycocotools stores
/// matches as ids, 0 meaning none); COCO ids start at 1.</para>
/// </remarks>
public static partial class CocoEval
{
    /// <summary>Evaluates <paramref name="detections"/> against <paramref name="gt"/>.</summary>
    /// <exception cref="CocoFormatException">A detection whose image_id is not a ground-truth image or whose
    /// category_id is not a ground-truth category, a NaN score, a detection without the geometry the IoU type needs,
    /// or (segm) a ground truth without segmentation; the message names the detection index or annotation id.</exception>
    public static CocoEvalResult Evaluate(CocoDataset gt, IReadOnlyList<CocoDetection> detections,
        CocoIouType iouType = CocoIouType.Bbox, CocoEvalParams? parameters = null, string detectionsSource = "detections")
    {
        ArgumentNullException.ThrowIfNull(gt);
        ArgumentNullException.ThrowIfNull(detections);
        var p = parameters ?? new CocoEvalParams();
        if (p.MaxDets.Length == 0 || p.IouThresholds.Length == 0 || p.RecallThresholds.Length == 0 || p.AreaRanges.Length == 0)
            throw new ArgumentException("CocoEval.Evaluate: parameters need at least one IoU threshold, recall threshold, maxDets and area range.", nameof(parameters));
        var maxDets = p.MaxDets.Order().ToArray();
        var imgIds = gt.Images.Select(i => i.Id).Distinct().Order().ToArray();
        var catIds = gt.Categories.Select(c => c.Id).ToArray();
        var imgIndex = new Dictionary<long, int>();
        for (var i = 0; i < imgIds.Length; i++) imgIndex[imgIds[i]] = i;

        var gts = new List<Gt>[imgIds.Length * catIds.Length];
        var dts = new List<Dt>[imgIds.Length * catIds.Length];
        foreach (var a in gt.Annotations)
        {
            var cell = imgIndex[a.ImageId] * catIds.Length + gt.LabelOf(a.CategoryId);
            CocoRle? mask = null;
            if (iouType == CocoIouType.Segm)
            {
                var im = gt.ImageOf(a.ImageId)!;
                mask = (a.Segmentation ?? throw new CocoFormatException(gt.Source, $"annotation id {a.Id}: segm evaluation needs a segmentation."))
                    .ToRle(im.Height, im.Width);
            }
            (gts[cell] ??= []).Add(new Gt(a.Id, a.Bbox, a.Area, a.IsCrowd, mask));
        }
        for (var i = 0; i < detections.Count; i++)
        {
            var d = detections[i];
            var rec = $"detection #{i}";
            if (!imgIndex.TryGetValue(d.ImageId, out var ii))
                throw new CocoFormatException(detectionsSource, $"{rec}: image_id {d.ImageId} is not an image of the ground truth {gt.Source}.");
            if (!gt.HasCategory(d.CategoryId))
                throw new CocoFormatException(detectionsSource, $"{rec}: category_id {d.CategoryId} is not a category of the ground truth {gt.Source}.");
            if (double.IsNaN(d.Score)) throw new CocoFormatException(detectionsSource, $"{rec}: score is NaN.");
            CocoRle? mask = null;
            if (iouType == CocoIouType.Bbox && d.Bbox is null)
                throw new CocoFormatException(detectionsSource, $"{rec}: bbox evaluation needs a bbox.");
            if (iouType == CocoIouType.Segm)
            {
                var im = gt.ImageOf(d.ImageId)!;
                mask = d.Segmentation;
                if (mask is null)
                {
                    var b = d.Bbox!;
                    double x1 = b[0], x2 = b[0] + b[2], y1 = b[1], y2 = b[1] + b[3];
                    mask = CocoPolygon.ToRle([x1, y1, x1, y2, x2, y2, x2, y1], im.Height, im.Width);
                }
                else if (mask.Height != im.Height || mask.Width != im.Width)
                    throw new CocoFormatException(detectionsSource, $"{rec}: mask size {mask.Height}x{mask.Width} differs from image {d.ImageId} ({im.Height}x{im.Width}).");
            }
            var area = d.Bbox is { } bb ? bb[2] * bb[3] : d.Segmentation!.Area;
            var cell = ii * catIds.Length + gt.LabelOf(d.CategoryId);
            (dts[cell] ??= []).Add(new Dt(i + 1, d.Bbox, d.Score, area, mask));
        }

        int T = p.IouThresholds.Length, A = p.AreaRanges.Length, I = imgIds.Length, K = catIds.Length;
        var evalImgs = new ImageEval?[K, A, I];
        for (var k = 0; k < K; k++)
            for (var i = 0; i < I; i++)
            {
                var g = gts[i * K + k] ?? [];
                var d = dts[i * K + k] ?? [];
                if (g.Count == 0 && d.Count == 0) continue;
                var sorted = StableByScore(d, x => x.Score).Take(maxDets[^1]).ToArray();
                var ious = Ious(sorted, g, iouType);
                for (var a = 0; a < A; a++)
                    evalImgs[k, a, i] = EvaluateImage(g, sorted, ious, p.AreaRanges[a], maxDets[^1], p.IouThresholds);
            }
        return Accumulate(p, maxDets, catIds, evalImgs);
    }

    private sealed record Gt(long Id, double[] Bbox, double Area, bool Crowd, CocoRle? Mask);

    private sealed record Dt(long Id, double[]? Bbox, double Score, double Area, CocoRle? Mask);

    /// <summary>Per image, category and area range: detections (score order, ≤ maxDet), their matched flags and
    /// ignore flags per IoU threshold, and the ground-truth ignore flags.</summary>
    private sealed record ImageEval(double[] Scores, bool[,] Matched, bool[,] Ignored, bool[] GtIgnore);

    /// <summary>Indices of <paramref name="items"/> in stable descending-score order (numpy mergesort on −score).</summary>
    private static IEnumerable<T> StableByScore<T>(IReadOnlyList<T> items, Func<T, double> score) =>
        items.Select((x, i) => (x, i)).OrderByDescending(t => score(t.x)).ThenBy(t => t.i).Select(t => t.x);

    /// <summary>Box IoU as the COCO mask API's bbIou: intersection over union, or over the detection's area for a
    /// crowd ground truth; 0 when the boxes do not overlap with positive width and height.</summary>
    public static double BoxIou(ReadOnlySpan<double> dt, ReadOnlySpan<double> gt, bool crowd)
    {
        if (dt.Length != 4 || gt.Length != 4)
            throw new ArgumentException($"CocoEval.BoxIou: boxes must be [x, y, w, h], got lengths {dt.Length} and {gt.Length}.");
        var w = Math.Min(dt[2] + dt[0], gt[2] + gt[0]) - Math.Max(dt[0], gt[0]);
        if (w <= 0) return 0;
        var h = Math.Min(dt[3] + dt[1], gt[3] + gt[1]) - Math.Max(dt[1], gt[1]);
        if (h <= 0) return 0;
        var i = w * h;
        var da = dt[2] * dt[3];
        var u = crowd ? da : da + gt[2] * gt[3] - i;
        return i / u;
    }

    private static double[,] Ious(Dt[] dt, List<Gt> gt, CocoIouType type)
    {
        var o = new double[dt.Length, gt.Count];
        for (var d = 0; d < dt.Length; d++)
            for (var g = 0; g < gt.Count; g++)
                o[d, g] = type == CocoIouType.Bbox
                    ? BoxIou(dt[d].Bbox, gt[g].Bbox, gt[g].Crowd)
                    : CocoRle.Iou(dt[d].Mask!, gt[g].Mask!, gt[g].Crowd);
        return o;
    }

    private static string Summary(CocoEvalParams p, bool ap, int t, int a, int m, double value)
    {
        var title = ap ? "Average Precision" : "Average Recall";
        var kind = ap ? "(AP)" : "(AR)";
        var iou = t < 0
            ? string.Create(CultureInfo.InvariantCulture, $"{p.IouThresholds[0]:0.00}:{p.IouThresholds[^1]:0.00}")
            : p.IouThresholds[t].ToString("0.00", CultureInfo.InvariantCulture);
        return string.Create(CultureInfo.InvariantCulture,
            $" {title,-18} {kind} @[ IoU={iou,-9} | area={p.AreaLabels[a],6} | maxDets={p.MaxDets.Order().ElementAt(m),3} ] = {value:0.000}");
    }
}
