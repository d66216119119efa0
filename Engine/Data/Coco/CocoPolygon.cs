namespace Scratch.Data.Coco;

/// <summary>Rasterises COCO polygons into <see cref="CocoRle"/> masks with the COCO mask API's rule (frPoly): the
/// vertices are upsampled ×5 and rounded, the outline is walked densely, and every pixel column x whose centre
/// lies on an outline x-crossing toggles the mask at the crossing's rounded-up y. Pixel (x, y) covers
/// [x, x+1) × [y, y+1) with its centre at (x + 0.5, y + 0.5) in annotation coordinates.</summary>
public static class CocoPolygon
{
    /// <summary>Mask of one polygon <c>[x0, y0, x1, y1, ...]</c> (at least 3 vertices) in an image of
    /// <paramref name="height"/> × <paramref name="width"/>.</summary>
    /// <exception cref="ArgumentException">An odd number of coordinates or fewer than 3 vertices.</exception>
    public static CocoRle ToRle(IReadOnlyList<double> xy, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(xy);
        if (xy.Count % 2 != 0 || xy.Count < 6)
            throw new ArgumentException($"CocoPolygon.ToRle: a polygon needs an even number >= 6 of coordinates, got {xy.Count}.", nameof(xy));
        const double scale = 5;
        var k = xy.Count / 2;
        var x = new int[k + 1];
        var y = new int[k + 1];
        for (var j = 0; j < k; j++) x[j] = (int)(scale * xy[2 * j] + .5);
        for (var j = 0; j < k; j++) y[j] = (int)(scale * xy[2 * j + 1] + .5);
        x[k] = x[0];
        y[k] = y[0];
        var u = new List<int>();
        var v = new List<int>();
        for (var j = 0; j < k; j++)
        {
            int xs = x[j], xe = x[j + 1], ys = y[j], ye = y[j + 1];
            int dx = Math.Abs(xe - xs), dy = Math.Abs(ys - ye);
            var flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
            if (flip) { (xs, xe) = (xe, xs); (ys, ye) = (ye, ys); }
            var s = dx >= dy ? (double)(ye - ys) / dx : (double)(xe - xs) / dy;
            if (dx >= dy)
            {
                for (var d = 0; d <= dx; d++)
                {
                    var t = flip ? dx - d : d;
                    u.Add(t + xs);
                    v.Add((int)(ys + s * t + .5));
                }
            }
            else
            {
                for (var d = 0; d <= dy; d++)
                {
                    var t = flip ? dy - d : d;
                    v.Add(t + ys);
                    u.Add((int)(xs + s * t + .5));
                }
            }
        }
        var a = new List<uint>();
        for (var j = 1; j < u.Count; j++)
        {
            if (u[j] == u[j - 1]) continue;
            double xd = u[j] < u[j - 1] ? u[j] : u[j] - 1;
            xd = (xd + .5) / scale - .5;
            if (Math.Floor(xd) != xd || xd < 0 || xd > width - 1) continue;
            double yd = v[j] < v[j - 1] ? v[j] : v[j - 1];
            yd = (yd + .5) / scale - .5;
            if (yd < 0) yd = 0;
            else if (yd > height) yd = height;
            yd = Math.Ceiling(yd);
            a.Add((uint)((int)xd * height + (int)yd));
        }
        a.Add((uint)(height * width));
        a.Sort();
        uint p = 0;
        for (var j = 0; j < a.Count; j++) { var t = a[j]; a[j] -= p; p = t; }
        var b = new List<uint> { a[0] };
        var i = 1;
        while (i < a.Count)
        {
            if (a[i] > 0) b.Add(a[i++]);
            else { i++; if (i < a.Count) b[^1] += a[i++]; }
        }
        return new CocoRle(height, width, [.. b]);
    }

    /// <summary>Pixel union of several polygons (the mask of a multi-part COCO polygon segmentation).</summary>
    public static CocoRle ToRle(IReadOnlyList<double[]> polygons, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(polygons);
        if (polygons.Count == 0) return new CocoRle(height, width, [(uint)(height * width)]);
        return CocoRle.Union([.. polygons.Select(p => ToRle(p, height, width))]);
    }
}
