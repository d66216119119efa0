namespace Scratch;

public static partial class F
{
    /// <summary>Mean absolute error ℓᵢ = |xᵢ − yᵢ|, reduced by <paramref name="reduction"/> (default mean).
    /// Gradient sign(x − y), 0 where x = y (as in PyTorch).</summary>
    /// <exception cref="ShapeMismatchException">target's shape differs from input's.</exception>
    public static Tensor L1Loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        RequireLossPair(input, target, "L1Loss");
        return ApplyReduction(Abs(input - target), reduction, "L1Loss");
    }
}
