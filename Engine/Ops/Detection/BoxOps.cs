namespace Scratch;

public static partial class F
{
    /// <summary>Converts boxes [..., 4] between formats, as torchvision 0.14's <c>box_convert</c>:
    /// xywh → xyxy: (x, y, x + w, y + h); cxcywh → xyxy: (cx − ½w, cy − ½h, cx + ½w, cy + ½h);
    /// xyxy → xywh: (x1, y1, x2 − x1, y2 − y1); xyxy → cxcywh: (½(x1 + x2), ½(y1 + y2), x2 − x1, y2 − y1).
    /// Other pairs go through xyxy. Differentiable (a composite of Select, arithmetic and Stack).</summary>
    /// <exception cref="ShapeMismatchException">boxes is not [..., 4].</exception>
    public static Tensor BoxConvert(Tensor boxes, BoxFormat from, BoxFormat to)
    {
        RequireBoxes(boxes, "BoxConvert", "boxes");
        if (from == to) return boxes;
        var c = BoxCoords(boxes);
        Tensor[] xyxy = from switch
        {
            BoxFormat.Xyxy => c,
            BoxFormat.Xywh => [c[0], c[1], c[0] + c[2], c[1] + c[3]],
            BoxFormat.Cxcywh => [c[0] - 0.5 * c[2], c[1] - 0.5 * c[3], c[0] + 0.5 * c[2], c[1] + 0.5 * c[3]],
            _ => throw new ArgumentOutOfRangeException(nameof(from), from,
                $"BoxConvert: from expected a BoxFormat, got {from}."),
        };
        Tensor[] result = to switch
        {
            BoxFormat.Xyxy => xyxy,
            BoxFormat.Xywh => [xyxy[0], xyxy[1], xyxy[2] - xyxy[0], xyxy[3] - xyxy[1]],
            BoxFormat.Cxcywh =>
                [(xyxy[0] + xyxy[2]) / 2, (xyxy[1] + xyxy[3]) / 2, xyxy[2] - xyxy[0], xyxy[3] - xyxy[1]],
            _ => throw new ArgumentOutOfRangeException(nameof(to), to,
                $"BoxConvert: to expected a BoxFormat, got {to}."),
        };
        return Stack(result, -1);
    }

    /// <summary>Areas (x2 − x1)·(y2 − y1) of xyxy boxes [..., 4] → [...] (negative for inverted boxes, as in
    /// torchvision's <c>box_area</c>). Differentiable.</summary>
    /// <exception cref="ShapeMismatchException">boxes is not [..., 4].</exception>
    public static Tensor BoxArea(Tensor boxes)
    {
        RequireBoxes(boxes, "BoxArea", "boxes");
        var c = BoxCoords(boxes);
        return (c[2] - c[0]) * (c[3] - c[1]);
    }

    /// <summary>Clamps xyxy boxes [..., 4] to an image: x into [0, width], y into [0, height]
    /// (torchvision's <c>clip_boxes_to_image</c>). Differentiable (Clamp: zero gradient where clipped).</summary>
    /// <exception cref="ArgumentOutOfRangeException">height or width is negative.</exception>
    public static Tensor ClipBoxesToImage(Tensor boxes, int height, int width)
    {
        RequireBoxes(boxes, "ClipBoxesToImage", "boxes");
        if (height < 0)
            throw new ArgumentOutOfRangeException(nameof(height), height,
                $"ClipBoxesToImage: height expected >= 0, got {height}.");
        if (width < 0)
            throw new ArgumentOutOfRangeException(nameof(width), width,
                $"ClipBoxesToImage: width expected >= 0, got {width}.");
        var c = BoxCoords(boxes);
        return Stack([c[0].Clamp(0, width), c[1].Clamp(0, height), c[2].Clamp(0, width), c[3].Clamp(0, height)], -1);
    }

    /// <summary>Indices (int64, increasing) of the xyxy boxes [K, 4] whose width x2 − x1 and height y2 − y1 are both
    /// ≥ <paramref name="minSize"/> (torchvision's <c>remove_small_boxes</c>; NaN sizes are removed).</summary>
    /// <exception cref="ShapeMismatchException">boxes is not [K, 4].</exception>
    public static Tensor RemoveSmallBoxes(Tensor boxes, double minSize)
    {
        RequireBoxes(boxes, "RemoveSmallBoxes", "boxes", rank2: true);
        var v = boxes.ToDoubleArray();
        var keep = new List<double>();
        for (var i = 0; i < boxes.Shape[0]; i++)
            if (v[4 * i + 2] - v[4 * i] >= minSize && v[4 * i + 3] - v[4 * i + 1] >= minSize) keep.Add(i);
        return Tensor.FromDoubles([.. keep], new Shape(keep.Count), DType.I64, boxes.Device);
    }

    /// <summary>Pairwise IoU of xyxy boxes a [N, 4] and b [M, 4] → [N, M] (torchvision's <c>box_iou</c>):
    /// inter = max(0, min(x2ᵃ, x2ᵇ) − max(x1ᵃ, x1ᵇ))·max(0, min(y2ᵃ, y2ᵇ) − max(y1ᵃ, y1ᵇ)),
    /// IoU = inter / (areaᵃ + areaᵇ − inter). Two empty boxes give NaN (0/0), as in torchvision.
    /// Differentiable.</summary>
    /// <exception cref="ShapeMismatchException">a or b is not [K, 4].</exception>
    public static Tensor BoxIou(Tensor a, Tensor b) => PairwiseIou(a, b, "BoxIou", generalized: false);

    /// <summary>Pairwise generalized IoU of xyxy boxes a [N, 4] and b [M, 4] → [N, M] (torchvision's
    /// <c>generalized_box_iou</c>): GIoU = IoU − (C − U)/C with U the union and C the area of the smallest enclosing
    /// box. Values in [−1, 1]. Differentiable.</summary>
    /// <exception cref="ShapeMismatchException">a or b is not [K, 4].</exception>
    public static Tensor GeneralizedBoxIou(Tensor a, Tensor b) =>
        PairwiseIou(a, b, "GeneralizedBoxIou", generalized: true);

    private static Tensor PairwiseIou(Tensor a, Tensor b, string op, bool generalized)
    {
        RequireBoxes(a, op, "a", rank2: true);
        RequireBoxes(b, op, "b", rank2: true);
        RequireSame(a, b, op, "b");
        var (n, m) = (a.Shape[0], b.Shape[0]);
        var ca = BoxCoords(a).Select(t => t.Reshape(n, 1)).ToArray();
        var cb = BoxCoords(b).Select(t => t.Reshape(1, m)).ToArray();
        var areaA = (ca[2] - ca[0]) * (ca[3] - ca[1]);
        var areaB = (cb[2] - cb[0]) * (cb[3] - cb[1]);
        var w = (Minimum(ca[2], cb[2]) - Maximum(ca[0], cb[0])).Clamp(0);
        var h = (Minimum(ca[3], cb[3]) - Maximum(ca[1], cb[1])).Clamp(0);
        var inter = w * h;
        var union = areaA + areaB - inter;
        var iou = inter / union;
        if (!generalized) return iou;
        var cw = (Maximum(ca[2], cb[2]) - Minimum(ca[0], cb[0])).Clamp(0);
        var ch = (Maximum(ca[3], cb[3]) - Minimum(ca[1], cb[1])).Clamp(0);
        var hull = cw * ch;
        return iou - (hull - union) / hull;
    }

    /// <summary>The four coordinate planes boxes[..., k] (views, differentiable).</summary>
    private static Tensor[] BoxCoords(Tensor boxes) =>
        [boxes.Select(-1, 0), boxes.Select(-1, 1), boxes.Select(-1, 2), boxes.Select(-1, 3)];

    /// <summary>Checks boxes: floating, rank ≥ 1 (exactly 2 when <paramref name="rank2"/>), last dim 4.</summary>
    internal static void RequireBoxes(Tensor boxes, string op, string arg, bool rank2 = false)
    {
        RequireFloating(boxes, op, arg);
        if ((rank2 ? boxes.Rank != 2 : boxes.Rank < 1) || boxes.Shape[-1] != 4)
            throw new ShapeMismatchException(op, arg, rank2 ? "[K, 4]" : "[..., 4]", boxes.Shape.ToString());
    }
}
