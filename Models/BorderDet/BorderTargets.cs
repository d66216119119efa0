using Scratch.Autograd;

namespace Scratch.Models.BorderDet;

/// <summary>Border-branch training targets of BorderDet (cvpods <c>BorderDet.get_ground_truth</c>, border
/// part).</summary>
public static class BorderTargets
{
    /// <summary>Assigns each coarse box to the ground truth it overlaps most.</summary>
    /// <remarks>
    /// IoU(coarse r, gt g) as detectron2's <c>pairwise_iou</c> (0 where the intersection is empty); the best gt
    /// g* = argmax_g (first on ties). Label = label[g*] when max IoU ≥ <paramref name="iouThreshold"/>, else
    /// <paramref name="numClasses"/> (background). Deltas = (gt[g*] − coarse) / (std·(w, h, w, h)) with w, h the
    /// coarse box's size (<see cref="F.EncodeBorderDeltas"/>), computed for every row as cvpods does (rows of
    /// degenerate background boxes may hold ±∞ or NaN; only foreground rows are ever read). Without ground truth
    /// every row is background with zero deltas. Not differentiable (targets).
    /// </remarks>
    /// <param name="coarse">Coarse boxes [R, 4] xyxy in input pixels (all levels of one image).</param>
    /// <param name="gtBoxes">Ground-truth boxes [G, 4] xyxy, coarse's dtype.</param>
    /// <param name="gtLabels">int64 [G] in [0, numClasses).</param>
    /// <param name="numClasses">Foreground classes K (the background label).</param>
    /// <param name="iouThreshold">Positive threshold (0.6 in BorderDet).</param>
    /// <param name="std">Delta normaliser (BBOX_STD = 0.5).</param>
    /// <returns>Labels int64 [R] and deltas [R, 4] in coarse's dtype.</returns>
    /// <exception cref="ShapeMismatchException">a shape is not as documented.</exception>
    /// <exception cref="ArgumentOutOfRangeException">numClasses is not positive.</exception>
    public static (Tensor Labels, Tensor Deltas) Assign(Tensor coarse, Tensor gtBoxes, Tensor gtLabels,
        int numClasses, double iouThreshold = 0.6, double std = 0.5)
    {
        const string op = "BorderTargets.Assign";
        if (coarse.Rank != 2 || coarse.Shape[1] != 4)
            throw new ShapeMismatchException(op, nameof(coarse), "[R, 4]", coarse.Shape.ToString());
        if (gtBoxes.Rank != 2 || gtBoxes.Shape[1] != 4)
            throw new ShapeMismatchException(op, nameof(gtBoxes), "[G, 4]", gtBoxes.Shape.ToString());
        if (gtLabels.Rank != 1 || gtLabels.Shape[0] != gtBoxes.Shape[0])
            throw new ShapeMismatchException(op, nameof(gtLabels), $"[{gtBoxes.Shape[0]}]", gtLabels.Shape.ToString());
        if (gtLabels.DType != DType.I64)
            throw new DTypeMismatchException(op, nameof(gtLabels), "I64", gtLabels.DType.ToString());
        if (numClasses <= 0)
            throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses,
                $"{op}: numClasses expected > 0, got {numClasses}.");
        using var _ = GradMode.Disable();
        var (r, g) = (coarse.Shape[0], gtBoxes.Shape[0]);
        var pre = coarse.Detach();
        var labels = new long[r];
        if (g == 0)
        {
            Array.Fill(labels, numClasses);
            return (Tensor.From(labels, new Shape(r), coarse.Device), Tensor.Zeros(new Shape(r, 4), coarse.DType, coarse.Device));
        }
        var gt = gtBoxes.Detach().To(coarse.DType).To(coarse.Device);
        var iou = F.BoxIou(pre, gt).To(DType.F64).ToArray<double>();
        var gtl = gtLabels.ToArray<long>();
        var best = new long[r];
        for (var i = 0; i < r; i++)
        {
            var (m, a) = (double.NegativeInfinity, 0);
            for (var j = 0; j < g; j++)
            {
                var v = iou[i * g + j];
                if (double.IsNaN(v)) v = 0;
                if (v > m) (m, a) = (v, j);
            }
            best[i] = a;
            labels[i] = m >= iouThreshold ? gtl[a] : numClasses;
        }
        var matched = gt.IndexSelect(0, Tensor.From(best, new Shape(r), coarse.Device));
        return (Tensor.From(labels, new Shape(r), coarse.Device), F.EncodeBorderDeltas(pre, matched, std));
    }
}
