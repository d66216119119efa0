using System.Numerics;
using System.Numerics.Tensors;
using Scratch.Autograd;

namespace Scratch.Ops;

internal static partial class ChannelNormKernels
{
    /// <summary>Group norm of a Cpu tensor [N, C, *] with the fused kernels, recording the fused backward: each
    /// (n, group) block of C/G contiguous planes is normalised with its own μ and biased σ², then γ_c and β_c apply.
    /// </summary>
    public static Tensor GroupNorm(Tensor x, int groups, Tensor? weight, Tensor? bias, double eps) =>
        x.DType == DType.F32
            ? GroupNorm<float>(x, groups, weight, bias, eps)
            : GroupNorm<double>(x, groups, weight, bias, eps);

    private static Tensor GroupNorm<T>(Tensor x, int groups, Tensor? weight, Tensor? bias, double eps)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const string op = "GroupNorm";
        var xc = x.Detach().Materialize();
        int n = x.Shape[0], c = x.Shape[1], s = n * c == 0 ? 0 : checked((int)(x.Numel / ((long)n * c)));
        int cg = c / groups, blocks = n * groups;
        var len = (double)cg * s;
        var (xa, xo) = (xc.HostArray<T>(), (int)xc.Offset);
        var (gw, gb) = (Values<T>(weight), Values<T>(bias));
        var (mu, rstd) = (new double[blocks], new double[blocks]);
        var (a, b) = (new double[n * c], new double[n * c]);
        var y = Tensor.Uninitialized(x.Shape, x.DType, x.Device);
        var ya = y.HostArray<T>();
        var work = (long)n * c * s;
        For(blocks, work, blk =>
        {
            var first = blk * cg; // plane index n·C + g·C/G
            var sum = 0.0;
            for (var p = first; p < first + cg; p++)
                sum += double.CreateChecked(TensorPrimitives.Sum(new ReadOnlySpan<T>(xa, xo + p * s, s)));
            var m = len == 0 ? 0 : sum / len;
            var q = 0.0;
            for (var p = first; p < first + cg; p++)
                q += SumSqDiff(new ReadOnlySpan<T>(xa, xo + p * s, s), T.CreateChecked(m));
            var r = 1 / Math.Sqrt((len == 0 ? 0 : q / len) + eps);
            (mu[blk], rstd[blk]) = (m, r);
            for (var p = first; p < first + cg; p++)
            {
                var ch = p % c;
                // Round the scale to T first, so the shift cancels it exactly where x equals the mean.
                a[p] = double.CreateChecked(T.CreateChecked(r * (gw is null ? 1 : double.CreateChecked(gw[ch]))));
                b[p] = (gb is null ? 0 : double.CreateChecked(gb[ch])) - m * a[p];
                Scale(new ReadOnlySpan<T>(xa, xo + p * s, s), T.CreateChecked(a[p]), T.CreateChecked(b[p]),
                    new Span<T>(ya, p * s, s));
            }
        });
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
            var (s1, s2) = (new double[n * c], new double[n * c]);
            var dx = x.RequiresGrad ? Tensor.Uninitialized(x.Shape, x.DType, x.Device) : null;
            var da = dx?.HostArray<T>();
            For(blocks, work, blk =>
            {
                int first = blk * cg;
                var m = T.CreateChecked(mu[blk]);
                double sumG = 0, sumGx = 0;
                for (var p = first; p < first + cg; p++)
                {
                    (s1[p], s2[p]) = GradSums(new ReadOnlySpan<T>(ga, go + p * s, s),
                        new ReadOnlySpan<T>(sa, so + p * s, s), m);
                    var gamma = gw is null ? 1 : double.CreateChecked(gw[p % c]);
                    sumG += gamma * s1[p];
                    sumGx += gamma * s2[p];
                }
                if (da is null) return;
                // dx = r·(γ_c·g − mean(γg) − x̂·mean(γg·x̂)), x̂ = (x − μ)·r, as k1·g + k2·x + k3.
                var r = rstd[blk];
                var k2 = -r * r * r * sumGx / len;
                var k3 = -r * sumG / len - k2 * mu[blk];
                for (var p = first; p < first + cg; p++)
                {
                    var k1 = r * (gw is null ? 1 : double.CreateChecked(gw[p % c]));
                    Combine(new ReadOnlySpan<T>(ga, go + p * s, s), new ReadOnlySpan<T>(sa, so + p * s, s),
                        new Span<T>(da, p * s, s), T.CreateChecked(k1), T.CreateChecked(k2), T.CreateChecked(k3));
                }
            });
            Tensor? dw = null, db = null;
            if (weight is { RequiresGrad: true } || bias is { RequiresGrad: true })
            {
                var (w, bb) = (new double[c], new double[c]);
                for (var p = 0; p < n * c; p++)
                {
                    var blk = p / cg;
                    w[p % c] += s2[p] * rstd[blk];
                    bb[p % c] += s1[p];
                }
                if (weight is { RequiresGrad: true }) dw = Tensor.FromDoubles(w, weight.Shape, x.DType, x.Device);
                if (bias is { RequiresGrad: true }) db = Tensor.FromDoubles(bb, bias.Shape, x.DType, x.Device);
            }
            return [dx, .. weight is null ? Array.Empty<Tensor?>() : [dw], .. bias is null ? Array.Empty<Tensor?>() : [db]];
        });
    }
}
