using Scratch.Autograd;
using Scratch.Models.Common.Detection;

namespace Scratch.Models.BorderDet;

/// <summary>Outputs of one FPN level for one image, as BorderDet's inference reads them (location-major rows
/// as <c>permute(0, 2, 3, 1)</c>).</summary>
/// <param name="ClsLogits">FCOS class logits [L, K].</param>
/// <param name="CenternessLogits">FCOS centerness logits [L] or [L, 1].</param>
/// <param name="BorderLogits">Border class logits [L, K].</param>
/// <param name="BorderDeltas">Border deltas [L, 4].</param>
/// <param name="CoarseBoxes">Coarse boxes [L, 4] in input pixels (<see cref="BorderHead.CoarseBoxes"/>).</param>
public sealed record BorderLevelOutputs(Tensor ClsLogits, Tensor CenternessLogits, Tensor BorderLogits,
    Tensor BorderDeltas, Tensor CoarseBoxes);

/// <summary>BorderDet inference (cvpods <c>inference_single_image</c> + <c>detector_postprocess</c>).</summary>
public static class BorderPostprocess
{
    /// <summary>Detections of one image.</summary>
    /// <remarks>
    /// Per level: s₁ = √(σ(cls)·σ(ctr)) per (location, class); candidates are s₁ &gt; scoreThreshold; their score
    /// s = s₁·σ(border cls) is sorted descending (stable: ties keep row-major order) and the first
    /// <paramref name="topK"/> are kept; box = coarse + Δ·std·(w, h, w, h) of the coarse box; final score √s. Over
    /// all levels: class-aware NMS (<paramref name="nmsThreshold"/>), then, when more than
    /// <paramref name="maxDetections"/> survive, those scoring at least the maxDetections-th best (kthvalue: ties
    /// may keep more). Finally boxes are clipped to the image and empty boxes (w or h ≤ 0) dropped, as
    /// detectron2's <c>detector_postprocess</c>. Boxes and scores are float32.
    /// </remarks>
    /// <exception cref="ArgumentException">levels is empty or a level's shapes disagree.</exception>
    public static Detections Single(IReadOnlyList<BorderLevelOutputs> levels, (int Height, int Width) imageSize,
        double scoreThreshold = 0.05, int topK = 1000, double nmsThreshold = 0.6, int maxDetections = 100,
        double std = 0.5)
    {
        ArgumentNullException.ThrowIfNull(levels);
        if (levels.Count == 0) throw new ArgumentException("BorderPostprocess: levels expected ≥ 1, got 0.", nameof(levels));
        using var _ = GradMode.Disable();
        var boxes = new List<float>();
        var scores = new List<float>();
        var classes = new List<long>();
        foreach (var lv in levels)
        {
            var (l, k) = (lv.ClsLogits.Shape[0], lv.ClsLogits.Shape[1]);
            if (lv.BorderLogits.Shape != lv.ClsLogits.Shape || lv.CenternessLogits.Shape.Numel != l
                || lv.BorderDeltas.Shape != new Shape(l, 4) || lv.CoarseBoxes.Shape != new Shape(l, 4))
                throw new ArgumentException(
                    $"BorderPostprocess: level shapes expected cls [L, K], ctr [L], border [L, K], deltas and coarse [L, 4]; got "
                    + $"{lv.ClsLogits.Shape}, {lv.CenternessLogits.Shape}, {lv.BorderLogits.Shape}, {lv.BorderDeltas.Shape}, "
                    + $"{lv.CoarseBoxes.Shape}.", nameof(levels));
            var cls = Host(F.Sigmoid(lv.ClsLogits));
            var ctr = Host(F.Sigmoid(lv.CenternessLogits));
            var bcls = Host(F.Sigmoid(lv.BorderLogits));
            var delta = Host(lv.BorderDeltas);
            var coarse = Host(lv.CoarseBoxes);
            var cand = new List<(double Score, int Row, int Cls)>();
            for (var i = 0; i < l; i++)
                for (var c = 0; c < k; c++)
                {
                    var s1 = Math.Sqrt(cls[i * k + c] * ctr[i]);
                    if (s1 > scoreThreshold) cand.Add((s1 * bcls[i * k + c], i, c));
                }
            var order = cand.Select((v, j) => (v, j)).OrderByDescending(t => t.v.Score).ThenBy(t => t.j)
                .Take(topK).Select(t => t.v);
            foreach (var (s, i, c) in order)
            {
                var (x1, y1, x2, y2) = (coarse[i * 4], coarse[i * 4 + 1], coarse[i * 4 + 2], coarse[i * 4 + 3]);
                var (w, h) = (x2 - x1, y2 - y1);
                boxes.Add((float)(x1 + delta[i * 4] * std * w));
                boxes.Add((float)(y1 + delta[i * 4 + 1] * std * h));
                boxes.Add((float)(x2 + delta[i * 4 + 2] * std * w));
                boxes.Add((float)(y2 + delta[i * 4 + 3] * std * h));
                scores.Add((float)Math.Sqrt(s));
                classes.Add(c);
            }
        }
        var n = scores.Count;
        var bt = Tensor.From(boxes.ToArray(), new Shape(n, 4));
        var st = Tensor.From(scores.ToArray(), new Shape(n));
        var ct = Tensor.From(classes.ToArray(), new Shape(n));
        var keep = F.BatchedNms(bt, st, ct, nmsThreshold).ToArray<long>();
        if (keep.Length > maxDetections && maxDetections > 0)
        {
            var sorted = keep.Select(i => scores[(int)i]).Order().ToArray();
            var thresh = sorted[keep.Length - maxDetections];
            keep = [.. keep.Where(i => scores[(int)i] >= thresh)];
        }
        var ob = new List<float>();
        var os = new List<float>();
        var oc = new List<long>();
        foreach (var i in keep)
        {
            var b = new float[4];
            for (var j = 0; j < 4; j++)
                b[j] = Math.Clamp(boxes[(int)i * 4 + j], 0f, j % 2 == 0 ? imageSize.Width : imageSize.Height);
            if (!(b[2] - b[0] > 0 && b[3] - b[1] > 0)) continue;
            ob.AddRange(b);
            os.Add(scores[(int)i]);
            oc.Add(classes[(int)i]);
        }
        return new Detections(Tensor.From(ob.ToArray(), new Shape(os.Count, 4)), Tensor.From(os.ToArray(), new Shape(os.Count)),
            Tensor.From(oc.ToArray(), new Shape(oc.Count)));
    }

    private static double[] Host(Tensor t) => t.Detach().To(DType.F64).ToArray<double>();
}
