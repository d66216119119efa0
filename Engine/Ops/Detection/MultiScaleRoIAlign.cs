using System.Numerics;

namespace Scratch;

public static partial class F
{
    /// <summary>Multi-scale RoIAlign over a feature pyramid, exactly as torchvision 0.14's
    /// <c>ops.MultiScaleRoIAlign</c>: each box is pooled with <see cref="RoIAlign(Tensor, Tensor, ValueTuple{int, int}, double, int, bool)"/>
    /// (legacy, aligned = false) from the pyramid level that the FPN heuristic (Lin et al. 2017, eq. 1) assigns to
    /// its size.</summary>
    /// <remarks>
    /// Scales: with (H₀, W₀) = (max image height, max image width) over <paramref name="imageShapes"/>, level l's
    /// scale is sₗ = 2^round(log₂(Hₗ / H₀)) (Hₗ the feature height; float32 log₂, round half to even, as
    /// torchvision), and k_min = −log₂ s₀, k_max = −log₂ s_last, so <paramref name="features"/> go from the finest
    /// to the coarsest map. Level of a box (x1, y1, x2, y2) in image coordinates (see
    /// <see cref="FpnLevels"/>): k = clamp(⌊k₀ + log₂(√area / s₀) + 10⁻⁶⌋, k_min, k_max) with s₀ =
    /// <paramref name="canonicalScale"/>, k₀ = <paramref name="canonicalLevel"/>; it is pooled from
    /// features[k − k_min] with spatial scale s_k. With one feature map every box uses it and no level is computed.
    /// The output rows follow the input boxes: image 0's boxes first, in their order, then image 1's, and so on.
    /// Boxes whose level is NaN (negative area, i.e. x2 &lt; x1 xor y2 &lt; y1, or NaN coordinates) pool nothing and
    /// give a zero row, as torchvision (whose NaN level matches no level). Unlike torchvision's module, which keeps
    /// the scales of its first call, the scales are computed from <paramref name="imageShapes"/> on every call.
    /// Backward: through RoIAlign to each feature map (the boxes get no gradient).
    /// </remarks>
    /// <param name="features">The pyramid, finest first: [N, C, Hₗ, Wₗ] each, one dtype (float32 or float64), one
    /// device, the same N and C.</param>
    /// <param name="boxes">One [Kᵢ, 4] xyxy tensor per image (N of them) in image coordinates, the features'
    /// dtype and device.</param>
    /// <param name="imageShapes">(height, width) of each image before the backbone (at least one, positive).</param>
    /// <param name="outputSize">(ph, pw) ≥ 1.</param>
    /// <param name="samplingRatio">RoIAlign samples per bin and axis; ≤ 0 for adaptive.</param>
    /// <param name="canonicalScale">s₀ of the level heuristic (224).</param>
    /// <param name="canonicalLevel">k₀ of the level heuristic (4).</param>
    /// <returns>[ΣKᵢ, C, ph, pw].</returns>
    /// <exception cref="ArgumentException">No feature maps, or no image shapes, or a non-positive image size.
    /// </exception>
    /// <exception cref="ShapeMismatchException">A feature map is not 4-D or differs from the first in N or C, the
    /// number of box tensors is not N, or a box tensor is not [Kᵢ, 4].</exception>
    /// <exception cref="DTypeMismatchException">Mixed dtypes.</exception>
    /// <exception cref="DeviceMismatchException">Mixed devices.</exception>
    public static Tensor MultiScaleRoIAlign(IReadOnlyList<Tensor> features, IReadOnlyList<Tensor> boxes,
        IReadOnlyList<(int Height, int Width)> imageShapes, (int Height, int Width) outputSize, int samplingRatio,
        int canonicalScale = 224, int canonicalLevel = 4)
    {
        const string op = "MultiScaleRoIAlign";
        CheckPyramid(features, boxes, imageShapes, op);
        var first = features[0];
        var scales = PyramidScales(features, imageShapes);
        var rois = ConcatRois(boxes, first);
        if (features.Count == 1 || rois.Shape[0] == 0)
            return RoIAlign(first, rois, outputSize, scales[0], samplingRatio, aligned: false);
        var kMin = (int)-Math.Log2(scales[0]);
        var kMax = (int)-Math.Log2(scales[^1]);
        var levels = FpnLevels(Cat(boxes, 0), kMin, kMax, canonicalScale, canonicalLevel).ToDoubleArray();
        var r = rois.ToDoubleArray();
        // Pool each level's boxes (in box order), then put the rows back in box order.
        var parts = new List<Tensor>();
        var position = new double[levels.Length];
        var next = 0;
        for (var level = -1; level < features.Count; level++)
        {
            var picked = Enumerable.Range(0, levels.Length).Where(i => (int)levels[i] == level).ToArray();
            if (picked.Length == 0) continue;
            foreach (var i in picked) position[i] = next++;
            if (level < 0)
            {
                parts.Add(Tensor.Zeros(new Shape(picked.Length, first.Shape[1], outputSize.Height, outputSize.Width),
                    first.DType, first.Device));
                continue;
            }
            var sub = new double[5 * picked.Length];
            for (var j = 0; j < picked.Length; j++) Array.Copy(r, 5 * picked[j], sub, 5 * j, 5);
            var subRois = FromDoublesOn(sub, new Shape(picked.Length, 5), first);
            parts.Add(RoIAlign(features[level], subRois, outputSize, scales[level], samplingRatio, aligned: false));
        }
        var pooled = parts.Count == 1 ? parts[0] : Cat(parts, 0);
        return IndexSelect(pooled, 0, Tensor.FromDoubles(position, new Shape(position.Length), DType.I64, first.Device));
    }

    /// <summary>MultiScaleRoIAlign with a square output size.</summary>
    public static Tensor MultiScaleRoIAlign(IReadOnlyList<Tensor> features, IReadOnlyList<Tensor> boxes,
        IReadOnlyList<(int Height, int Width)> imageShapes, int outputSize, int samplingRatio,
        int canonicalScale = 224, int canonicalLevel = 4) =>
        MultiScaleRoIAlign(features, boxes, imageShapes, (outputSize, outputSize), samplingRatio, canonicalScale,
            canonicalLevel);

    /// <summary>The FPN level index of each box (torchvision's <c>LevelMapper</c>):
    /// clamp(⌊k₀ + log₂(√area / s₀) + 10⁻⁶⌋, k_min, k_max) − k_min, computed in the boxes' dtype (float32 boxes
    /// round as torchvision's float32 tensors do).</summary>
    /// <remarks>area = (x2 − x1)(y2 − y1); a zero area gives log₂ 0 = −∞ and so k_min; a NaN level (negative area or
    /// NaN coordinates) gives −1. Not differentiable.</remarks>
    /// <param name="boxes">[K, 4] xyxy boxes in image coordinates (float32 or float64).</param>
    /// <param name="kMin">Finest level (e.g. 2 for a stride-4 P2).</param>
    /// <param name="kMax">Coarsest level, ≥ kMin.</param>
    /// <param name="canonicalScale">s₀ (224).</param>
    /// <param name="canonicalLevel">k₀ (4).</param>
    /// <returns>[K] int64 in [0, kMax − kMin], or −1.</returns>
    /// <exception cref="ShapeMismatchException">boxes is not [K, 4].</exception>
    /// <exception cref="ArgumentOutOfRangeException">kMax &lt; kMin or canonicalScale ≤ 0.</exception>
    public static Tensor FpnLevels(Tensor boxes, int kMin, int kMax, int canonicalScale = 224, int canonicalLevel = 4)
    {
        const string op = "FpnLevels";
        RequireFloating(boxes, op);
        if (boxes.Rank != 2 || boxes.Shape[1] != 4)
            throw new ShapeMismatchException(op, "boxes", "[K, 4] (x1, y1, x2, y2)", boxes.Shape.ToString());
        if (kMax < kMin)
            throw new ArgumentOutOfRangeException(nameof(kMax), kMax, $"{op}: kMax expected ≥ kMin = {kMin}, got {kMax}.");
        if (canonicalScale <= 0)
            throw new ArgumentOutOfRangeException(nameof(canonicalScale), canonicalScale,
                $"{op}: canonicalScale expected positive, got {canonicalScale}.");
        var b = boxes.Detach().Materialize();
        var levels = boxes.DType == DType.F32
            ? Levels(b.HostArray<float>(), b.Offset, boxes.Shape[0], kMin, kMax, canonicalScale, canonicalLevel)
            : Levels(b.HostArray<double>(), b.Offset, boxes.Shape[0], kMin, kMax, canonicalScale, canonicalLevel);
        return Tensor.FromDoubles(levels, new Shape(levels.Length), DType.I64, boxes.Device);
    }

    private static double[] Levels<T>(T[] b, long o, int k, int kMin, int kMax, int s0, int k0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var levels = new double[k];
        var eps = T.CreateChecked(1e-6);
        for (var i = 0; i < k; i++)
        {
            var at = o + 4L * i;
            var s = T.Sqrt((b[at + 2] - b[at]) * (b[at + 3] - b[at + 1]));
            var level = T.Floor(T.CreateChecked(k0) + T.Log2(s / T.CreateChecked(s0)) + eps);
            levels[i] = T.IsNaN(level) ? -1 : Math.Clamp(double.CreateChecked(level), kMin, kMax) - kMin;
        }
        return levels;
    }

    /// <summary>sₗ = 2^round(log₂(Hₗ / H₀)) per feature map, H₀ the largest image height (torchvision's
    /// _infer_scale: the ratio rounded to float32, float32 log₂, round half to even).</summary>
    private static double[] PyramidScales(IReadOnlyList<Tensor> features, IReadOnlyList<(int Height, int Width)> shapes)
    {
        var maxH = shapes.Max(s => s.Height);
        return features.Select(f =>
            Math.Pow(2, Math.Round(MathF.Log2((float)((double)f.Shape[2] / maxH)), MidpointRounding.ToEven))).ToArray();
    }

    /// <summary>[ΣKᵢ, 5] RoIs (image index, x1, y1, x2, y2) in the features' dtype and device.</summary>
    private static Tensor ConcatRois(IReadOnlyList<Tensor> boxes, Tensor like)
    {
        var rows = new List<double>();
        for (var i = 0; i < boxes.Count; i++)
        {
            var v = boxes[i].Detach().ToDoubleArray();
            for (var j = 0; j < v.Length; j += 4)
            {
                rows.Add(i);
                for (var q = 0; q < 4; q++) rows.Add(v[j + q]);
            }
        }
        return FromDoublesOn([.. rows], new Shape(rows.Count / 5, 5), like);
    }

    private static Tensor FromDoublesOn(double[] v, Shape shape, Tensor like) =>
        Tensor.FromDoubles(v, shape, like.DType, like.Device);

    private static void CheckPyramid(IReadOnlyList<Tensor> features, IReadOnlyList<Tensor> boxes,
        IReadOnlyList<(int Height, int Width)> imageShapes, string op)
    {
        if (features.Count == 0)
            throw new ArgumentException($"{op}: features expected at least one feature map, got none.", nameof(features));
        if (imageShapes.Count == 0)
            throw new ArgumentException($"{op}: imageShapes expected at least one (height, width), got none.",
                nameof(imageShapes));
        foreach (var s in imageShapes)
            if (s.Height <= 0 || s.Width <= 0)
                throw new ArgumentException($"{op}: imageShapes expected positive sizes, got {s}.", nameof(imageShapes));
        var first = features[0];
        RequireFloating(first, op);
        for (var l = 0; l < features.Count; l++)
        {
            var f = features[l];
            RequireSame(first, f, op, $"features[{l}]");
            if (f.Rank != 4 || f.Shape[0] != first.Shape[0] || f.Shape[1] != first.Shape[1] || first.Rank != 4)
                throw new ShapeMismatchException(op, $"features[{l}]",
                    first.Rank == 4 ? $"[{first.Shape[0]}, {first.Shape[1]}, H, W]" : "[N, C, H, W]", f.Shape.ToString());
        }
        if (boxes.Count != first.Shape[0])
            throw new ShapeMismatchException(op, "boxes", $"{first.Shape[0]} box tensors (one per image)",
                $"{boxes.Count}");
        for (var i = 0; i < boxes.Count; i++)
        {
            RequireSame(first, boxes[i], op, $"boxes[{i}]");
            if (boxes[i].Rank != 2 || boxes[i].Shape[1] != 4)
                throw new ShapeMismatchException(op, $"boxes[{i}]", "[K, 4] (x1, y1, x2, y2)", boxes[i].Shape.ToString());
        }
    }
}
