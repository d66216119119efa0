namespace Scratch.IO.Onnx;

internal static partial class OnnxOps
{
    /// <summary>Detection: RoiAlign (average mode) and NonMaxSuppression.</summary>
    private static void AddDetection(Dictionary<string, OnnxKernel> d)
    {
        d["RoiAlign"] = c =>
        {
            if (c.Str("mode", "avg") != "avg") throw c.Unsupported($"mode '{c.Str("mode", "avg")}'");
            var (x, rois, batch) = (c.X(0), c.X(1), c.X(2));
            var aligned = c.Opset >= 16 && c.Str("coordinate_transformation_mode", "half_pixel") == "half_pixel";
            var rois5 = F.Cat([batch.To(x.DType).Reshape(-1, 1), Same(rois, x)], 1);
            var y = F.RoIAlign(x, rois5, ((int)c.Int("output_height", 1), (int)c.Int("output_width", 1)),
                c.Float("spatial_scale", 1f), (int)c.Int("sampling_ratio", 0), aligned);
            return One(y);
        };
        d["NonMaxSuppression"] = NonMaxSuppression;
    }

    private static Tensor?[] NonMaxSuppression(OnnxContext c)
    {
        var (boxes, scores) = (c.X(0), c.X(1));
        if (boxes.Rank != 3 || boxes.Shape[2] != 4 || scores.Rank != 3 || scores.Shape[0] != boxes.Shape[0] || scores.Shape[2] != boxes.Shape[1])
            throw new OnnxFormatException($"ONNX: NonMaxSuppression expected boxes [B, N, 4] and scores [B, C, N], got {boxes.Shape} and {scores.Shape}.");
        var maxOut = c.Opt(2) is { } m && m.Numel > 0 ? OnnxContext.Longs(m)[0] : 0;
        var iou = c.Opt(3) is { } i && i.Numel > 0 ? i.ToDoubleArray()[0] : 0;
        double? scoreThreshold = c.Opt(4) is { } s && s.Numel > 0 ? s.ToDoubleArray()[0] : null;
        var centre = c.Int("center_point_box", 0) != 0;
        int nb = boxes.Shape[0], nc = scores.Shape[1], n = boxes.Shape[1];
        var b = boxes.To(DType.F64).ToDoubleArray();
        var sc = scores.To(DType.F64).ToDoubleArray();
        List<long> selected = [];
        for (var bi = 0; bi < nb; bi++)
        {
            var xyxy = new double[n * 4];
            for (var k = 0; k < n; k++)
            {
                var o = (bi * n + k) * 4;
                double x1, y1, x2, y2;
                if (centre)
                    (x1, y1, x2, y2) = (b[o] - b[o + 2] / 2, b[o + 1] - b[o + 3] / 2, b[o] + b[o + 2] / 2, b[o + 1] + b[o + 3] / 2);
                else
                    (y1, x1, y2, x2) = (Math.Min(b[o], b[o + 2]), Math.Min(b[o + 1], b[o + 3]), Math.Max(b[o], b[o + 2]), Math.Max(b[o + 1], b[o + 3]));
                (xyxy[4 * k], xyxy[4 * k + 1], xyxy[4 * k + 2], xyxy[4 * k + 3]) = (x1, y1, x2, y2);
            }
            for (var ci = 0; ci < nc; ci++)
            {
                if (maxOut <= 0) continue;
                var keep = Enumerable.Range(0, n).Where(k => scoreThreshold is not { } t || sc[(bi * nc + ci) * n + k] > t).ToArray();
                if (keep.Length == 0) continue;
                var kb = new double[keep.Length * 4];
                var ks = new double[keep.Length];
                for (var j = 0; j < keep.Length; j++)
                {
                    Array.Copy(xyxy, 4 * keep[j], kb, 4 * j, 4);
                    ks[j] = sc[(bi * nc + ci) * n + keep[j]];
                }
                var kept = OnnxContext.Longs(F.Nms(Tensor.From(kb, new Shape(keep.Length, 4)), Tensor.From(ks), iou));
                foreach (var j in kept.Take((int)Math.Min(maxOut, int.MaxValue)))
                    selected.AddRange([bi, ci, keep[j]]);
            }
        }
        return One(Tensor.From(selected.ToArray(), new Shape(selected.Count / 3, 3)));
    }
}
