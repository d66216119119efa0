namespace Scratch;

public static partial class F
{
    /// <summary>Mean squared error ℓᵢ = (xᵢ − yᵢ)², reduced by <paramref name="reduction"/> (default mean).
    /// Input and target have equal shapes; both get gradients (2(x − y) and −2(x − y)).</summary>
    /// <exception cref="ShapeMismatchException">target's shape differs from input's.</exception>
    public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        RequireLossPair(input, target, "MseLoss");
        var d = input - target;
        return ApplyReduction(d * d, reduction, "MseLoss");
    }
}
