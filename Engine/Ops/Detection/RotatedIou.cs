namespace Scratch;

public static partial class F
{
    /// <summary>Pairwise IoU of rotated bird's-eye-view boxes (x, y, w, l, yaw) by convex polygon clipping.</summary>
    /// <remarks>
    /// Box (x, y, w, l, yaw) is the rectangle with extent w along its local x axis and l along its local y axis,
    /// centred at (x, y) and rotated counter-clockwise by yaw radians: corner (u, v) ∈ {±w/2} × {±l/2} maps to
    /// (x + u·cos yaw − v·sin yaw, y + u·sin yaw + v·cos yaw). (SECOND/Det3D's <c>rotation_2d</c> multiplies by the
    /// transposed matrix, i.e. rotates by −yaw: pass −yaw to reproduce its corners.) The intersection polygon is box
    /// a clipped by the four edge half-planes of box b (Sutherland–Hodgman), its area by the shoelace formula, all in
    /// float64; IoU = I / (area a + area b − I), and 0 when the union is 0 (degenerate boxes). Widths and lengths
    /// are used as |w|, |l|. Not differentiable. Reference computes the pairs in order; Cpu runs rows in parallel.
    /// </remarks>
    /// <param name="a">[N, 5] boxes (float32 or float64).</param>
    /// <param name="b">[M, 5] boxes, a's dtype and device.</param>
    /// <returns>[N, M] IoU in a's dtype.</returns>
    /// <exception cref="ShapeMismatchException">a or b is not [K, 5].</exception>
    public static Tensor RotatedBoxIou(Tensor a, Tensor b)
    {
        const string op = "RotatedBoxIou";
        RequireRotated(a, op, nameof(a));
        RequireRotated(b, op, nameof(b));
        RequireSame(a, b, op, nameof(b));
        var (n, m) = (a.Shape[0], b.Shape[0]);
        var pa = RotatedCorners(a.Detach().Materialize().ToDoubleArray(), n);
        var pb = RotatedCorners(b.Detach().Materialize().ToDoubleArray(), m);
        var iou = new double[(long)n * m];
        void Row(int i)
        {
            for (var j = 0; j < m; j++) iou[(long)i * m + j] = RotatedIou(pa[i], pb[j]);
        }
        if (a.Device.Kind == DeviceKind.Cpu) Parallel.For(0, n, Row);
        else
            for (var i = 0; i < n; i++) Row(i);
        return Tensor.FromDoubles(iou, new Shape(n, m), a.DType, a.Device);
    }

    /// <summary>Non-maximum suppression of rotated BEV boxes: as <see cref="Nms"/> (visit by decreasing score, equal
    /// scores by lower index, NaN first; keep a box unless a kept box overlaps it with IoU &gt; threshold) with
    /// <see cref="RotatedBoxIou"/> as the overlap.</summary>
    /// <param name="boxes">[K, 5] (x, y, w, l, yaw) (float32 or float64).</param>
    /// <param name="scores">[K] scores, boxes' dtype and device.</param>
    /// <param name="iouThreshold">Boxes overlapping a kept box by more than this are discarded.</param>
    /// <returns>int64 indices of the kept boxes, by decreasing score.</returns>
    /// <exception cref="ShapeMismatchException">boxes is not [K, 5] or scores is not [K].</exception>
    public static Tensor RotatedNms(Tensor boxes, Tensor scores, double iouThreshold)
    {
        const string op = "RotatedNms";
        RequireRotated(boxes, op, nameof(boxes));
        RequireSame(boxes, scores, op, nameof(scores));
        var k = boxes.Shape[0];
        if (scores.Shape != new Shape(k))
            throw new ShapeMismatchException(op, nameof(scores), $"[{k}]", scores.Shape.ToString());
        var corners = RotatedCorners(boxes.Detach().Materialize().ToDoubleArray(), k);
        var order = NmsScoreOrder(scores.Detach().Materialize().ToDoubleArray());
        var suppressed = new bool[k];
        var keep = new List<long>();
        foreach (var i in order)
        {
            if (suppressed[i]) continue;
            keep.Add(i);
            foreach (var j in order)
                if (!suppressed[j] && j != i && RotatedIou(corners[i], corners[j]) > iouThreshold) suppressed[j] = true;
        }
        return Tensor.From(keep.ToArray(), device: boxes.Device);
    }

    private static void RequireRotated(Tensor boxes, string op, string arg)
    {
        RequireFloating(boxes, op, arg);
        if (boxes.Rank != 2 || boxes.Shape[1] != 5)
            throw new ShapeMismatchException(op, arg, "[K, 5] (x, y, w, l, yaw)", boxes.Shape.ToString());
    }

    /// <summary>The 4 corners (x0, y0, …, x3, y3), counter-clockwise, of each of k boxes.</summary>
    private static double[][] RotatedCorners(double[] v, int k)
    {
        var result = new double[k][];
        for (var i = 0; i < k; i++)
        {
            var (x, y, hw, hl, yaw) = (v[5 * i], v[5 * i + 1], Math.Abs(v[5 * i + 2]) / 2, Math.Abs(v[5 * i + 3]) / 2,
                v[5 * i + 4]);
            var (c, s) = (Math.Cos(yaw), Math.Sin(yaw));
            var p = new double[8];
            ReadOnlySpan<(double U, double V)> local = [(-hw, -hl), (hw, -hl), (hw, hl), (-hw, hl)];
            for (var q = 0; q < 4; q++)
                (p[2 * q], p[2 * q + 1]) = (x + local[q].U * c - local[q].V * s, y + local[q].U * s + local[q].V * c);
            result[i] = p;
        }
        return result;
    }

    /// <summary>Area of a polygon given as (x, y) pairs (shoelace; positive when counter-clockwise).</summary>
    private static double PolygonArea(List<(double X, double Y)> p)
    {
        var sum = 0.0;
        for (var i = 0; i < p.Count; i++)
        {
            var (a, b) = (p[i], p[(i + 1) % p.Count]);
            sum += a.X * b.Y - b.X * a.Y;
        }
        return sum / 2;
    }

    /// <summary>IoU of two counter-clockwise quadrilaterals.</summary>
    private static double RotatedIou(double[] a, double[] b)
    {
        var poly = new List<(double X, double Y)>(8);
        for (var q = 0; q < 4; q++) poly.Add((a[2 * q], a[2 * q + 1]));
        var (areaA, areaB) = (RectArea(a), RectArea(b));
        // Clip a by each edge of b: keep the points on the left of (or on) the directed edge p → q.
        for (var e = 0; e < 4 && poly.Count > 0; e++)
        {
            var (px, py, qx, qy) = (b[2 * e], b[2 * e + 1], b[(2 * e + 2) % 8], b[(2 * e + 3) % 8]);
            double Side((double X, double Y) r) => (qx - px) * (r.Y - py) - (qy - py) * (r.X - px);
            var next = new List<(double X, double Y)>(poly.Count + 4);
            for (var i = 0; i < poly.Count; i++)
            {
                var (cur, nxt) = (poly[i], poly[(i + 1) % poly.Count]);
                var (sc, sn) = (Side(cur), Side(nxt));
                if (sc >= 0) next.Add(cur);
                if ((sc >= 0) != (sn >= 0))
                {
                    var t = sc / (sc - sn);
                    next.Add((cur.X + t * (nxt.X - cur.X), cur.Y + t * (nxt.Y - cur.Y)));
                }
            }
            poly = next;
        }
        var inter = poly.Count < 3 ? 0 : Math.Abs(PolygonArea(poly));
        var union = areaA + areaB - inter;
        return union > 0 ? inter / union : 0;
    }

    /// <summary>Area of a rectangle from its 4 corners: |edge 0→1|·|edge 1→2|.</summary>
    private static double RectArea(double[] p) =>
        Math.Sqrt((p[2] - p[0]) * (p[2] - p[0]) + (p[3] - p[1]) * (p[3] - p[1])) *
        Math.Sqrt((p[4] - p[2]) * (p[4] - p[2]) + (p[5] - p[3]) * (p[5] - p[3]));
}
