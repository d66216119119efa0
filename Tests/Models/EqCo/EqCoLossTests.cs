using Scratch.Models.EqCo;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Models.EqCo;

public class EqCoLossTests
{
    private static readonly double[] Pos = [0.8, -0.1, 0.3];
    private static readonly double[] Neg = [0.1, -0.2, 0.5, 0.0, 0.7, 0.2, -0.6, 0.3, -0.9, 0.4, 0.25, 0.1];

    private static Tensor T(double[] v, params int[] shape) =>
        Tensor.FromDoubles(v, new Shape(shape), DType.F64).RequiresGrad_();

    [Fact]
    public void Loss_and_gradients_match_torch()
    {
        var pos = T(Pos, 3);
        var neg = T(Neg, 3, 4);
        var loss = EqCoLoss.Compute(pos, neg, alpha: 256, tau: 0.2);
        // torch 1.13: (torch.logsumexp(torch.stack([pos/t, math.log(a/K)+torch.logsumexp(neg/t,1)],1),1)-pos/t).mean()
        //             with pos, neg as above (float64), a = 256, t = 0.2, K = 4
        Assert.Equal(5.495042913323129, loss.Item(), 1e-12);
        loss.Backward();
        // torch 1.13: pos.grad, neg.grad of the expression above
        Verify.Close([-1.5780914158219845, -1.6662754544877065, -1.6574107156804982], pos.Grad!.ToDoubleArray(), 1e-12, 1e-10);
        Verify.Close([0.17118341193503347, 0.03819618211981865, 1.2648838339943171, 0.10382798777281532,
            1.3670055194656323, 0.11221064618419853, 0.0020552096749812993, 0.18500407916289419,
            0.0014683653538612319, 0.9766709293730215, 0.4613466800702973, 0.2179247408833181], neg.Grad!.ToDoubleArray(), 1e-12, 1e-10);
    }

    [Fact]
    public void Margin_form_matches_torch_cross_entropy()
    {
        // torch 1.13: F.cross_entropy(torch.cat([((pos-t*math.log(a/K))/t).unsqueeze(1),neg/t],1), zeros(3, long))
        Assert.Equal(5.49504291332313, EqCoLoss.MarginForm(T(Pos, 3), T(Neg, 3, 4), 256, 0.2).Item(), 1e-12);
    }

    [Fact]
    public void Scaled_negative_sum_equals_margin_form_on_random_logits()
    {
        // E3: the α/K-scaled negative sum and InfoNCE with m = τ·ln(α/K) are the same function.
        var g = new Generator(3);
        for (var c = 0; c < 100; c++)
        {
            var b = 1 + (int)g.NextInt64(8);
            var k = 1 + (int)g.NextInt64(300);
            var alpha = Math.Exp(g.NextDouble() * 10 - 2);
            var tau = 0.05 + g.NextDouble();
            var pos = Tensor.Rand(new Shape(b), g, DType.F64) * 2 - 1;
            var neg = Tensor.Rand(new Shape(b, k), g, DType.F64) * 2 - 1;
            var a = EqCoLoss.Compute(pos, neg, alpha, tau).Item();
            var m = EqCoLoss.MarginForm(pos, neg, alpha, tau).Item();
            Assert.True(Math.Abs(a - m) < 1e-6, $"case {c}: b {b}, k {k}, alpha {alpha}, tau {tau}: {a} vs {m}");
            var direct = Direct(pos.ToDoubleArray(), neg.ToDoubleArray(), k, alpha, tau);
            Assert.True(Math.Abs(a - direct) < 1e-6, $"case {c}: {a} vs direct {direct}");
        }
    }

    [Fact]
    public void SiMo_column_subset_with_alpha_over_k_equals_margin_form()
    {
        var g = new Generator(5);
        var z = Scratch.Models.EqCo.ContrastiveNet.L2Normalize(Tensor.Randn(new Shape(12, 16), g, DType.F64));
        var sims = F.Matmul(z, z.Transpose(0, 1)) * 0.9;
        foreach (var k in new[] { 1, 4, 11 })
        {
            var (pos, neg) = SiMo.SplitSimilarities(sims, k, new Generator(7));
            var a = EqCoLoss.Compute(pos, neg, 11, 0.2).Item();
            var m = EqCoLoss.MarginForm(pos, neg, 11, 0.2).Item();
            Assert.True(Math.Abs(a - m) < 1e-6, $"k {k}: {a} vs {m}");
        }
    }

    [Theory]
    [InlineData(0.2)]
    [InlineData(0.5)]
    [InlineData(0.8)]
    [InlineData(1.0)]
    public void EqCo_loss_and_positive_gradient_do_not_depend_on_K_while_InfoNCE_does(double sPos)
    {
        // E1: negatives ~ cosines of random unit vectors in R^128 (≈ N(0, 1/128)), τ = 0.2, α = 256.
        const int queries = 1000;
        const double tau = 0.2, alpha = 256;
        var ks = new[] { 16, 64, 256, 1024, 4096 };
        var eqLoss = new double[ks.Length];
        var eqGrad = new double[ks.Length];
        var ncLoss = new double[ks.Length];
        var ncGrad = new double[ks.Length];
        for (var i = 0; i < ks.Length; i++)
        {
            var neg = Tensor.Randn(new Shape(queries, ks[i]), new Generator(11), DType.F64) * Math.Sqrt(1.0 / 128);
            (eqLoss[i], eqGrad[i]) = LossAndPositiveGrad(sPos, neg, alpha, tau);
            (ncLoss[i], ncGrad[i]) = LossAndPositiveGrad(sPos, neg, ks[i], tau);
        }
        Assert.True(Spread(eqLoss) <= 0.02, $"EqCo loss varies by {Spread(eqLoss):P2}: {string.Join(", ", eqLoss)}");
        Assert.True(Spread(eqGrad) <= 0.02, $"EqCo dL/ds+ varies by {Spread(eqGrad):P2}: {string.Join(", ", eqGrad)}");
        Assert.True(ncLoss[^1] - ncLoss[0] > 2.5, $"InfoNCE loss should grow ≈ ln K: {string.Join(", ", ncLoss)}");
        Assert.True(ncGrad[^1] / ncGrad[0] > 1.15, $"InfoNCE dL/ds+ should change with K: {string.Join(", ", ncGrad)}");
        if (sPos == 0.8)
        {
            // papers.md E1 (pure-Python check): EqCo loss ≈ 1.81–1.82, InfoNCE (1 − p+) ≈ 0.24 (K=16) vs ≈ 0.99 (K=4096).
            Assert.InRange(eqLoss[2], 1.78, 1.85);
            Assert.InRange(-ncGrad[0] * tau, 0.20, 0.28);
            Assert.InRange(-ncGrad[^1] * tau, 0.97, 1.0);
            Assert.True(ncGrad[^1] / ncGrad[0] > 3, "several-fold change of (1 - p+) at s+ = 0.8");
        }
    }

    [Fact]
    public void Gradients_pass_gradcheck()
    {
        var g = new Generator(2);
        var pos = Tensor.Rand(new Shape(3), g, DType.F64) * 2 - 1;
        var neg = Tensor.Rand(new Shape(3, 5), g, DType.F64) * 2 - 1;
        Verify.Gradients(x => EqCoLoss.Compute(x[0], x[1], 37, 0.3), pos, neg);
        Verify.Gradients(x => EqCoLoss.PerQuery(x[0], x[1], 2, 0.5), pos, neg);
    }

    [Fact]
    public void Cpu_and_Reference_agree()
    {
        var g = new Generator(4);
        var pos = Tensor.Rand(new Shape(4), g, DType.F64) * 2 - 1;
        var neg = Tensor.Rand(new Shape(4, 6), g, DType.F64) * 2 - 1;
        Verify.SameOnBackends(x => EqCoLoss.Compute(x[0], x[1], 255, 0.2), [pos, neg]);
    }

    [Fact]
    public void Is_finite_for_extreme_similarities_in_float32()
    {
        var pos = Tensor.From(new float[] { 1000f, -1000f });
        var neg = Tensor.From(new float[] { -1000f, 0f, 1000f, 1000f }, new Shape(2, 2));
        var loss = EqCoLoss.PerQuery(pos, neg, 4096, 0.2).ToDoubleArray();
        Assert.All(loss, v => Assert.True(double.IsFinite(v), $"{v}"));
        Assert.Equal(0, loss[0], 1e-3);                  // the positive dominates
        Assert.Equal(2000 / 0.2 + Math.Log(4096.0), loss[1], 1e-1); // (s_neg − s+)/τ + ln(α/K) + ln 2
    }

    [Fact]
    public void Bad_input_names_the_argument()
    {
        var pos = Tensor.Zeros(new Shape(3));
        var neg = Tensor.Zeros(new Shape(3, 4));
        Assert.Contains("negatives", Assert.Throws<ShapeMismatchException>(() => EqCoLoss.Compute(pos, Tensor.Zeros(new Shape(2, 4)), 1, 0.2)).Message);
        Assert.Contains("positive", Assert.Throws<ShapeMismatchException>(() => EqCoLoss.Compute(neg, neg, 1, 0.2)).Message);
        Assert.Contains("alpha", Assert.Throws<ArgumentOutOfRangeException>(() => EqCoLoss.Compute(pos, neg, 0, 0.2)).Message);
        Assert.Contains("tau", Assert.Throws<ArgumentOutOfRangeException>(() => EqCoLoss.Compute(pos, neg, 1, -1)).Message);
        Assert.Contains("negatives", Assert.Throws<DTypeMismatchException>(() => EqCoLoss.Compute(pos, neg.To(DType.F64), 1, 0.2)).Message);
        Assert.Throws<DTypeMismatchException>(() => EqCoLoss.Compute(Tensor.Zeros(new Shape(3), DType.I64), neg, 1, 0.2));
        Assert.Contains("k", Assert.Throws<ArgumentOutOfRangeException>(() => EqCoLoss.Margin(1, 0, 0.2)).Message);
    }

    private static (double Loss, double Grad) LossAndPositiveGrad(double sPos, Tensor neg, double alpha, double tau)
    {
        var pos = Tensor.Full(new Shape(neg.Size(0)), sPos, DType.F64).RequiresGrad_();
        var loss = EqCoLoss.Compute(pos, neg, alpha, tau);
        loss.Backward();
        return (loss.Item(), pos.Grad!.ToDoubleArray().Sum()); // mean loss → summed grad = mean ∂L_i/∂s+_i
    }

    private static double Spread(double[] v) => (v.Max() - v.Min()) / Math.Abs(v.Average());

    /// <summary>−log(e^{s+/τ} / (e^{s+/τ} + (α/K)·Σ e^{s/τ})) with plain doubles, averaged.</summary>
    private static double Direct(double[] pos, double[] neg, int k, double alpha, double tau)
    {
        double total = 0;
        for (var i = 0; i < pos.Length; i++)
        {
            double sum = 0;
            for (var j = 0; j < k; j++) sum += Math.Exp(neg[i * k + j] / tau);
            var e = Math.Exp(pos[i] / tau);
            total += -Math.Log(e / (e + alpha / k * sum));
        }
        return total / pos.Length;
    }
}
