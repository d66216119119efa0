namespace Scratch.Models.Fcos;

/// <summary>Assignment hyper-parameters of FCOS (cvpods <c>MODEL.FCOS.*</c>).</summary>
/// <param name="CenterSamplingRadius">Radius in strides of the centre region around each gt centre (1.5; 0 uses
/// the whole box).</param>
/// <param name="SizesOfInterest">Per level (lo, hi): a location is a candidate of a gt when lo ≤ max(l, t, r, b)
/// ≤ hi. Default ((−1, 64), (64, 128), (128, 256), (256, 512), (512, ∞)).</param>
public sealed record FcosTargetOptions(double CenterSamplingRadius = 1.5,
    IReadOnlyList<(double Lo, double Hi)>? SizesOfInterest = null)
{
    /// <summary>cvpods' OBJECT_SIZES_OF_INTEREST.</summary>
    public static readonly IReadOnlyList<(double Lo, double Hi)> DefaultSizes =
        [(-1, 64), (64, 128), (128, 256), (256, 512), (512, double.PositiveInfinity)];

    /// <summary>The size ranges in effect.</summary>
    public IReadOnlyList<(double Lo, double Hi)> Sizes => SizesOfInterest ?? DefaultSizes;
}

/// <summary>FCOS training targets of a batch over the R = Σ Hi·Wi locations of all levels (level-major, then
/// row-major), as cvpods' <c>FCOS.get_ground_truth</c>.</summary>
/// <param name="Classes">I64 [N, R]: the matched gt's label, or C (= NumClasses) for background.</param>
/// <param name="Deltas">F32 [N, R, 4]: (l, t, r, b) from the location to its matched gt, in input pixels (zeros for
/// background). The head's box output is in pixels too (ReLU(x)·stride), which is cvpods' NORM_REG_TARGETS: the
/// stride normalisation lives in the head, so these targets are the raw distances.</param>
/// <param name="Centerness">F32 [N, R]: √(min(l,r)/max(l,r) · min(t,b)/max(t,b)) for foreground, 0 for background.
/// </param>
/// <param name="MatchedGt">I64 [N, R]: index of the matched gt in the image's box list, or −1 for background.</param>
/// <param name="NumForeground">Foreground locations in the batch.</param>
public sealed record FcosTargets(Tensor Classes, Tensor Deltas, Tensor Centerness, Tensor MatchedGt, int NumForeground);

/// <summary>FCOS label assignment (cvpods semantics, host loops over locations × gts).</summary>
public static class FcosAssigner
{
    /// <summary>The locations ("shifts") of each level: cvpods' ShiftGenerator, [Hi·Wi, 2] (x, y) =
    /// ((j + offset)·stride, (i + offset)·stride) row-major (see <see cref="F.GridPoints"/>).</summary>
    /// <param name="sizes">(Hi, Wi) of each level.</param>
    /// <param name="strides">Stride of each level.</param>
    /// <param name="offset">In strides (cvpods FCOS/BorderDet: 0).</param>
    public static Tensor[] Shifts(IReadOnlyList<(int H, int W)> sizes, IReadOnlyList<int> strides, double offset = 0.0)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        ArgumentNullException.ThrowIfNull(strides);
        if (sizes.Count != strides.Count)
            throw new ArgumentException($"FcosAssigner.Shifts: strides expected {sizes.Count} entries (one per level), got {strides.Count}.", nameof(strides));
        return [.. sizes.Select((s, l) => F.GridPoints(s.H, s.W, strides[l], offset))];
    }

    /// <summary>Assigns every location of every image: candidates of gt g are locations inside g's centre-sampling
    /// box (centre ± radius·stride, clipped to g; strict interior) whose max(l, t, r, b) to g lies in the level's
    /// size range (inclusive); among candidates the gt of smallest area (w·h) wins, ties to the lower index.
    /// </summary>
    /// <param name="shifts">Per level [Hi·Wi, 2] locations (see <see cref="Shifts"/>).</param>
    /// <param name="strides">Per level stride.</param>
    /// <param name="gtBoxes">Per image [K, 4] xyxy (input pixels).</param>
    /// <param name="gtLabels">Per image [K] I64 labels in [0, numClasses).</param>
    /// <param name="numClasses">C; the background label.</param>
    /// <param name="options">Radius and size ranges (defaults when null).</param>
    /// <exception cref="ArgumentException">Mismatched level or image counts, or fewer size ranges than levels.
    /// </exception>
    /// <exception cref="ShapeMismatchException">A box tensor is not [K, 4] or labels not [K].</exception>
    public static FcosTargets Assign(IReadOnlyList<Tensor> shifts, IReadOnlyList<int> strides,
        IReadOnlyList<Tensor> gtBoxes, IReadOnlyList<Tensor> gtLabels, int numClasses, FcosTargetOptions? options = null)
    {
        const string op = "FcosAssigner.Assign";
        ArgumentNullException.ThrowIfNull(shifts);
        ArgumentNullException.ThrowIfNull(strides);
        ArgumentNullException.ThrowIfNull(gtBoxes);
        ArgumentNullException.ThrowIfNull(gtLabels);
        options ??= new FcosTargetOptions();
        var sizes = options.Sizes;
        if (strides.Count != shifts.Count)
            throw new ArgumentException($"{op}: strides expected {shifts.Count} entries (one per level), got {strides.Count}.", nameof(strides));
        if (sizes.Count < shifts.Count)
            throw new ArgumentException($"{op}: options.SizesOfInterest expected >= {shifts.Count} ranges, got {sizes.Count}.", nameof(options));
        if (gtLabels.Count != gtBoxes.Count)
            throw new ArgumentException($"{op}: gtLabels expected {gtBoxes.Count} entries (one per image), got {gtLabels.Count}.", nameof(gtLabels));
        // Flatten the locations with their level attributes.
        var counts = shifts.Select(s => (int)s.Shape[0]).ToArray();
        var r = counts.Sum();
        var px = new float[r];
        var py = new float[r];
        var level = new int[r];
        var at = 0;
        for (var l = 0; l < shifts.Count; l++)
        {
            if (shifts[l].Rank != 2 || shifts[l].Shape[1] != 2)
                throw new ShapeMismatchException(op, "shifts", "[Hi*Wi, 2]", shifts[l].Shape.ToString());
            var v = shifts[l].To(DType.F32).ToArray<float>();
            for (var i = 0; i < counts[l]; i++, at++) (px[at], py[at], level[at]) = (v[2 * i], v[2 * i + 1], l);
        }
        var n = gtBoxes.Count;
        var classes = new long[n * r];
        var deltas = new float[n * r * 4];
        var ctr = new float[n * r];
        var matched = new long[n * r];
        var numFg = 0;
        for (var b = 0; b < n; b++)
        {
            var boxes = gtBoxes[b];
            if (boxes.Rank != 2 || boxes.Shape[1] != 4) throw new ShapeMismatchException(op, "gtBoxes", "[K, 4]", boxes.Shape.ToString());
            var k = (int)boxes.Shape[0];
            if (gtLabels[b].Shape != new Shape(k)) throw new ShapeMismatchException(op, "gtLabels", $"[{k}]", gtLabels[b].Shape.ToString());
            var g = boxes.To(DType.F32).ToArray<float>();
            var lab = gtLabels[b].To(DType.I64).ToArray<long>();
            numFg += AssignImage(px, py, level, strides, sizes, options.CenterSamplingRadius, g, lab, numClasses,
                classes.AsSpan(b * r, r), deltas.AsSpan(b * r * 4, r * 4), ctr.AsSpan(b * r, r), matched.AsSpan(b * r, r));
        }
        return new FcosTargets(Tensor.From(classes, new Shape(n, r)), Tensor.From(deltas, new Shape(n, r, 4)),
            Tensor.From(ctr, new Shape(n, r)), Tensor.From(matched, new Shape(n, r)), numFg);
    }

    private static int AssignImage(float[] px, float[] py, int[] level, IReadOnlyList<int> strides,
        IReadOnlyList<(double Lo, double Hi)> sizes, double radius, float[] g, long[] labels, int numClasses,
        Span<long> classes, Span<float> deltas, Span<float> ctr, Span<long> matched)
    {
        var k = labels.Length;
        var area = new float[k];
        var (cx, cy) = (new float[k], new float[k]);
        for (var j = 0; j < k; j++)
        {
            area[j] = (g[4 * j + 2] - g[4 * j]) * (g[4 * j + 3] - g[4 * j + 1]);
            (cx[j], cy[j]) = ((g[4 * j] + g[4 * j + 2]) / 2, (g[4 * j + 1] + g[4 * j + 3]) / 2);
        }
        var fg = 0;
        for (var i = 0; i < px.Length; i++)
        {
            var (x, y, l) = (px[i], py[i], level[i]);
            var rad = (float)(strides[l] * radius);
            var (lo, hi) = sizes[l];
            var best = -1;
            var bestArea = float.PositiveInfinity;
            for (var j = 0; j < k; j++)
            {
                var (x1, y1, x2, y2) = (g[4 * j], g[4 * j + 1], g[4 * j + 2], g[4 * j + 3]);
                float dl = x - x1, dt = y - y1, dr = x2 - x, db = y2 - y;
                bool inside;
                if (radius > 0)
                {
                    var (cx1, cy1) = (MathF.Max(cx[j] - rad, x1), MathF.Max(cy[j] - rad, y1));
                    var (cx2, cy2) = (MathF.Min(cx[j] + rad, x2), MathF.Min(cy[j] + rad, y2));
                    inside = MathF.Min(MathF.Min(x - cx1, y - cy1), MathF.Min(cx2 - x, cy2 - y)) > 0;
                }
                else inside = MathF.Min(MathF.Min(dl, dt), MathF.Min(dr, db)) > 0;
                if (!inside) continue;
                var m = MathF.Max(MathF.Max(dl, dt), MathF.Max(dr, db));
                if (!(m >= lo && m <= hi)) continue;
                if (area[j] < bestArea)
                {
                    bestArea = area[j];
                    best = j;
                }
            }
            matched[i] = best;
            if (best < 0)
            {
                classes[i] = numClasses;
                continue;
            }
            fg++;
            classes[i] = labels[best];
            var (bl, bt, br, bb) = (x - g[4 * best], y - g[4 * best + 1], g[4 * best + 2] - x, g[4 * best + 3] - y);
            (deltas[4 * i], deltas[4 * i + 1], deltas[4 * i + 2], deltas[4 * i + 3]) = (bl, bt, br, bb);
            var lr = MathF.Max(MathF.Min(bl, br) / MathF.Max(bl, br), 0);
            var tb = MathF.Max(MathF.Min(bt, bb) / MathF.Max(bt, bb), 0);
            ctr[i] = MathF.Sqrt(lr * tb);
        }
        return fg;
    }
}
