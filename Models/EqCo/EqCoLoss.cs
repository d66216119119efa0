namespace Scratch.Models.EqCo;

/// <summary>The EqCo contrastive loss (arXiv 2010.01929): InfoNCE whose negative sum is rescaled by α/K, so the
/// loss and its gradient magnitude do not depend on the number of negatives K.</summary>
/// <remarks>
/// With positive similarity s⁺ and negative similarities s₁..s_K (cosines of L2-normalised embeddings) and
/// temperature τ, per query
/// <code>
///   L = −log( e^{s⁺/τ} / ( e^{s⁺/τ} + (α/K)·Σᵢ e^{sᵢ/τ} ) )
///     = LSE( [ s⁺/τ,  ln(α/K) + LSE(s/τ) ] ) − s⁺/τ
/// </code>
/// (LSE = log-sum-exp, evaluated max-shifted so it is finite for any finite input). α = K gives plain InfoNCE.
/// Dividing numerator and denominator by α/K shows it equals InfoNCE with the positive logit shifted by the margin
/// m = τ·ln(α/K) (see <see cref="Margin"/> and <see cref="MarginForm"/>). The batch loss is the mean over queries.
/// </remarks>
public static class EqCoLoss
{
    /// <summary>Mean EqCo loss over the batch.</summary>
    /// <param name="positive">Positive similarities s⁺, shape [B] (float32 or float64).</param>
    /// <param name="negatives">Negative similarities, shape [B, K], K ≥ 1, same dtype and device.</param>
    /// <param name="alpha">The equivalent negative count α &gt; 0 (α = K: InfoNCE).</param>
    /// <param name="tau">Temperature τ &gt; 0.</param>
    /// <returns>A scalar; differentiable in both similarity tensors.</returns>
    public static Tensor Compute(Tensor positive, Tensor negatives, double alpha, double tau) =>
        PerQuery(positive, negatives, alpha, tau).Mean();

    /// <summary>The EqCo loss of each query, shape [B]; see <see cref="Compute"/>.</summary>
    public static Tensor PerQuery(Tensor positive, Tensor negatives, double alpha, double tau)
    {
        Check(positive, negatives, alpha, tau);
        var k = negatives.Size(1);
        var pos = (positive / tau).Unsqueeze(1);                                        // [B, 1]
        var neg = F.LogSumExp(negatives / tau, [1], keepDim: true) + Math.Log(alpha / k); // [B, 1]
        return F.LogSumExp(F.Cat([pos, neg], 1), [1]) - pos.Squeeze(1);
    }

    /// <summary>The margin m = τ·ln(α/K) that makes InfoNCE with K negatives equal to EqCo.</summary>
    public static double Margin(double alpha, int k, double tau)
    {
        if (!(alpha > 0) || !double.IsFinite(alpha))
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, $"EqCoLoss: alpha must be a positive finite number, got {alpha}.");
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, $"EqCoLoss: k must be >= 1, got {k}.");
        if (!(tau > 0) || !double.IsFinite(tau))
            throw new ArgumentOutOfRangeException(nameof(tau), tau, $"EqCoLoss: tau must be a positive finite number, got {tau}.");
        return tau * Math.Log(alpha / k);
    }

    /// <summary>The same loss written as InfoNCE (cross-entropy with the positive as class 0) on the logits
    /// [(s⁺ − m)/τ, s₁/τ, …, s_K/τ] with m = <see cref="Margin"/>; mean over the batch. Mathematically identical
    /// to <see cref="Compute"/>; kept as an independent formulation for checks.</summary>
    public static Tensor MarginForm(Tensor positive, Tensor negatives, double alpha, double tau)
    {
        Check(positive, negatives, alpha, tau);
        var m = Margin(alpha, negatives.Size(1), tau);
        var logits = F.Cat([((positive - m) / tau).Unsqueeze(1), negatives / tau], 1);
        var target = Tensor.Zeros(new Shape(positive.Size(0)), DType.I64, positive.Device);
        return F.CrossEntropy(logits, target);
    }

    private static void Check(Tensor positive, Tensor negatives, double alpha, double tau)
    {
        const string op = "EqCoLoss";
        F.RequireFloating(positive, op, "positive");
        F.RequireFloating(negatives, op, "negatives");
        if (positive.Rank != 1) throw new ShapeMismatchException(op, "positive", "[B]", positive.Shape.ToString());
        if (negatives.Rank != 2 || negatives.Size(0) != positive.Size(0) || negatives.Size(1) < 1)
            throw new ShapeMismatchException(op, "negatives", $"[{positive.Size(0)}, K] with K >= 1", negatives.Shape.ToString());
        if (negatives.DType != positive.DType)
            throw new DTypeMismatchException(op, "negatives", positive.DType.ToString(), negatives.DType.ToString());
        if (negatives.Device != positive.Device)
            throw new DeviceMismatchException(op, "negatives", positive.Device.ToString(), negatives.Device.ToString());
        _ = Margin(alpha, negatives.Size(1), tau);
    }
}
