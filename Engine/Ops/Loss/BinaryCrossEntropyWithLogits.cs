using Scratch.Autograd;

namespace Scratch;

public static partial class F
{
    /// <summary>Binary cross-entropy on logits, σ folded in and numerically stable for any x:
    /// ℓᵢ = wᵢ·((1 − yᵢ)·xᵢ + (1 + (p − 1)yᵢ)·softplus(−xᵢ)) with softplus(−x) = ln(1 + e^(−|x|)) + max(−x, 0) = −ln σ(x)
    /// and p the positive-class weight (1 when absent), reduced by <paramref name="reduction"/>.</summary>
    /// <remarks>Gradients (hand-written, exact at x = 0): ∂ℓ/∂x = w((1 + (p − 1)y)σ(x) − p·y),
    /// ∂ℓ/∂y = w(−x + (p − 1)·softplus(−x)). weight and posWeight are constants (no gradient).</remarks>
    /// <param name="input">Logits.</param>
    /// <param name="target">Targets of input's shape (usually in [0, 1]).</param>
    /// <param name="weight">Optional per-element weight broadcastable to input's shape.</param>
    /// <param name="posWeight">Optional weight of positive examples broadcastable to input's shape (typically [C]
    /// over the last dim).</param>
    /// <param name="reduction">None, Mean (default) or Sum.</param>
    /// <exception cref="ShapeMismatchException">target's shape differs, or a weight does not broadcast.</exception>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor? weight = null,
        Tensor? posWeight = null, Reduction reduction = Reduction.Mean)
    {
        const string op = "BinaryCrossEntropyWithLogits";
        RequireLossPair(input, target, op);
        RequireLossWeight(input, weight, op, "weight");
        RequireLossWeight(input, posWeight, op, "posWeight");
        Tensor loss;
        using (GradMode.Disable())
        {
            var (x, y) = (input.Detach(), target.Detach());
            var softplusNeg = Log1p(Exp(-Abs(x))) + Relu(-x);
            var logWeight = posWeight is null ? null : (posWeight.Detach() - 1) * y + 1;
            loss = (1 - y) * x + (logWeight is null ? softplusNeg : logWeight * softplusNeg);
            if (weight is not null) loss = loss * weight.Detach();
        }
        if (Graph.NeedsGrad(input, target))
        {
            var (sx, sy) = (new SavedTensor(input, op), new SavedTensor(target, op));
            var sw = weight is null ? (SavedTensor?)null : new SavedTensor(weight, op);
            var sp = posWeight is null ? (SavedTensor?)null : new SavedTensor(posWeight, op);
            loss = Graph.Record(loss, op, [input, target], g =>
            {
                var (x, y) = (sx.Get(), sy.Get());
                var gw = sw is { } w ? g * w.Get() : g;
                Tensor? gx = null, gy = null;
                if (sp is { } pSaved)
                {
                    var p = pSaved.Get();
                    if (input.RequiresGrad) gx = gw * ((1 + (p - 1) * y) * Sigmoid(x) - p * y);
                    if (target.RequiresGrad) gy = gw * ((p - 1) * (Log1p(Exp(-Abs(x))) + Relu(-x)) - x);
                }
                else
                {
                    if (input.RequiresGrad) gx = gw * (Sigmoid(x) - y);
                    if (target.RequiresGrad) gy = -(gw * x);
                }
                return [gx, gy];
            });
        }
        return ApplyReduction(loss, reduction, op);
    }
}
