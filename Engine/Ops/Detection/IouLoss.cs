namespace Scratch;

public static partial class F
{
    /// <summary>Elementwise IoU-family loss between predicted and target boxes [..., 4], as cvpods' functional
    /// <c>iou_loss</c> (used by FCOS, BorderDet and AutoAssign). With ε = 2⁻²³ (float32 machine epsilon):
    /// area = max(0, x2 − x1)·max(0, y2 − y1) per box; I = max(0, min(x2) − max(x1))·max(0, min(y2) − max(y1));
    /// U = areaₚ + areaₜ − I; IoU = I / max(U, ε) (or (I + 1)/(U + 1) when <paramref name="smooth"/>);
    /// C = (max(x2) − min(x1))·(max(y2) − min(y1)); GIoU = IoU − (C − U)/max(C, ε).
    /// Loss: <see cref="IouLossKind.Iou"/> −ln max(IoU, ε), <see cref="IouLossKind.LinearIou"/> 1 − IoU,
    /// <see cref="IouLossKind.Giou"/> 1 − GIoU.</summary>
    /// <param name="input">Predictions [..., 4]: xyxy corners, or FCOS distances (l, t, r, b) from a point when
    /// <paramref name="ltrb"/> (then the box is (−l, −t, r, b) around the point).</param>
    /// <param name="target">Targets of input's shape and encoding.</param>
    /// <param name="kind">Iou, LinearIou or Giou.</param>
    /// <param name="ltrb">Whether boxes are FCOS (l, t, r, b) distances rather than xyxy corners.</param>
    /// <param name="weight">Optional per-box weight of shape [...] (input's shape without the last dim). With a
    /// weight, Mean divides Σ wᵢℓᵢ by max(Σ wᵢ, ε) (FCOS' centerness-weighted normalisation).</param>
    /// <param name="reduction">None (default, shape [...]), Mean or Sum.</param>
    /// <param name="smooth">Use the smoothed IoU (I + 1)/(U + 1).</param>
    /// <remarks>Differentiable in input and target (a composite of Min/Max/Clamp/Log). Gradients at the kinks of
    /// min/max are split as in PyTorch.</remarks>
    /// <exception cref="ShapeMismatchException">input is not [..., 4], target's shape differs, or weight is not
    /// input's shape without the last dim.</exception>
    public static Tensor IouLoss(Tensor input, Tensor target, IouLossKind kind = IouLossKind.Iou, bool ltrb = false,
        Tensor? weight = null, Reduction reduction = Reduction.None, bool smooth = false)
    {
        const string op = "IouLoss";
        RequireBoxes(input, op, "input");
        RequireLossPair(input, target, op);
        if (weight is not null)
        {
            RequireSame(input, weight, op, "weight");
            var expected = new Shape(input.Shape.Dims[..^1]);
            if (weight.Shape != expected)
                throw new ShapeMismatchException(op, "weight", expected.ToString(), weight.Shape.ToString());
        }
        const double eps = 1.1920928955078125e-07;
        var p = BoxCoords(input);
        var t = BoxCoords(target);
        if (ltrb)
        {
            p = [-p[0], -p[1], p[2], p[3]];
            t = [-t[0], -t[1], t[2], t[3]];
        }
        var areaP = (p[2] - p[0]).Clamp(0) * (p[3] - p[1]).Clamp(0);
        var areaT = (t[2] - t[0]).Clamp(0) * (t[3] - t[1]).Clamp(0);
        var w = (Minimum(p[2], t[2]) - Maximum(p[0], t[0])).Clamp(0);
        var h = (Minimum(p[3], t[3]) - Maximum(p[1], t[1])).Clamp(0);
        var inter = w * h;
        var union = areaT + areaP - inter;
        var iou = smooth ? (inter + 1) / (union + 1) : inter / union.Clamp(eps);
        Tensor loss;
        switch (kind)
        {
            case IouLossKind.Iou:
                loss = -iou.Clamp(eps).Log();
                break;
            case IouLossKind.LinearIou:
                loss = 1 - iou;
                break;
            case IouLossKind.Giou:
                var cw = Maximum(p[2], t[2]) - Minimum(p[0], t[0]);
                var ch = Maximum(p[3], t[3]) - Minimum(p[1], t[1]);
                var hull = cw * ch;
                loss = 1 - (iou - (hull - union) / hull.Clamp(eps));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind,
                    $"{op}: kind expected Iou, LinearIou or Giou, got {kind}.");
        }
        if (weight is null) return ApplyReduction(loss, reduction, op);
        loss = loss * weight;
        return reduction == Reduction.Mean
            ? loss.Sum() / Math.Max(weight.Detach().Sum().Item(), eps)
            : ApplyReduction(loss, reduction, op);
    }
}
