using System.Numerics;
using System.Numerics.Tensors;
using Scratch.Autograd;

namespace Scratch.Ops;

/// <summary>Fused Cpu kernels for batch and group normalisation on a contiguous [N, C, S] view of the input (S = the
/// product of the spatial dims). Statistics are taken per block of planes: batch norm's block for channel c is the N
/// planes x[·, c, ·]; group norm's block for (n, g) is the C/G contiguous planes x[n, g·C/G … (g+1)·C/G − 1, ·].
/// Forward: per block μ (a vectorised sum per plane accumulated in double), σ² from a second vectorised pass over
/// (x − μ)², then one pass y = x·a_c + b_c with a_c = γ_c/√(σ² + ε), b_c = β_c − μ·a_c. Backward: one pass of
/// per-plane sums Σ g and Σ g·(x − μ), then one pass dx = k1·g + k2·x + k3 per plane, so x is read twice and g twice
/// in total. Blocks run in parallel (Parallel.For) when the tensor is large.</summary>
internal static partial class ChannelNormKernels
{
    /// <summary>Elements under which the kernels stay on one thread.</summary>
    private const long ParallelGrain = 1 << 15;

    internal static void For(int count, long work, Action<int> body)
    {
        if (count > 1 && work >= ParallelGrain) Parallel.For(0, count, body);
        else
            for (var i = 0; i < count; i++) body(i);
    }

    /// <summary>Σ (x − m)² over a span.</summary>
    internal static double SumSqDiff<T>(ReadOnlySpan<T> x, T m) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var acc = Vector<T>.Zero;
        var vm = new Vector<T>(m);
        var i = 0;
        for (; i <= x.Length - Vector<T>.Count; i += Vector<T>.Count)
        {
            var d = new Vector<T>(x[i..]) - vm;
            acc += d * d;
        }
        var s = double.CreateChecked(Vector.Sum(acc));
        for (; i < x.Length; i++)
        {
            var d = double.CreateChecked(x[i] - m);
            s += d * d;
        }
        return s;
    }

    /// <summary>(Σ g, Σ g·(x − m)) over two spans of one length.</summary>
    internal static (double Sg, double Sgx) GradSums<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> x, T m)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (a, b) = (Vector<T>.Zero, Vector<T>.Zero);
        var vm = new Vector<T>(m);
        var i = 0;
        for (; i <= x.Length - Vector<T>.Count; i += Vector<T>.Count)
        {
            var gv = new Vector<T>(g[i..]);
            a += gv;
            b += gv * (new Vector<T>(x[i..]) - vm);
        }
        double sg = double.CreateChecked(Vector.Sum(a)), sgx = double.CreateChecked(Vector.Sum(b));
        for (; i < x.Length; i++)
        {
            sg += double.CreateChecked(g[i]);
            sgx += double.CreateChecked(g[i]) * double.CreateChecked(x[i] - m);
        }
        return (sg, sgx);
    }

    /// <summary>dx = k1·g + k2·x + k3 elementwise.</summary>
    internal static void Combine<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> x, Span<T> dx, T k1, T k2, T k3)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (v1, v2, v3) = (new Vector<T>(k1), new Vector<T>(k2), new Vector<T>(k3));
        var i = 0;
        for (; i <= x.Length - Vector<T>.Count; i += Vector<T>.Count)
            (new Vector<T>(g[i..]) * v1 + new Vector<T>(x[i..]) * v2 + v3).CopyTo(dx[i..]);
        for (; i < x.Length; i++) dx[i] = k1 * g[i] + k2 * x[i] + k3;
    }

    /// <summary>y = x·a + b elementwise.</summary>
    internal static void Scale<T>(ReadOnlySpan<T> x, T a, T b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (va, vb) = (new Vector<T>(a), new Vector<T>(b));
        var i = 0;
        for (; i <= x.Length - Vector<T>.Count; i += Vector<T>.Count)
            (new Vector<T>(x[i..]) * va + vb).CopyTo(y[i..]);
        for (; i < x.Length; i++) y[i] = x[i] * a + b;
    }

    /// <summary>The elements of an optional tensor.</summary>
    internal static T[]? Values<T>(Tensor? t) where T : unmanaged =>
        t is null ? null : t.Detach().Materialize().ToArray<T>();

    /// <summary>Batch statistics of contiguous x [N, C, S] per channel: (mean, biased variance).</summary>
    internal static void BatchStats<T>(T[] xa, int xo, int n, int c, int s, double[] mean, double[] variance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var count = (double)n * s;
        For(c, (long)n * c * s, ch =>
        {
            var sum = 0.0;
            for (var i = 0; i < n; i++)
                sum += double.CreateChecked(TensorPrimitives.Sum(new ReadOnlySpan<T>(xa, xo + (i * c + ch) * s, s)));
            var m = sum / count;
            var q = 0.0;
            for (var i = 0; i < n; i++)
                q += SumSqDiff(new ReadOnlySpan<T>(xa, xo + (i * c + ch) * s, s), T.CreateChecked(m));
            (mean[ch], variance[ch]) = (m, q / count);
        });
    }

    /// <summary>y[n, c] = x[n, c]·a_c + b_c over contiguous [N, C, S] tensors (per-(n, c) a and b when
    /// <paramref name="perSample"/>).</summary>
    internal static void Affine<T>(T[] xa, int xo, T[] ya, int n, int c, int s, double[] a, double[] b,
        bool perSample) where T : unmanaged, IFloatingPointIeee754<T>
    {
        For(n * c, (long)n * c * s, p =>
        {
            var k = perSample ? p : p % c;
            Scale(new ReadOnlySpan<T>(xa, xo + p * s, s), T.CreateChecked(a[k]), T.CreateChecked(b[k]),
                new Span<T>(ya, p * s, s));
        });
    }

    /// <summary>Training-mode batch norm of a Cpu tensor with the batch statistics, recording the fused backward.
    /// </summary>
    public static Tensor BatchNormTrain(Tensor x, Tensor? weight, Tensor? bias, double eps, out double[] mean,
        out double[] variance) =>
        x.DType == DType.F32
            ? BatchNormTrain<float>(x, weight, bias, eps, out mean, out variance)
            : BatchNormTrain<double>(x, weight, bias, eps, out mean, out variance);

    private static Tensor BatchNormTrain<T>(Tensor x, Tensor? weight, Tensor? bias, double eps, out double[] mean,
        out double[] variance) where T : unmanaged, IFloatingPointIeee754<T>
    {
        const string op = "BatchNorm";
        var xc = x.Detach().Materialize();
        int n = x.Shape[0], c = x.Shape[1], s = n * c == 0 ? 0 : checked((int)(x.Numel / ((long)n * c)));
        var (xa, xo) = (xc.HostArray<T>(), (int)xc.Offset);
        var (mu, v) = (new double[c], new double[c]);
        BatchStats(xa, xo, n, c, s, mu, v);
        var rstd = new double[c];
        var (gw, gb) = (Values<T>(weight), Values<T>(bias));
        var (a, b) = (new double[c], new double[c]);
        for (var ch = 0; ch < c; ch++)
        {
            rstd[ch] = 1 / Math.Sqrt(v[ch] + eps);
            a[ch] = rstd[ch] * (gw is null ? 1 : double.CreateChecked(gw[ch]));
            b[ch] = (gb is null ? 0 : double.CreateChecked(gb[ch])) - mu[ch] * a[ch];
        }
        var y = Tensor.Uninitialized(x.Shape, x.DType, x.Device);
        Affine(xa, xo, y.HostArray<T>(), n, c, s, a, b, false);
        (mean, variance) = (mu, v);
        Tensor[] inputs = [x, .. weight is null ? Array.Empty<Tensor>() : [weight],
            .. bias is null ? Array.Empty<Tensor>() : [bias]];
        if (!Graph.NeedsGrad(inputs)) return y;
        var saved = new SavedTensor(x, op);
        return Graph.Record(y, op, inputs, g =>
        {
            var gc = g.Materialize();
            var (ga, go) = (gc.HostArray<T>(), (int)gc.Offset);
            var xs = saved.Get().Detach().Materialize();
            var (sa, so) = (xs.HostArray<T>(), (int)xs.Offset);
            var (sg, sgx) = (new double[c], new double[c]);
            For(c, (long)n * c * s, ch =>
            {
                var m = T.CreateChecked(mu[ch]);
                for (var i = 0; i < n; i++)
                {
                    var at = (i * c + ch) * s;
                    var (p, q) = GradSums(new ReadOnlySpan<T>(ga, go + at, s), new ReadOnlySpan<T>(sa, so + at, s), m);
                    sg[ch] += p;
                    sgx[ch] += q;
                }
            });
            Tensor? dx = null;
            if (x.RequiresGrad)
            {
                dx = Tensor.Uninitialized(x.Shape, x.DType, x.Device);
                var da = dx.HostArray<T>();
                var count = (double)n * s;
                For(n * c, (long)n * c * s, p =>
                {
                    var ch = p % c;
                    var gamma = gw is null ? 1 : double.CreateChecked(gw[ch]);
                    // dx = γ·r·(g − Σg/M − x̂·Σg·x̂/M), x̂ = (x − μ)·r, expanded to k1·g + k2·x + k3.
                    double r = rstd[ch], k1 = gamma * r, k2 = -gamma * r * r * r * sgx[ch] / count;
                    var k3 = -k1 * sg[ch] / count - k2 * mu[ch];
                    Combine(new ReadOnlySpan<T>(ga, go + p * s, s), new ReadOnlySpan<T>(sa, so + p * s, s),
                        new Span<T>(da, p * s, s), T.CreateChecked(k1), T.CreateChecked(k2), T.CreateChecked(k3));
                });
            }
            var dw = weight is { RequiresGrad: true }
                ? Tensor.FromDoubles(sgx.Select((q, ch) => q * rstd[ch]).ToArray(), weight.Shape, x.DType, x.Device)
                : null;
            var db = bias is { RequiresGrad: true } ? Tensor.FromDoubles(sg, bias.Shape, x.DType, x.Device) : null;
            return [dx, .. weight is null ? Array.Empty<Tensor?>() : [dw], .. bias is null ? Array.Empty<Tensor?>() : [db]];
        });
    }

    /// <summary>Eval-mode batch norm y = x·a_c + b_c in one pass; only x may need a gradient (callers use it when
    /// the affine parameters do not), which is dx = g·a_c.</summary>
    public static Tensor BatchNormEval(Tensor x, Tensor runningMean, Tensor runningVar, Tensor? weight, Tensor? bias,
        double eps)
    {
        var c = x.Shape[1];
        var (rm, rv) = (Values<double>(runningMean.To(DType.F64))!, Values<double>(runningVar.To(DType.F64))!);
        var gw = weight is null ? null : Values<double>(weight.To(DType.F64));
        var gb = bias is null ? null : Values<double>(bias.To(DType.F64));
        var (a, b) = (new double[c], new double[c]);
        for (var ch = 0; ch < c; ch++)
        {
            a[ch] = (gw?[ch] ?? 1) / Math.Sqrt(rv[ch] + eps);
            b[ch] = (gb?[ch] ?? 0) - rm[ch] * a[ch];
        }
        return ScaleShift(x, a, b);
    }

    /// <summary>y = x·a_c + b_c per channel (dim 1) of a Cpu tensor [N, C, *] in one pass, with the one-pass backward
    /// dx = g·a_c (a and b are constants: frozen or eval-mode batch norm).</summary>
    public static Tensor ScaleShift(Tensor x, double[] a, double[] b)
    {
        const string op = "ChannelScaleShift";
        var xc = x.Detach().Materialize();
        int n = x.Shape[0], c = x.Shape[1], s = n * c == 0 ? 0 : checked((int)(x.Numel / ((long)n * c)));
        var y = Tensor.Uninitialized(x.Shape, x.DType, x.Device);
        Run(xc, y, a, b);
        if (!Graph.NeedsGrad(x)) return y;
        var zero = new double[c];
        return Graph.Record(y, op, [x], g =>
        {
            var dx = Tensor.Uninitialized(x.Shape, x.DType, x.Device);
            Run(g.Materialize(), dx, a, zero);
            return [dx];
        });

        void Run(Tensor src, Tensor dst, double[] scale, double[] shift)
        {
            if (src.DType == DType.F32)
                Affine(src.HostArray<float>(), (int)src.Offset, dst.HostArray<float>(), n, c, s, scale, shift, false);
            else
                Affine(src.HostArray<double>(), (int)src.Offset, dst.HostArray<double>(), n, c, s, scale, shift, false);
        }
    }
}
