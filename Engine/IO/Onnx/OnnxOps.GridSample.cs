namespace Scratch.IO.Onnx;

internal static partial class OnnxOps
{
    /// <summary>GridSample (4-D, PyTorch's grid_sample semantics): samples X [N, C, H, W] at the normalised (x, y)
    /// of grid [N, Ho, Wo, 2] with bilinear, nearest or bicubic interpolation and zeros, border or reflection
    /// padding.</summary>
    private static void AddGridSample(Dictionary<string, OnnxKernel> d) => d["GridSample"] = GridSample;

    private static Tensor?[] GridSample(OnnxContext c)
    {
        var (x, grid) = (c.X(0), c.X(1));
        if (x.Rank != 4 || grid.Rank != 4 || grid.Shape[3] != 2 || grid.Shape[0] != x.Shape[0])
            throw c.Unsupported($"input {x.Shape} with grid {grid.Shape} (only 4-D)");
        var mode = c.Str("mode", "bilinear");
        var padding = c.Str("padding_mode", "zeros");
        var align = c.Int("align_corners", 0) != 0;
        if (mode is not ("bilinear" or "nearest" or "bicubic") || padding is not ("zeros" or "border" or "reflection"))
            throw c.Unsupported($"mode '{mode}' with padding_mode '{padding}'");
        int n = x.Shape[0], ch = x.Shape[1], h = x.Shape[2], w = x.Shape[3], ho = grid.Shape[1], wo = grid.Shape[2];
        CheckSize((long)n * ch * ho * wo, c);
        var v = x.ToDoubleArray();
        var g = grid.ToDoubleArray();
        var y = new double[(long)n * ch * ho * wo];
        for (var b = 0; b < n; b++)
            for (var i = 0; i < ho; i++)
                for (var j = 0; j < wo; j++)
                {
                    var gi = (((long)b * ho + i) * wo + j) * 2;
                    double gx = Unnormalize(g[gi], w, align), gy = Unnormalize(g[gi + 1], h, align);
                    if (mode != "bicubic")
                    {
                        gx = GridPad(gx, w, padding, align);
                        gy = GridPad(gy, h, padding, align);
                    }
                    for (var k = 0; k < ch; k++)
                    {
                        var plane = ((long)b * ch + k) * h * w;
                        double Px(long r, long q)
                        {
                            if (mode == "bicubic" && padding != "zeros")
                            {
                                q = (long)GridPad(q, w, padding, align);
                                r = (long)GridPad(r, h, padding, align);
                            }
                            return r < 0 || r >= h || q < 0 || q >= w ? 0 : v[plane + r * w + q];
                        }
                        double val;
                        if (mode == "nearest") val = Px((long)Math.Round(gy, MidpointRounding.ToEven), (long)Math.Round(gx, MidpointRounding.ToEven));
                        else if (mode == "bilinear")
                        {
                            double fx = Math.Floor(gx), fy = Math.Floor(gy), tx = gx - fx, ty = gy - fy;
                            long x0 = (long)fx, y0 = (long)fy;
                            val = Px(y0, x0) * (1 - tx) * (1 - ty) + Px(y0, x0 + 1) * tx * (1 - ty)
                                + Px(y0 + 1, x0) * (1 - tx) * ty + Px(y0 + 1, x0 + 1) * tx * ty;
                        }
                        else
                        {
                            double fx = Math.Floor(gx), fy = Math.Floor(gy);
                            var wx = Cubic(gx - fx);
                            var wy = Cubic(gy - fy);
                            val = 0;
                            for (var r = 0; r < 4; r++)
                                for (var q = 0; q < 4; q++)
                                    val += wy[r] * wx[q] * Px((long)fy - 1 + r, (long)fx - 1 + q);
                        }
                        y[(((long)b * ch + k) * ho + i) * wo + j] = val;
                    }
                }
        return One(FromDoubles(y, new Shape(n, ch, ho, wo), x.DType));
    }

    private static double Unnormalize(double coord, int size, bool align) =>
        align ? (coord + 1) / 2 * (size - 1) : ((coord + 1) * size - 1) / 2;

    /// <summary>Border clamps into [0, size − 1]; reflection mirrors about the edges (pixel centres with
    /// align_corners, pixel borders without) and then clamps; zeros leaves the coordinate.</summary>
    private static double GridPad(double coord, int size, string padding, bool align)
    {
        if (padding == "border") return Math.Clamp(coord, 0, size - 1);
        if (padding != "reflection") return coord;
        double lo = align ? 0 : -0.5, hi = align ? size - 1 : size - 0.5;
        var span = hi - lo;
        if (span <= 0) return 0;
        var t = Math.Abs(coord - lo);
        var flips = Math.Floor(t / span);
        var extra = t - flips * span;
        var r = flips % 2 == 0 ? lo + extra : hi - extra;
        return Math.Clamp(r, 0, size - 1);
    }

    private static double[] Cubic(double t)
    {
        const double a = -0.75;
        return
        [
            ((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a,
            ((a + 2) * t - (a + 3)) * t * t + 1,
            ((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1,
            ((a * (2 - t) - 5 * a) * (2 - t) + 8 * a) * (2 - t) - 4 * a,
        ];
    }
}
