using Scratch.Models.Common.Detection;

namespace Scratch.Models.Fcos;

/// <summary>Inference hyper-parameters (cvpods FCOS test config).</summary>
/// <param name="ScoreThreshold">Keep candidates with σ(cls) above this (0.05).</param>
/// <param name="TopKPerLevel">At most this many candidates per level, by σ(cls) (1000; capped at Hi·Wi).</param>
/// <param name="NmsThreshold">Class-aware NMS IoU (0.6).</param>
/// <param name="MaxDetections">Detections kept per image (100).</param>
public sealed record FcosPostprocessOptions(double ScoreThreshold = 0.05, int TopKPerLevel = 1000,
    double NmsThreshold = 0.6, int MaxDetections = 100);

/// <summary>One level's top candidates of one image, before NMS: the location index within the level, the class,
/// σ(cls) and the decoded box.</summary>
/// <param name="Level">Level index.</param>
/// <param name="Location">Location index within the level (row-major).</param>
/// <param name="Class">Class index.</param>
/// <param name="Prob">σ(cls logit).</param>
public readonly record struct FcosCandidate(int Level, int Location, int Class, float Prob);

/// <summary>FCOS inference (cvpods <c>inference_single_image</c> + <c>detector_postprocess</c>).</summary>
public static class FcosPostprocess
{
    /// <summary>The top candidates of one image and level: p = σ(cls) over the Hi·Wi·C (location, class) pairs,
    /// sorted descending (stable: ties by location·C + class), the first min(TopK, Hi·Wi) kept, then those with
    /// p &gt; ScoreThreshold.</summary>
    /// <param name="clsLogits">[N, C, Hi, Wi] logits of one level.</param>
    /// <param name="image">Image index n.</param>
    /// <param name="level">Level index (copied into the candidates).</param>
    /// <param name="options">Thresholds.</param>
    public static List<FcosCandidate> TopCandidates(Tensor clsLogits, int image, int level, FcosPostprocessOptions options)
    {
        ArgumentNullException.ThrowIfNull(clsLogits);
        ArgumentNullException.ThrowIfNull(options);
        var (c, h, w) = (clsLogits.Size(1), clsLogits.Size(2), clsLogits.Size(3));
        var hw = h * w;
        var v = clsLogits.Select(0, image).Contiguous().To(DType.F32).ToArray<float>();
        var cand = new List<FcosCandidate>();
        var thr = options.ScoreThreshold;
        for (var k = 0; k < c; k++)
            for (var i = 0; i < hw; i++)
            {
                var p = 1f / (1f + MathF.Exp(-v[k * hw + i]));
                if (p > thr) cand.Add(new FcosCandidate(level, i, k, p));
            }
        // Descending probability, ties by the flat (location, class) index as a stable sort would give.
        cand.Sort((a, b) => a.Prob != b.Prob ? b.Prob.CompareTo(a.Prob)
            : ((long)a.Location * c + a.Class).CompareTo((long)b.Location * c + b.Class));
        var keep = Math.Min(options.TopKPerLevel, hw);
        if (cand.Count > keep) cand.RemoveRange(keep, cand.Count - keep);
        return cand;
    }

    /// <summary>Detections of image <paramref name="image"/>: for each level, <see cref="TopCandidates"/>; boxes
    /// (x − l, y − t, x + r, y + b) from the location and its box output; score √(σ(cls)·σ(centerness));
    /// class-aware NMS; the first MaxDetections; boxes clipped to (height, width) and empty ones dropped.</summary>
    /// <param name="head">Head outputs (box regression in pixels).</param>
    /// <param name="shifts">Per level [Hi·Wi, 2] locations.</param>
    /// <param name="image">Image index.</param>
    /// <param name="imageSize">The image's true (height, width).</param>
    /// <param name="options">Thresholds (defaults when null).</param>
    public static Detections Run(FcosHeadOutput head, IReadOnlyList<Tensor> shifts, int image, (int Height, int Width) imageSize,
        FcosPostprocessOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(shifts);
        options ??= new FcosPostprocessOptions();
        var boxes = new List<float>();
        var scores = new List<float>();
        var labels = new List<long>();
        for (var l = 0; l < head.Levels; l++)
        {
            var cand = TopCandidates(head.ClsLogits[l], image, l, options);
            if (cand.Count == 0) continue;
            var hw = head.ClsLogits[l].Size(2) * head.ClsLogits[l].Size(3);
            var reg = head.BoxRegression[l].Select(0, image).Contiguous().To(DType.F32).ToArray<float>();
            var ctr = head.Centerness[l].Select(0, image).Contiguous().To(DType.F32).ToArray<float>();
            var pts = shifts[l].To(DType.F32).ToArray<float>();
            foreach (var q in cand)
            {
                var i = q.Location;
                var (x, y) = (pts[2 * i], pts[2 * i + 1]);
                boxes.AddRange([x - reg[i], y - reg[hw + i], x + reg[2 * hw + i], y + reg[3 * hw + i]]);
                var pc = 1f / (1f + MathF.Exp(-ctr[i]));
                scores.Add(MathF.Sqrt(q.Prob * pc));
                labels.Add(q.Class);
            }
        }
        return Finish(boxes, scores, labels, imageSize, options);
    }

    /// <summary>Class-aware NMS, top MaxDetections, clipping to the image and dropping empty boxes (shared by FCOS
    /// and detectors built on it).</summary>
    public static Detections Finish(List<float> boxes, List<float> scores, List<long> labels, (int Height, int Width) imageSize,
        FcosPostprocessOptions options)
    {
        ArgumentNullException.ThrowIfNull(boxes);
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(options);
        var k = scores.Count;
        if (k == 0) return Empty();
        var bt = Tensor.From(boxes.ToArray(), new Shape(k, 4));
        var st = Tensor.From(scores.ToArray());
        var lt = Tensor.From(labels.ToArray());
        var keep = F.BatchedNms(bt, st, lt, options.NmsThreshold).ToArray<long>();
        var (h, w) = imageSize;
        var ob = new List<float>();
        var os = new List<float>();
        var ol = new List<long>();
        foreach (var i in keep.Take(options.MaxDetections))
        {
            var x1 = Math.Clamp(boxes[(int)(4 * i)], 0f, w);
            var y1 = Math.Clamp(boxes[(int)(4 * i + 1)], 0f, h);
            var x2 = Math.Clamp(boxes[(int)(4 * i + 2)], 0f, w);
            var y2 = Math.Clamp(boxes[(int)(4 * i + 3)], 0f, h);
            if (!(x2 > x1 && y2 > y1)) continue;
            ob.AddRange([x1, y1, x2, y2]);
            os.Add(scores[(int)i]);
            ol.Add(labels[(int)i]);
        }
        if (os.Count == 0) return Empty();
        return new Detections(Tensor.From(ob.ToArray(), new Shape(os.Count, 4)), Tensor.From(os.ToArray()), Tensor.From(ol.ToArray()));
    }

    /// <summary>No detections: [0, 4], [0], [0].</summary>
    public static Detections Empty() =>
        new(Tensor.Zeros(new Shape(0, 4)), Tensor.Zeros(new Shape(0)), Tensor.Zeros(new Shape(0), DType.I64));
}
