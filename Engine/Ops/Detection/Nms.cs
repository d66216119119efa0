using System.Numerics;

namespace Scratch;

public static partial class F
{
    /// <summary>Non-maximum suppression, as torchvision 0.14's <c>nms</c>: visit the boxes by decreasing score (a
    /// stable order: equal scores keep the lower index first); keep a box unless an already kept box overlaps it with
    /// IoU &gt; <paramref name="iouThreshold"/>.</summary>
    /// <remarks>IoU = I / (areaᵢ + areaⱼ − I) with I = max(0, Δx)·max(0, Δy), computed in the boxes' dtype and
    /// compared with the threshold in double precision (as torchvision: a float32 IoU of 0.3f exceeds 0.3); a 0/0 IoU
    /// (two empty boxes) is NaN and suppresses nothing. Reference: the naive definition (repeatedly take the best
    /// remaining box and drop what it overlaps). Cpu: one sort, coordinates gathered in sorted order, precomputed
    /// areas, a suppressed bitmap. GPU devices: a 64-box tile bitmask kernel and a host sweep (see NmsGpu).
    /// Bad boxes are not rejected (as torchvision): an inverted box (x2 &lt; x1 or y2 &lt; y1) has area
    /// (x2 − x1)(y2 − y1), positive when both sides are inverted, and intersects nothing; a box with a NaN coordinate
    /// has NaN IoU with everything, so it neither suppresses nor is suppressed; NaN scores come first. Empty inputs
    /// give an empty result.</remarks>
    /// <param name="boxes">xyxy boxes [K, 4] (float).</param>
    /// <param name="scores">[K] scores, boxes' dtype and device.</param>
    /// <param name="iouThreshold">Boxes overlapping a kept box by more than this are discarded.</param>
    /// <returns>int64 indices of the kept boxes, by decreasing score.</returns>
    /// <exception cref="ShapeMismatchException">boxes is not [K, 4] or scores is not [K].</exception>
    public static Tensor Nms(Tensor boxes, Tensor scores, double iouThreshold) =>
        NmsCore(boxes, scores, null, iouThreshold, "Nms");

    /// <summary>Class-aware NMS, as torchvision 0.14's <c>batched_nms</c>: boxes of different classes never
    /// suppress each other; the result is the kept indices by decreasing score (ties: lower index first).</summary>
    /// <remarks>Implemented as one sorted pass in which a kept box only suppresses boxes of its own class (the exact
    /// equivalent of torchvision's per-class loop, without the coordinate-offset trick's rounding).</remarks>
    /// <param name="boxes">xyxy boxes [K, 4] (float).</param>
    /// <param name="scores">[K] scores, boxes' dtype and device.</param>
    /// <param name="classIdxs">[K] integer class (or image) ids on boxes' device.</param>
    /// <param name="iouThreshold">IoU above which a box of the same class is discarded.</param>
    /// <exception cref="ShapeMismatchException">boxes is not [K, 4], or scores or classIdxs is not [K].</exception>
    /// <exception cref="DTypeMismatchException">classIdxs is not an integer tensor.</exception>
    public static Tensor BatchedNms(Tensor boxes, Tensor scores, Tensor classIdxs, double iouThreshold)
    {
        const string op = "BatchedNms";
        if (classIdxs.DType is not (DType.I64 or DType.I32))
            throw new DTypeMismatchException(op, "classIdxs", "int64 or int32", classIdxs.DType.Name());
        if (classIdxs.Device != boxes.Device)
            throw new DeviceMismatchException(op, "classIdxs", boxes.Device.ToString(), classIdxs.Device.ToString());
        return NmsCore(boxes, scores, classIdxs, iouThreshold, op);
    }

    private static Tensor NmsCore(Tensor boxes, Tensor scores, Tensor? classes, double iouThreshold, string op)
    {
        RequireBoxes(boxes, op, "boxes", rank2: true);
        RequireSame(boxes, scores, op, "scores");
        var k = boxes.Shape[0];
        if (scores.Shape != new Shape(k))
            throw new ShapeMismatchException(op, "scores", $"[{k}]", scores.Shape.ToString());
        if (classes is not null && classes.Shape != new Shape(k))
            throw new ShapeMismatchException(op, "classIdxs", $"[{k}]", classes.Shape.ToString());
        var cls = classes?.To(DType.I64).ToArray<long>();
        var fast = boxes.Device.Kind == DeviceKind.Cpu;
        if (!boxes.Device.IsHost)
            return Tensor.From(boxes.DType == DType.F32
                ? NmsGpu(boxes, scores.ToArray<float>(), cls, iouThreshold, op)
                : NmsGpu(boxes, scores.ToArray<double>(), cls, iouThreshold, op), device: boxes.Device);
        var keep = boxes.DType == DType.F32
            ? NmsKernel(boxes.ToArray<float>(), scores.ToArray<float>(), cls, iouThreshold, fast)
            : NmsKernel(boxes.ToArray<double>(), scores.ToArray<double>(), cls, iouThreshold, fast);
        return Tensor.From(keep, device: boxes.Device);
    }

    /// <summary>Box indices by decreasing score, ties (and NaN, which sorts first as in torch) by index.</summary>
    internal static int[] NmsScoreOrder<T>(T[] s) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var order = Enumerable.Range(0, s.Length).ToArray();
        Array.Sort(order, (a, b) =>
        {
            var (x, y) = (s[a], s[b]);
            if (T.IsNaN(x) != T.IsNaN(y)) return T.IsNaN(x) ? -1 : 1;
            if (x > y) return -1;
            if (x < y) return 1;
            return a.CompareTo(b);
        });
        return order;
    }

    /// <summary>IoU of boxes i and j of a flat xyxy array, in T (torchvision's nms arithmetic).</summary>
    internal static T NmsPairIou<T>(T[] b, int i, int j) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var w = T.Max(T.Zero, T.Min(b[4 * i + 2], b[4 * j + 2]) - T.Max(b[4 * i], b[4 * j]));
        var h = T.Max(T.Zero, T.Min(b[4 * i + 3], b[4 * j + 3]) - T.Max(b[4 * i + 1], b[4 * j + 1]));
        var inter = w * h;
        var ai = (b[4 * i + 2] - b[4 * i]) * (b[4 * i + 3] - b[4 * i + 1]);
        var aj = (b[4 * j + 2] - b[4 * j]) * (b[4 * j + 3] - b[4 * j + 1]);
        return inter / (ai + aj - inter);
    }

    private static long[] NmsKernel<T>(T[] b, T[] s, long[]? cls, double thr, bool fast)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var n = s.Length;
        var keep = new List<long>();
        if (!fast)
        {
            // The definition: take the best remaining box, keep it, drop the remaining boxes of its class that
            // overlap it by more than the threshold; repeat.
            var removed = new bool[n];
            while (true)
            {
                var best = -1;
                for (var i = 0; i < n; i++)
                    if (!removed[i] && (best < 0 || NmsBefore(s, i, best))) best = i;
                if (best < 0) break;
                keep.Add(best);
                removed[best] = true;
                for (var j = 0; j < n; j++)
                    if (!removed[j] && (cls is null || cls[j] == cls[best]) &&
                        double.CreateChecked(NmsPairIou(b, best, j)) > thr)
                        removed[j] = true;
            }
            return [.. keep];
        }
        var order = NmsScoreOrder(s);
        // Coordinates, areas and classes gathered in visiting order for sequential access.
        var (x1, y1, x2, y2, area) = (new T[n], new T[n], new T[n], new T[n], new T[n]);
        var c = cls is null ? null : new long[n];
        for (var r = 0; r < n; r++)
        {
            var i = order[r];
            (x1[r], y1[r], x2[r], y2[r]) = (b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]);
            area[r] = (x2[r] - x1[r]) * (y2[r] - y1[r]);
            if (c is not null) c[r] = cls![i];
        }
        var suppressed = new bool[n];
        for (var r = 0; r < n; r++)
        {
            if (suppressed[r]) continue;
            keep.Add(order[r]);
            var (ix1, iy1, ix2, iy2, ia) = (x1[r], y1[r], x2[r], y2[r], area[r]);
            for (var q = r + 1; q < n; q++)
            {
                if (suppressed[q] || (c is not null && c[q] != c[r])) continue;
                var w = T.Max(T.Zero, T.Min(ix2, x2[q]) - T.Max(ix1, x1[q]));
                var h = T.Max(T.Zero, T.Min(iy2, y2[q]) - T.Max(iy1, y1[q]));
                var inter = w * h;
                if (double.CreateChecked(inter / (ia + area[q] - inter)) > thr) suppressed[q] = true;
            }
        }
        return [.. keep];
    }

    /// <summary>Whether box i comes before box j in the visiting order (higher score, NaN first, then lower index).
    /// </summary>
    private static bool NmsBefore<T>(T[] s, int i, int j) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (T.IsNaN(s[i]) != T.IsNaN(s[j])) return T.IsNaN(s[i]);
        return s[i] > s[j] || (s[i] == s[j] && i < j);
    }
}
