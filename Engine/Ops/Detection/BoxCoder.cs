namespace Scratch;

public static partial class F
{
    /// <summary>detectron2's default <c>Box2BoxTransform</c> scale clamp, ln(1000/16): decoded boxes grow at most
    /// 62.5× per side.</summary>
    public static readonly double DefaultBoxScaleClamp = Math.Log(1000.0 / 16);

    /// <summary>Box regression targets of detectron2's <c>Box2BoxTransform.get_deltas</c>: with widths w = x2 − x1,
    /// heights h and centres c = x1 + ½w of the source (s) and target (t) boxes,
    /// (wx·(tcx − scx)/sw, wy·(tcy − scy)/sh, ww·ln(tw/sw), wh·ln(th/sh)). Faster R-CNN's box head uses weights
    /// (10, 10, 5, 5), the RPN (1, 1, 1, 1). Differentiable (composite).</summary>
    /// <param name="source">Source boxes (anchors or proposals) [..., 4] xyxy.</param>
    /// <param name="target">Target boxes [..., 4] xyxy, same shape, dtype and device.</param>
    /// <param name="weights">(wx, wy, ww, wh), each positive and finite; null for (1, 1, 1, 1).</param>
    /// <returns>Deltas [..., 4] (dx, dy, dw, dh).</returns>
    /// <exception cref="ShapeMismatchException">source or target is not [..., 4], or their shapes differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException">a weight is not positive and finite.</exception>
    public static Tensor EncodeBoxDeltas(Tensor source, Tensor target,
        (double X, double Y, double W, double H)? weights = null)
    {
        const string op = "EncodeBoxDeltas";
        var wt = RequireCoderPair(source, target, weights, op, nameof(source), nameof(target));
        var s = BoxCoords(source);
        var t = BoxCoords(target);
        var (sw, sh, tw, th) = (s[2] - s[0], s[3] - s[1], t[2] - t[0], t[3] - t[1]);
        var (scx, scy, tcx, tcy) = (s[0] + 0.5 * sw, s[1] + 0.5 * sh, t[0] + 0.5 * tw, t[1] + 0.5 * th);
        return Stack([wt.X * (tcx - scx) / sw, wt.Y * (tcy - scy) / sh, wt.W * (tw / sw).Log(),
            wt.H * (th / sh).Log()], -1);
    }

    /// <summary>Applies regression deltas to boxes, as detectron2's <c>Box2BoxTransform.apply_deltas</c>:
    /// dx = d₀/wx, dy = d₁/wy, dw = min(d₂/ww, scaleClamp), dh = min(d₃/wh, scaleClamp); with the box's w, h and
    /// centre (cx, cy): centre (dx·w + cx, dy·h + cy), size (e^dw·w, e^dh·h), returned as xyxy
    /// (centre ∓ ½ size). Several (class-specific) deltas per box are allowed: deltas [..., 4k] decode each group of
    /// 4 against the same box. Inverse of <see cref="EncodeBoxDeltas"/> while the clamp is inactive.
    /// Differentiable in deltas and boxes (the clamp passes no gradient where it binds).</summary>
    /// <param name="deltas">[..., 4k] (dx, dy, dw, dh) groups.</param>
    /// <param name="boxes">[..., 4] xyxy with the same leading shape, dtype and device.</param>
    /// <param name="weights">(wx, wy, ww, wh), each positive and finite; null for (1, 1, 1, 1).</param>
    /// <param name="scaleClamp">Upper bound of dw, dh; null for <see cref="DefaultBoxScaleClamp"/>.</param>
    /// <returns>[..., 4k] xyxy boxes.</returns>
    /// <exception cref="ShapeMismatchException">boxes is not [..., 4], deltas' last dim is not a positive multiple
    /// of 4, or the leading shapes differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException">a weight is not positive and finite, or scaleClamp is NaN.
    /// </exception>
    public static Tensor DecodeBoxDeltas(Tensor deltas, Tensor boxes,
        (double X, double Y, double W, double H)? weights = null, double? scaleClamp = null)
    {
        const string op = "DecodeBoxDeltas";
        RequireBoxes(boxes, op, nameof(boxes));
        RequireFloating(deltas, op, nameof(deltas));
        RequireSame(boxes, deltas, op, nameof(deltas));
        var lead = boxes.Shape.ToArray()[..^1];
        if (deltas.Rank != boxes.Rank || !deltas.Shape.ToArray()[..^1].SequenceEqual(lead) ||
            deltas.Shape[-1] % 4 != 0 || deltas.Shape[-1] == 0)
            throw new ShapeMismatchException(op, nameof(deltas),
                $"[{string.Join(", ", lead.Select(d => d.ToString()).Append("4k"))}]", deltas.Shape.ToString());
        var wt = RequireWeights(weights, op);
        var clamp = scaleClamp ?? DefaultBoxScaleClamp;
        if (double.IsNaN(clamp))
            throw new ArgumentOutOfRangeException(nameof(scaleClamp), clamp, $"{op}: scaleClamp expected a number, got NaN.");
        var k = deltas.Shape[-1] / 4;
        var d = BoxCoords(deltas.Reshape([.. lead, k, 4]));
        var b = BoxCoords(boxes.Unsqueeze(-2));
        var (w, h) = (b[2] - b[0], b[3] - b[1]);
        var (cx, cy) = (b[0] + 0.5 * w, b[1] + 0.5 * h);
        var (px, py) = (d[0] / wt.X * w + cx, d[1] / wt.Y * h + cy);
        var pw = (d[2] / wt.W).Clamp(max: clamp).Exp() * w;
        var ph = (d[3] / wt.H).Clamp(max: clamp).Exp() * h;
        return Stack([px - 0.5 * pw, py - 0.5 * ph, px + 0.5 * pw, py + 0.5 * ph], -1).Reshape([.. lead, 4 * k]);
    }

    /// <summary>FCOS regression targets (cvpods <c>Shift2BoxTransform.get_deltas</c> with FCOS's
    /// NORM_REG_TARGETS): the distances from point (x, y) to the sides of box (x1, y1, x2, y2),
    /// (x − x1, y − y1, x2 − x, y2 − y) / stride. Differentiable (composite).</summary>
    /// <param name="points">[..., 2] (x, y).</param>
    /// <param name="boxes">[..., 4] xyxy with the same leading shape, dtype and device.</param>
    /// <param name="stride">Normaliser &gt; 0 (the level stride; 1 for raw distances).</param>
    /// <returns>[..., 4] (l, t, r, b); all positive exactly when the point lies inside the box.</returns>
    /// <exception cref="ShapeMismatchException">points is not [..., 2] or boxes is not [..., 4] with the same leading
    /// shape.</exception>
    /// <exception cref="ArgumentOutOfRangeException">stride is not positive and finite.</exception>
    public static Tensor EncodeLtrb(Tensor points, Tensor boxes, double stride = 1.0)
    {
        const string op = "EncodeLtrb";
        RequirePoints(points, boxes, stride, op, nameof(boxes));
        var (x, y) = (points.Select(-1, 0), points.Select(-1, 1));
        var b = BoxCoords(boxes);
        return Stack([x - b[0], y - b[1], b[2] - x, b[3] - y], -1) / stride;
    }

    /// <summary>Boxes from FCOS distances (cvpods <c>Shift2BoxTransform.apply_deltas</c>; FCOS multiplies by the
    /// stride): (x − l·s, y − t·s, x + r·s, y + b·s). Inverse of <see cref="EncodeLtrb"/>. Differentiable.</summary>
    /// <param name="points">[..., 2] (x, y).</param>
    /// <param name="ltrb">[..., 4] (l, t, r, b) with the same leading shape, dtype and device.</param>
    /// <param name="stride">Scale s &gt; 0.</param>
    /// <returns>[..., 4] xyxy.</returns>
    /// <exception cref="ShapeMismatchException">points is not [..., 2] or ltrb is not [..., 4] with the same leading
    /// shape.</exception>
    /// <exception cref="ArgumentOutOfRangeException">stride is not positive and finite.</exception>
    public static Tensor DecodeLtrb(Tensor points, Tensor ltrb, double stride = 1.0)
    {
        const string op = "DecodeLtrb";
        RequirePoints(points, ltrb, stride, op, nameof(ltrb));
        var (x, y) = (points.Select(-1, 0), points.Select(-1, 1));
        var d = BoxCoords(ltrb * stride);
        return Stack([x - d[0], y - d[1], x + d[2], y + d[3]], -1);
    }

    /// <summary>BorderDet border-branch regression targets: (target − coarse) / (std·(w, h, w, h)) with w, h the
    /// coarse box's size (cvpods BorderDet, BBOX_STD = 0.5). Differentiable (composite).</summary>
    /// <param name="coarse">Coarse boxes [..., 4] xyxy.</param>
    /// <param name="target">Target boxes [..., 4], same shape, dtype and device.</param>
    /// <param name="std">Normaliser &gt; 0 (0.5 in BorderDet).</param>
    /// <returns>[..., 4] deltas.</returns>
    /// <exception cref="ShapeMismatchException">coarse or target is not [..., 4], or their shapes differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException">std is not positive and finite.</exception>
    public static Tensor EncodeBorderDeltas(Tensor coarse, Tensor target, double std = 0.5)
    {
        const string op = "EncodeBorderDeltas";
        RequireCoderPair(coarse, target, (std, std, std, std), op, nameof(coarse), nameof(target), "std");
        return (target - coarse) / (std * BoxSizes(coarse));
    }

    /// <summary>BorderDet refined boxes: coarse + deltas·std·(w, h, w, h) with w, h the coarse box's size. Inverse of
    /// <see cref="EncodeBorderDeltas"/>. Differentiable.</summary>
    /// <param name="deltas">[..., 4].</param>
    /// <param name="coarse">Coarse boxes [..., 4] xyxy, same shape, dtype and device.</param>
    /// <param name="std">Normaliser &gt; 0 (0.5 in BorderDet).</param>
    /// <returns>[..., 4] xyxy.</returns>
    /// <exception cref="ShapeMismatchException">deltas or coarse is not [..., 4], or their shapes differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException">std is not positive and finite.</exception>
    public static Tensor DecodeBorderDeltas(Tensor deltas, Tensor coarse, double std = 0.5)
    {
        const string op = "DecodeBorderDeltas";
        RequireCoderPair(coarse, deltas, (std, std, std, std), op, nameof(coarse), nameof(deltas), "std");
        return coarse + deltas * (std * BoxSizes(coarse));
    }

    /// <summary>(w, h, w, h) of xyxy boxes [..., 4].</summary>
    private static Tensor BoxSizes(Tensor boxes)
    {
        var c = BoxCoords(boxes);
        var (w, h) = (c[2] - c[0], c[3] - c[1]);
        return Stack([w, h, w, h], -1);
    }

    private static (double X, double Y, double W, double H) RequireCoderPair(Tensor a, Tensor b,
        (double X, double Y, double W, double H)? weights, string op, string argA, string argB,
        string weightsName = "weights")
    {
        RequireBoxes(a, op, argA);
        RequireBoxes(b, op, argB);
        RequireSame(a, b, op, argB);
        if (a.Shape != b.Shape) throw new ShapeMismatchException(op, argB, a.Shape.ToString(), b.Shape.ToString());
        return RequireWeights(weights, op, weightsName);
    }

    private static (double X, double Y, double W, double H) RequireWeights(
        (double X, double Y, double W, double H)? weights, string op, string name = "weights")
    {
        var w = weights ?? (1, 1, 1, 1);
        foreach (var v in new[] { w.X, w.Y, w.W, w.H })
            if (!(v > 0 && double.IsFinite(v)))
                throw new ArgumentOutOfRangeException(name, v, $"{op}: {name} expected positive finite values, got {v}.");
        return w;
    }

    private static void RequirePoints(Tensor points, Tensor boxes, double stride, string op, string boxesArg)
    {
        RequireFloating(points, op, nameof(points));
        if (points.Rank < 1 || points.Shape[-1] != 2)
            throw new ShapeMismatchException(op, nameof(points), "[..., 2] (x, y)", points.Shape.ToString());
        RequireBoxes(boxes, op, boxesArg);
        RequireSame(points, boxes, op, boxesArg);
        if (boxes.Rank != points.Rank || !boxes.Shape.ToArray()[..^1].SequenceEqual(points.Shape.ToArray()[..^1]))
            throw new ShapeMismatchException(op, boxesArg, "[..., 4] with the leading shape of points",
                boxes.Shape.ToString());
        if (!(stride > 0 && double.IsFinite(stride)))
            throw new ArgumentOutOfRangeException(nameof(stride), stride,
                $"{op}: stride expected a positive finite value, got {stride}.");
    }

    /// <summary>Online hard example mining as Light-Head R-CNN's <c>sum_ohem_loss</c>: the indices of the
    /// min(k, R) largest per-example losses (e.g. classification + box loss per RoI), largest first, ties to the
    /// lower index (stable, as tf.nn.top_k). Not differentiable (indices); gather the kept losses with IndexSelect.
    /// </summary>
    /// <param name="losses">[R] per-example losses (floating).</param>
    /// <param name="k">Number to keep, ≥ 0 (Light-Head: 256 per image).</param>
    /// <returns>[min(k, R)] I64 indices on losses' device.</returns>
    /// <exception cref="ShapeMismatchException">losses is not 1-D.</exception>
    /// <exception cref="ArgumentOutOfRangeException">k is negative.</exception>
    public static Tensor OhemTopK(Tensor losses, int k)
    {
        const string op = "OhemTopK";
        RequireFloating(losses, op, nameof(losses));
        if (losses.Rank != 1) throw new ShapeMismatchException(op, nameof(losses), "[R]", losses.Shape.ToString());
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), k, $"{op}: k expected >= 0, got {k}.");
        var order = losses.Detach().Argsort(0, descending: true, stable: true);
        return order.Narrow(0, 0, Math.Min(k, losses.Shape[0]));
    }
}
