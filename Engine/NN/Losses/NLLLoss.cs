namespace Scratch.NN;

/// <summary>Negative log-likelihood loss module (PyTorch's <c>nn.NLLLoss</c>); the optional class weight is a buffer
/// with key <c>weight</c>. See <see cref="F.NllLoss"/>.</summary>
public sealed class NLLLoss : Module
{
    /// <summary>Creates the loss.</summary>
    public NLLLoss(Tensor? weight = null, long ignoreIndex = -100, Reduction reduction = Reduction.Mean)
    {
        if (weight is not null) Weight = Buffer("weight", weight);
        (IgnoreIndex, Reduction) = (ignoreIndex, reduction);
    }

    /// <summary>[C] class weights, or null.</summary>
    public Tensor? Weight { get; }

    /// <summary>Target skipped by the loss.</summary>
    public long IgnoreIndex { get; }

    /// <summary>How per-element losses are combined.</summary>
    public Reduction Reduction { get; }

    /// <summary>The loss of log-probabilities <paramref name="input"/> against int64
    /// <paramref name="target"/>.</summary>
    public Tensor Forward(Tensor input, Tensor target) => F.NllLoss(input, target, Weight, IgnoreIndex, Reduction);
}
