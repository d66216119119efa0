using Scratch.Autograd;

namespace Scratch;

public static partial class F
{
    /// <summary>Rescales the gradients of <paramref name="parameters"/> in place so that their joint norm is at most
    /// <paramref name="maxNorm"/>, as <c>torch.nn.utils.clip_grad_norm_</c>; returns the joint norm before clipping.
    /// </summary>
    /// <remarks>total = (Σ over all gradient elements |g|ᵖ)^(1/p) for p = <paramref name="normType"/> (the p-norm of
    /// the per-parameter p-norms), or max |g| for p = ∞. Every gradient is multiplied by
    /// min(1, maxNorm/(total + 1e-6)). Parameters without a gradient are skipped; with none, returns 0.
    /// The norm is accumulated in float64. Gradients are left untouched when the coefficient is 1.</remarks>
    public static double ClipGradNorm(IEnumerable<Tensor> parameters, double maxNorm, double normType = 2)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (double.IsNaN(maxNorm) || maxNorm < 0)
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, $"ClipGradNorm: maxNorm expected >= 0, got {maxNorm}.");
        if (double.IsNaN(normType) || normType <= 0)
            throw new ArgumentOutOfRangeException(nameof(normType), normType, $"ClipGradNorm: normType expected > 0 or infinity, got {normType}.");
        var grads = parameters.Select(p => p.Grad).OfType<Tensor>().ToArray();
        if (grads.Length == 0) return 0;
        var inf = double.IsPositiveInfinity(normType);
        double acc = 0;
        foreach (var g in grads)
        {
            RequireFloating(g, "ClipGradNorm", "grad");
            var part = GradPowerSum(g, normType, inf);
            acc = inf ? Math.Max(acc, part) : acc + part;
        }
        var total = inf ? acc : normType == 2 ? Math.Sqrt(acc) : normType == 1 ? acc : Math.Pow(acc, 1 / normType);
        var coef = Math.Min(1.0, maxNorm / (total + 1e-6));
        using var _ = GradMode.Disable();
        if (!(coef >= 1)) // NaN norms poison the gradients as in PyTorch
            foreach (var g in grads)
                if (!ScaleInPlace(g, coef)) g.Mul_(coef);
        return total;
    }
}
