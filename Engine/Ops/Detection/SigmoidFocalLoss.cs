namespace Scratch;

public static partial class F
{
    /// <summary>Sigmoid focal loss (Lin et al. 2017, RetinaNet eq. 5), as torchvision 0.14's
    /// <c>sigmoid_focal_loss</c>: p = σ(x), ce = BCEWithLogits(x, y), pₜ = p·y + (1 − p)(1 − y),
    /// ℓ = αₜ·ce·(1 − pₜ)^γ with αₜ = α·y + (1 − α)(1 − y) when α ≥ 0 (no α-weighting when α &lt; 0).</summary>
    /// <param name="input">Logits of any shape.</param>
    /// <param name="target">Binary targets (0/1; soft targets are accepted) of input's shape.</param>
    /// <param name="alpha">Weight of positives in [0, 1], or negative to disable (default 0.25).</param>
    /// <param name="gamma">Focusing exponent γ ≥ 0 (default 2).</param>
    /// <param name="reduction">None (default, as torchvision), Mean or Sum.</param>
    /// <remarks>Differentiable in input and target (composite of BinaryCrossEntropyWithLogits, Sigmoid and Pow).
    /// </remarks>
    /// <exception cref="ShapeMismatchException">target's shape differs from input's.</exception>
    /// <exception cref="ArgumentOutOfRangeException">alpha &gt; 1 or NaN, or gamma negative or NaN.</exception>
    public static Tensor SigmoidFocalLoss(Tensor input, Tensor target, double alpha = 0.25, double gamma = 2,
        Reduction reduction = Reduction.None)
    {
        const string op = "SigmoidFocalLoss";
        RequireLossPair(input, target, op);
        if (double.IsNaN(alpha) || alpha > 1)
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha,
                $"{op}: alpha expected <= 1 (negative disables), got {alpha}.");
        if (!(gamma >= 0))
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, $"{op}: gamma expected >= 0, got {gamma}.");
        var p = Sigmoid(input);
        var ce = BinaryCrossEntropyWithLogits(input, target, reduction: Reduction.None);
        var pt = p * target + (1 - p) * (1 - target);
        var loss = gamma == 0 ? ce : ce * Pow(1 - pt, gamma);
        if (alpha >= 0) loss = (alpha * target + (1 - alpha) * (1 - target)) * loss;
        return ApplyReduction(loss, reduction, op);
    }
}
