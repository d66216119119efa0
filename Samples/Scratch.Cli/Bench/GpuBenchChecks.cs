using Scratch.Backends.Gpu;

namespace Scratch.Cli.Bench;

/// <summary>Spot checks of the GPU benchmarks' results against the host, so a GPU run reports correctness beside
/// speed: sampled entries recomputed in double from host copies of the operands. The error of an entry is
/// |device − exact| / Σ|terms| (the scale fp32 accumulation errors grow with); a check passes below 1e-4, which
/// fp32 accumulation over thousands of terms stays well under, and a wrong tile, fragment or index far exceeds.
/// </summary>
internal static class GpuBenchChecks
{
    /// <summary>Largest error a check passes.</summary>
    public const double Tolerance = 1e-4;

    /// <summary>The JSON fields of a check: its largest error and "ok" or "FAIL".</summary>
    public static string[] Fields(double maxErr) =>
    [
        FormattableString.Invariant($"\"check_err\":{maxErr:E2}"),
        $"\"check\":\"{(maxErr <= Tolerance ? "ok" : "FAIL")}\"",
    ];

    /// <summary>Largest error of 256 sampled entries of c = a @ b ([1, M, K] @ [1, K, N]) at
    /// <paramref name="precision"/> (inputs rounded as the tensor cores see them when they are used).</summary>
    public static double Gemm(Tensor a, Tensor b, Tensor c, MatmulPrecision precision)
    {
        int m = a.Size(1), k = a.Size(2), n = b.Size(2);
        double[] av = Host(a, precision), bv = Host(b, precision), cv = c.ToDoubleArray();
        var r = new Random(1);
        var worst = 0.0;
        for (var s = 0; s < 256; s++)
        {
            int i = r.Next(m), j = r.Next(n);
            double exact = 0, scale = 0;
            for (var t = 0; t < k; t++)
            {
                var term = av[(long)i * k + t] * bv[(long)t * n + j];
                exact += term;
                scale += Math.Abs(term);
            }
            worst = Math.Max(worst, Error(cv[(long)i * n + j], exact, scale));
        }
        return worst;
    }

    /// <summary>Largest error of 64 sampled entries each of y = conv(x, w) (stride 1, padding p), of
    /// dx and dw for the upstream gradient gy.</summary>
    public static double Conv(Tensor x, Tensor w, Tensor y, Tensor gy, Tensor dx, Tensor dw, int p)
    {
        int nb = x.Size(0), cin = x.Size(1), h = x.Size(2), wd = x.Size(3), cout = w.Size(0), kk = w.Size(2);
        int oh = y.Size(2), ow = y.Size(3);
        double[] xv = x.ToDoubleArray(), wv = w.ToDoubleArray(), yv = y.ToDoubleArray(), gv = gy.ToDoubleArray();
        double[] dxv = dx.ToDoubleArray(), dwv = dw.ToDoubleArray();
        double X(int b, int c, int i, int j) =>
            i < 0 || j < 0 || i >= h || j >= wd ? 0 : xv[((long)(b * cin + c) * h + i) * wd + j];
        double W(int o, int c, int u, int v) => wv[((o * cin + c) * kk + u) * kk + v];
        double G(int b, int o, int i, int j) =>
            i < 0 || j < 0 || i >= oh || j >= ow ? 0 : gv[((long)(b * cout + o) * oh + i) * ow + j];
        var r = new Random(2);
        var worst = 0.0;
        for (var s = 0; s < 64; s++)
        {
            double exact = 0, scale = 0;
            void Add(double t)
            {
                exact += t;
                scale += Math.Abs(t);
            }
            // y[b, o, i, j] = Σ x[b, c, i + u − p, j + v − p]·w[o, c, u, v]
            int b = r.Next(nb), o = r.Next(cout), i = r.Next(oh), j = r.Next(ow);
            for (var c = 0; c < cin; c++)
            for (var u = 0; u < kk; u++)
            for (var v = 0; v < kk; v++)
                Add(X(b, c, i + u - p, j + v - p) * W(o, c, u, v));
            worst = Math.Max(worst, Error(yv[((long)(b * cout + o) * oh + i) * ow + j], exact, scale));
            // dx[b, c, i, j] = Σ gy[b, o, i − u + p, j − v + p]·w[o, c, u, v]
            (exact, scale) = (0, 0);
            int c2 = r.Next(cin), i2 = r.Next(h), j2 = r.Next(wd);
            for (var o2 = 0; o2 < cout; o2++)
            for (var u = 0; u < kk; u++)
            for (var v = 0; v < kk; v++)
                Add(G(b, o2, i2 - u + p, j2 - v + p) * W(o2, c2, u, v));
            worst = Math.Max(worst, Error(dxv[((long)(b * cin + c2) * h + i2) * wd + j2], exact, scale));
            // dw[o, c, u, v] = Σ gy[b, o, i, j]·x[b, c, i + u − p, j + v − p]
            (exact, scale) = (0, 0);
            int u3 = r.Next(kk), v3 = r.Next(kk);
            for (var b3 = 0; b3 < nb; b3++)
            for (var i3 = 0; i3 < oh; i3++)
            for (var j3 = 0; j3 < ow; j3++)
                Add(G(b3, o, i3, j3) * X(b3, c2, i3 + u3 - p, j3 + v3 - p));
            worst = Math.Max(worst, Error(dwv[((o * cin + c2) * kk + u3) * kk + v3], exact, scale));
        }
        return worst;
    }

    private static double[] Host(Tensor t, MatmulPrecision precision)
    {
        if (t.DType == DType.F64) return t.ToDoubleArray();
        var v = t.To(Device.Cpu).To(DType.F32).ToArray<float>();
        var r = new double[v.Length];
        for (var i = 0; i < v.Length; i++) r[i] = IlgpuBackend.TensorCoreInput(precision, v[i]);
        return r;
    }

    private static double Error(double actual, double exact, double scale) =>
        double.IsFinite(actual) ? Math.Abs(actual - exact) / Math.Max(scale, 1e-30) : double.PositiveInfinity;
}
