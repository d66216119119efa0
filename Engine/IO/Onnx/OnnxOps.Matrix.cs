namespace Scratch.IO.Onnx;

internal static partial class OnnxOps
{
    /// <summary>Matrix construction and masking: Trilu, EyeLike.</summary>
    private static void AddMatrix(Dictionary<string, OnnxKernel> d)
    {
        d["Trilu"] = c =>
        {
            var x = c.X(0);
            if (x.Rank < 2) throw new OnnxFormatException($"ONNX: Trilu expected rank ≥ 2, got {x.Shape}.");
            var k = c.Opt(1) is { } kt ? OnnxContext.Longs(kt)[0] : 0;
            var upper = c.Int("upper", 1) != 0;
            int rows = x.Shape[x.Rank - 2], cols = x.Shape[x.Rank - 1];
            var mask = new bool[(long)rows * cols];
            for (var i = 0; i < rows; i++)
                for (var j = 0; j < cols; j++)
                    mask[(long)i * cols + j] = upper ? j - i >= k : j - i <= k;
            return One(F.Where(Tensor.From(mask, new Shape(rows, cols)), x, Tensor.Zeros(new Shape(), x.DType)));
        };
        d["EyeLike"] = c =>
        {
            var x = c.X(0);
            if (x.Rank != 2) throw new OnnxFormatException($"ONNX: EyeLike expected a 2-D input, got {x.Shape}.");
            var dtype = c.Attr("dtype") is { } dt ? DTypeOf(c, dt.I) : x.DType;
            var k = c.Int("k", 0);
            int rows = x.Shape[0], cols = x.Shape[1];
            var v = new double[(long)rows * cols];
            for (var i = 0; i < rows; i++)
                if (i + k >= 0 && i + k < cols) v[(long)i * cols + i + k] = 1;
            return One(FromDoubles(v, x.Shape, dtype));
        };
    }
}
