namespace Scratch.IO.Onnx;

internal static partial class OnnxOps
{
    /// <summary>Resize (nearest, linear, cubic; every coordinate transformation except tf_crop_and_resize) and
    /// Upsample. Each axis is resampled separately: output o reads input taps at ⌊x⌋ + {0, 1} (linear) or
    /// ⌊x⌋ + {−1, 0, 1, 2} (cubic, Keys kernel with coefficient a), indices clamped to the edge, where x is the
    /// output coordinate mapped back by the coordinate transformation; nearest picks one tap by nearest_mode.
    /// </summary>
    private static void AddResize(Dictionary<string, OnnxKernel> d)
    {
        d["Resize"] = c =>
        {
            var x = c.X(0);
            Tensor? scalesT = c.Opset < 11 ? c.Opt(1) : c.Opt(2);
            Tensor? sizesT = c.Opset < 11 ? null : c.Opt(3);
            double[]? scales = scalesT is { Numel: > 0 } st ? st.ToDoubleArray() : null;
            long[]? sizes = sizesT is { Numel: > 0 } sz ? OnnxContext.Longs(sz) : null;
            var coord = c.Str("coordinate_transformation_mode", c.Opset < 11 ? "asymmetric" : "half_pixel");
            var nearest = c.Str("nearest_mode", c.Opset < 11 ? "floor" : "round_prefer_floor");
            return One(Resample(c, x, scales, sizes, c.Str("mode", "nearest"), coord, nearest,
                c.Float("cubic_coeff_a", -0.75f), c.Int("exclude_outside", 0) != 0));
        };
        d["Upsample"] = c =>
        {
            var x = c.X(0);
            double[] scales = c.Opt(1) is { } s ? s.ToDoubleArray()
                : Array.ConvertAll(c.Floats("scales") ?? throw new OnnxFormatException("ONNX: Upsample expected scales."), v => (double)v);
            var mode = c.Str("mode", "nearest");
            return One(Resample(c, x, scales, null, mode == "bilinear" ? "linear" : mode, "asymmetric", "floor", -0.75, false));
        };
    }

    private static Tensor Resample(OnnxContext c, Tensor x, double[]? scales, long[]? sizes, string mode, string coord,
        string nearestMode, double a, bool excludeOutside)
    {
        if (mode is not ("nearest" or "linear" or "cubic")) throw c.Unsupported($"mode '{mode}'");
        if (coord is not ("half_pixel" or "pytorch_half_pixel" or "align_corners" or "asymmetric" or "tf_half_pixel_for_nn"))
            throw c.Unsupported($"coordinate_transformation_mode '{coord}'");
        var rank = x.Rank;
        if ((scales is null) == (sizes is null)) throw new OnnxFormatException("ONNX: Resize expected exactly one of scales and sizes.");
        if ((scales?.Length ?? sizes!.Length) != rank)
            throw new OnnxFormatException($"ONNX: Resize scales/sizes expected {rank} values, got {scales?.Length ?? sizes!.Length}.");
        var dims = x.Shape.ToArray();
        var data = x.ToDoubleArray();
        for (var axis = 0; axis < rank; axis++)
        {
            int input = dims[axis];
            long outLong = sizes is not null ? sizes[axis] : (long)Math.Floor(input * scales![axis]);
            double scale = sizes is not null ? (double)outLong / input : scales![axis];
            if (!(scale > 0) || outLong < 0) throw new OnnxFormatException($"ONNX: Resize scale for axis {axis} expected > 0, got {scale}.");
            CheckSize(outLong * (x.Numel / Math.Max(input, 1)), c);
            var output = (int)outLong;
            if (output == input && scale == 1) continue;
            var resized = sizes is not null ? output : input * scale;
            var (idx, w) = Taps(input, output, resized, scale, mode, coord, nearestMode, a, excludeOutside);
            data = ApplyAxis(data, dims, axis, output, idx, w);
            dims[axis] = output;
        }
        return FromDoubles(data, new Shape(dims), x.DType);
    }

    private static (int[][] Idx, double[][] W) Taps(int input, int output, double resized, double scale, string mode, string coord,
        string nearestMode, double a, bool excludeOutside)
    {
        var idx = new int[output][];
        var w = new double[output][];
        for (var o = 0; o < output; o++)
        {
            double xo = coord switch
            {
                "half_pixel" => (o + 0.5) / scale - 0.5,
                "pytorch_half_pixel" => output > 1 ? (o + 0.5) / scale - 0.5 : 0,
                "align_corners" => resized == 1 ? 0 : o * (input - 1.0) / (resized - 1.0),
                "tf_half_pixel_for_nn" => (o + 0.5) / scale,
                _ => o / scale,
            };
            if (mode == "nearest")
            {
                var f = Math.Floor(xo);
                double n = nearestMode switch
                {
                    "round_prefer_ceil" => xo - f == 0.5 ? f + 1 : Math.Round(xo),
                    "floor" => f,
                    "ceil" => Math.Ceiling(xo),
                    _ => xo - f == 0.5 ? f : Math.Round(xo),
                };
                idx[o] = [(int)Math.Clamp(n, 0, input - 1)];
                w[o] = [1];
                continue;
            }
            if (mode == "linear" && input > 0) xo = Math.Clamp(xo, 0, input - 1);
            var fl = Math.Floor(xo);
            var t = xo - fl;
            int[] off = mode == "linear" ? [0, 1] : [-1, 0, 1, 2];
            double[] ws = mode == "linear" ? [1 - t, t] :
            [
                ((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a,
                ((a + 2) * t - (a + 3)) * t * t + 1,
                ((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1,
                ((a * (2 - t) - 5 * a) * (2 - t) + 8 * a) * (2 - t) - 4 * a,
            ];
            idx[o] = new int[off.Length];
            double sum = 0;
            for (var j = 0; j < off.Length; j++)
            {
                var i = (long)fl + off[j];
                if (excludeOutside && (i < 0 || i >= input)) ws[j] = 0;
                sum += ws[j];
                idx[o][j] = (int)Math.Clamp(i, 0, input - 1);
            }
            if (excludeOutside && sum != 0) for (var j = 0; j < ws.Length; j++) ws[j] /= sum;
            w[o] = ws;
        }
        return (idx, w);
    }

    private static double[] ApplyAxis(double[] data, int[] dims, int axis, int output, int[][] idx, double[][] w)
    {
        long outer = 1, inner = 1;
        for (var i = 0; i < axis; i++) outer *= dims[i];
        for (var i = axis + 1; i < dims.Length; i++) inner *= dims[i];
        var input = dims[axis];
        var y = new double[outer * output * inner];
        for (long p = 0; p < outer; p++)
            for (var o = 0; o < output; o++)
            {
                var dst = (p * output + o) * inner;
                for (var j = 0; j < idx[o].Length; j++)
                {
                    var src = (p * input + idx[o][j]) * inner;
                    var wj = w[o][j];
                    for (long q = 0; q < inner; q++) y[dst + q] += wj * data[src + q];
                }
            }
        return y;
    }
}
