namespace Scratch;

public static partial class F
{
    /// <summary>Cell anchors centred at the origin, as detectron2's <c>DefaultAnchorGenerator.generate_cell_anchors
    /// </c>: for each size s (outer loop) and aspect ratio a = h/w (inner loop), w = √(s²/a), h = a·w and the anchor
    /// is (−w/2, −h/2, w/2, h/2). No rounding (legacy Detectron rounded to integers; detectron2 does not).</summary>
    /// <param name="sizes">Anchor sizes (√area), each &gt; 0 and finite.</param>
    /// <param name="aspectRatios">Height/width ratios, each &gt; 0 and finite.</param>
    /// <param name="dtype">Result dtype (floating).</param>
    /// <param name="device">Result device (default Cpu).</param>
    /// <returns>[sizes·ratios, 4] xyxy; size-major order.</returns>
    /// <exception cref="ArgumentException">sizes or aspectRatios is empty or holds a value that is not positive and
    /// finite.</exception>
    public static Tensor CellAnchors(IReadOnlyList<double> sizes, IReadOnlyList<double> aspectRatios,
        DType dtype = DType.F32, Device? device = null)
    {
        const string op = "CellAnchors";
        RequirePositiveList(sizes, op, nameof(sizes));
        RequirePositiveList(aspectRatios, op, nameof(aspectRatios));
        var v = new double[4 * sizes.Count * aspectRatios.Count];
        var n = 0;
        foreach (var s in sizes)
            foreach (var a in aspectRatios)
            {
                var w = Math.Sqrt(s * s / a);
                var h = a * w;
                (v[n], v[n + 1], v[n + 2], v[n + 3]) = (-w / 2, -h / 2, w / 2, h / 2);
                n += 4;
            }
        return FromDoublesFloating(v, new Shape(sizes.Count * aspectRatios.Count, 4), dtype, device, op);
    }

    /// <summary>Anchors of one feature level, as detectron2's <c>DefaultAnchorGenerator.grid_anchors</c>: location
    /// (i, j) of an H×W map has shift (sx, sy) = ((j + offset)·stride, (i + offset)·stride), and its anchors are
    /// cell + (sx, sy, sx, sy). Order: row i, then column j, then cell anchor (location-major).</summary>
    /// <param name="height">Map height H ≥ 0.</param>
    /// <param name="width">Map width W ≥ 0.</param>
    /// <param name="stride">Level stride &gt; 0 (input pixels per feature cell).</param>
    /// <param name="cellAnchors">[A, 4] xyxy anchors centred at 0 (see <see cref="CellAnchors"/>); its dtype and
    /// device are the result's.</param>
    /// <param name="offset">Shift of the first centre in units of stride, in [0, 1): 0 (detectron2 default) or 0.5.
    /// </param>
    /// <returns>[H·W·A, 4] xyxy.</returns>
    /// <exception cref="ArgumentOutOfRangeException">height or width is negative, stride is not positive, or offset is
    /// outside [0, 1).</exception>
    /// <exception cref="ShapeMismatchException">cellAnchors is not [A, 4].</exception>
    public static Tensor GridAnchors(int height, int width, double stride, Tensor cellAnchors, double offset = 0.0)
    {
        const string op = "GridAnchors";
        RequireGrid(height, width, stride, offset, op);
        RequireBoxes(cellAnchors, op, nameof(cellAnchors), rank2: true);
        var cell = cellAnchors.Detach().Materialize().ToDoubleArray();
        var a = cellAnchors.Shape[0];
        var v = new double[(long)height * width * a * 4];
        var n = 0;
        for (var i = 0; i < height; i++)
            for (var j = 0; j < width; j++)
            {
                var (sx, sy) = ((j + offset) * stride, (i + offset) * stride);
                for (var q = 0; q < 4 * a; q += 4, n += 4)
                    (v[n], v[n + 1], v[n + 2], v[n + 3]) = (cell[q] + sx, cell[q + 1] + sy, cell[q + 2] + sx,
                        cell[q + 3] + sy);
            }
        return Tensor.FromDoubles(v, new Shape(height * width * a, 4), cellAnchors.DType, cellAnchors.Device);
    }

    /// <summary>Points of one feature level (FCOS "locations", cvpods <c>ShiftGenerator</c>): location (i, j) of an
    /// H×W map is ((j + offset)·stride, (i + offset)·stride), row-major. FCOS uses offset ½ (its stride // 2 for the
    /// even strides 8–128); cvpods' BorderDet/AutoAssign configs use offset 0.</summary>
    /// <param name="height">Map height H ≥ 0.</param>
    /// <param name="width">Map width W ≥ 0.</param>
    /// <param name="stride">Level stride &gt; 0.</param>
    /// <param name="offset">In units of stride, in [0, 1).</param>
    /// <param name="dtype">Result dtype (floating).</param>
    /// <param name="device">Result device (default Cpu).</param>
    /// <returns>[H·W, 2] (x, y).</returns>
    /// <exception cref="ArgumentOutOfRangeException">height or width is negative, stride is not positive, or offset is
    /// outside [0, 1).</exception>
    public static Tensor GridPoints(int height, int width, double stride, double offset = 0.0, DType dtype = DType.F32,
        Device? device = null)
    {
        const string op = "GridPoints";
        RequireGrid(height, width, stride, offset, op);
        var v = new double[(long)height * width * 2];
        for (var i = 0; i < height; i++)
            for (var j = 0; j < width; j++)
            {
                var p = 2 * (i * width + j);
                (v[p], v[p + 1]) = ((j + offset) * stride, (i + offset) * stride);
            }
        return FromDoublesFloating(v, new Shape(height * width, 2), dtype, device, op);
    }

    private static void RequirePositiveList(IReadOnlyList<double> values, string op, string arg)
    {
        ArgumentNullException.ThrowIfNull(values, arg);
        if (values.Count == 0) throw new ArgumentException($"{op}: {arg} expected at least one value, got none.", arg);
        foreach (var v in values)
            if (!(v > 0 && double.IsFinite(v)))
                throw new ArgumentException($"{op}: {arg} expected positive finite values, got {v}.", arg);
    }

    private static void RequireGrid(int height, int width, double stride, double offset, string op)
    {
        if (height < 0)
            throw new ArgumentOutOfRangeException(nameof(height), height, $"{op}: height expected >= 0, got {height}.");
        if (width < 0)
            throw new ArgumentOutOfRangeException(nameof(width), width, $"{op}: width expected >= 0, got {width}.");
        if (!(stride > 0 && double.IsFinite(stride)))
            throw new ArgumentOutOfRangeException(nameof(stride), stride,
                $"{op}: stride expected a positive finite value, got {stride}.");
        if (!(offset >= 0 && offset < 1))
            throw new ArgumentOutOfRangeException(nameof(offset), offset,
                $"{op}: offset expected a value in [0, 1), got {offset}.");
    }

    private static Tensor FromDoublesFloating(double[] v, Shape shape, DType dtype, Device? device, string op)
    {
        if (dtype != DType.F32 && dtype != DType.F64)
            throw new DTypeMismatchException(op, "dtype", "F32 or F64", dtype.ToString());
        return Tensor.FromDoubles(v, shape, dtype, device);
    }
}
