namespace Scratch;

public static partial class F
{
    /// <summary>Smooth L1 (Huber-like) loss with d = |xᵢ − yᵢ|: ℓᵢ = ½d²/β where d &lt; β, else d − ½β (Fast R-CNN,
    /// Girshick 2015, eq. 3 with β = 1). β = 0 is exactly the L1 loss. Reduced by <paramref name="reduction"/>.
    /// On a GPU device the elementwise loss and its gradient are one fused kernel each (SmoothL1Loss.Gpu.cs).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">β is negative or NaN.</exception>
    /// <exception cref="ShapeMismatchException">target's shape differs from input's.</exception>
    public static Tensor SmoothL1Loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double beta = 1.0)
    {
        RequireLossPair(input, target, "SmoothL1Loss");
        if (!(beta >= 0))
            throw new ArgumentOutOfRangeException(nameof(beta), beta, $"SmoothL1Loss: beta expected >= 0, got {beta}.");
        if (!input.Device.IsHost) return ApplyReduction(SmoothL1Gpu(input, target, beta), reduction, "SmoothL1Loss");
        var d = Abs(input - target);
        if (beta == 0) return ApplyReduction(d, reduction, "SmoothL1Loss");
        var quadratic = d * d * (0.5 / beta);
        var linear = d - 0.5 * beta;
        return ApplyReduction(Where(Lt(d.Detach(), beta), quadratic, linear), reduction, "SmoothL1Loss");
    }
}
