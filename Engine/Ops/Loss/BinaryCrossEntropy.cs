using Scratch.Autograd;

namespace Scratch;

public static partial class F
{
    /// <summary>Binary cross-entropy on probabilities: ℓᵢ = −wᵢ·(yᵢ·max(ln xᵢ, −100) + (1 − yᵢ)·max(ln(1 − xᵢ), −100)),
    /// reduced by <paramref name="reduction"/>. The log clamp at −100 (PyTorch's) keeps ℓ finite at x ∈ {0, 1}.
    /// </summary>
    /// <remarks>Gradients as PyTorch writes them: ∂ℓ/∂x = w(x − y)/max(x(1 − x), 10⁻¹²),
    /// ∂ℓ/∂y = w(ln(1 − x) − ln x) (unclamped, so ±∞ at x ∈ {0, 1}). The weight is a constant (no gradient).</remarks>
    /// <param name="input">Probabilities in [0, 1].</param>
    /// <param name="target">Targets of input's shape (usually in [0, 1]).</param>
    /// <param name="weight">Optional per-element weight broadcastable to input's shape.</param>
    /// <param name="reduction">None, Mean (default) or Sum.</param>
    /// <exception cref="ArgumentOutOfRangeException">An input element lies outside [0, 1] or is NaN.</exception>
    /// <exception cref="ShapeMismatchException">target's shape differs, or weight does not broadcast.</exception>
    public static Tensor BinaryCrossEntropy(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean)
    {
        const string op = "BinaryCrossEntropy";
        RequireLossPair(input, target, op);
        RequireLossWeight(input, weight, op, "weight");
        Tensor loss;
        using (GradMode.Disable())
        {
            var (x, y) = (input.Detach(), target.Detach());
            var inRange = LogicalAnd(Ge(x, 0), Le(x, 1)).Sum().Item();
            if (inRange != x.Numel)
                throw new ArgumentOutOfRangeException(nameof(input), $"{op}: input expected probabilities in [0, 1], got {x.Numel - (long)inRange} element(s) outside.");
            var logX = Clamp(Log(x), min: -100);
            var log1mX = Clamp(Log1p(-x), min: -100);
            loss = -(y * logX + (1 - y) * log1mX);
            if (weight is not null) loss = loss * weight.Detach();
        }
        if (Graph.NeedsGrad(input, target))
        {
            var (sx, sy) = (new SavedTensor(input, op), new SavedTensor(target, op));
            var sw = weight is null ? (SavedTensor?)null : new SavedTensor(weight, op);
            loss = Graph.Record(loss, op, [input, target], g =>
            {
                var (x, y) = (sx.Get(), sy.Get());
                var gw = sw is { } w ? g * w.Get() : g;
                return
                [
                    input.RequiresGrad ? gw * (x - y) / Maximum((1 - x) * x, x.ScalarLike(1e-12)) : null,
                    target.RequiresGrad ? gw * (Log1p(-x) - Log(x)) : null,
                ];
            });
        }
        return ApplyReduction(loss, reduction, op);
    }
}
