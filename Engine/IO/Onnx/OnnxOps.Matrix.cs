namespace Scratch.IO.Onnx;

internal static partial class OnnxOps
{
    /// <summary>Matrix construction, masking and small linear algebra: Trilu, EyeLike, Det, the window functions
    /// HannWindow, HammingWindow and BlackmanWindow, and ReverseSequence.</summary>
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
        d["Det"] = c =>
        {
            var x = c.X(0);
            if (x.Rank < 2 || x.Shape[x.Rank - 1] != x.Shape[x.Rank - 2]) throw new OnnxFormatException($"ONNX: Det expected [..., M, M], got {x.Shape}.");
            var m = x.Shape[x.Rank - 1];
            var v = x.ToDoubleArray();
            var count = m == 0 ? 0 : v.Length / (m * m);
            var y = new double[count];
            for (var k = 0; k < count; k++) y[k] = Determinant(v.AsSpan(k * m * m, m * m).ToArray(), m);
            return One(FromDoubles(y, new Shape(x.Shape.Dims[..^2]), x.DType));
        };
        d["HannWindow"] = c => Window(c, (n, d) => 0.5 - 0.5 * Math.Cos(2 * Math.PI * n / d));
        d["HammingWindow"] = c => Window(c, (n, d) => 25.0 / 46 - (1 - 25.0 / 46) * Math.Cos(2 * Math.PI * n / d));
        d["BlackmanWindow"] = c => Window(c, (n, d) => 0.42 - 0.5 * Math.Cos(2 * Math.PI * n / d) + 0.08 * Math.Cos(4 * Math.PI * n / d));
        d["ReverseSequence"] = c =>
        {
            var x = c.X(0);
            var lens = OnnxContext.Longs(c.X(1));
            int batchAxis = (int)c.Axis(c.Int("batch_axis", 1), x.Rank), timeAxis = (int)c.Axis(c.Int("time_axis", 0), x.Rank);
            if (batchAxis == timeAxis || lens.Length != x.Shape[batchAxis])
                throw new OnnxFormatException($"ONNX: ReverseSequence expected distinct batch/time axes and {x.Shape[batchAxis]} lengths, got {lens.Length}.");
            var dims = x.Shape.ToArray();
            var strides = new long[x.Rank];
            for (long a = x.Rank - 1, st = 1; a >= 0; a--) { strides[a] = st; st *= dims[a]; }
            var map = new long[x.Numel];
            var pos = new int[x.Rank];
            for (long o = 0; o < map.Length; o++)
            {
                var len = Math.Clamp(lens[pos[batchAxis]], 0, dims[timeAxis]);
                long src = 0;
                for (var a = 0; a < x.Rank; a++)
                    src += (a == timeAxis && pos[a] < len ? len - 1 - pos[a] : pos[a]) * strides[a];
                map[o] = src;
                for (var a = x.Rank - 1; a >= 0; a--)
                {
                    if (++pos[a] < dims[a]) break;
                    pos[a] = 0;
                }
            }
            return One(IndexKernels.Take(x, map, x.Shape));
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

    private static Tensor?[] Window(OnnxContext c, Func<double, double, double> f)
    {
        var n = OnnxContext.Longs(c.X(0))[0];
        CheckSize(n, c);
        var periodic = c.Int("periodic", 1) != 0;
        var denominator = periodic ? n : n - 1;
        var v = new double[Math.Max(n, 0)];
        for (var i = 0; i < v.Length; i++) v[i] = denominator == 0 ? 1 : f(i, denominator);
        return One(FromDoubles(v, new Shape(v.Length), DTypeOf(c, c.Int("output_datatype", 1))));
    }

    /// <summary>Determinant by LU decomposition with partial pivoting (row-major m × m).</summary>
    private static double Determinant(double[] a, int m)
    {
        var det = 1.0;
        for (var k = 0; k < m; k++)
        {
            var pivot = k;
            for (var i = k + 1; i < m; i++) if (Math.Abs(a[i * m + k]) > Math.Abs(a[pivot * m + k])) pivot = i;
            if (a[pivot * m + k] == 0) return 0;
            if (pivot != k)
            {
                for (var j = 0; j < m; j++) (a[k * m + j], a[pivot * m + j]) = (a[pivot * m + j], a[k * m + j]);
                det = -det;
            }
            det *= a[k * m + k];
            for (var i = k + 1; i < m; i++)
            {
                var factor = a[i * m + k] / a[k * m + k];
                for (var j = k; j < m; j++) a[i * m + j] -= factor * a[k * m + j];
            }
        }
        return det;
    }
}
