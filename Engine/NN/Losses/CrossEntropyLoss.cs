namespace Scratch.NN;

/// <summary>Cross-entropy loss module (PyTorch's <c>nn.CrossEntropyLoss</c>); the optional class weight is a buffer
/// with key <c>weight</c>. See <see cref="F.CrossEntropy"/>.</summary>
public sealed class CrossEntropyLoss : Module
{
    /// <summary>Creates the loss.</summary>
    public CrossEntropyLoss(Tensor? weight = null, long ignoreIndex = -100, Reduction reduction = Reduction.Mean,
        double labelSmoothing = 0)
    {
        if (labelSmoothing < 0 || labelSmoothing > 1 || double.IsNaN(labelSmoothing))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing,
                $"CrossEntropyLoss: labelSmoothing expected a value in [0, 1], got {labelSmoothing}.");
        if (weight is not null) Weight = Buffer("weight", weight);
        (IgnoreIndex, Reduction, LabelSmoothing) = (ignoreIndex, reduction, labelSmoothing);
    }

    /// <summary>[C] class weights, or null.</summary>
    public Tensor? Weight { get; }

    /// <summary>Index target skipped by the loss.</summary>
    public long IgnoreIndex { get; }

    /// <summary>How per-element losses are combined.</summary>
    public Reduction Reduction { get; }

    /// <summary>Label smoothing ε.</summary>
    public double LabelSmoothing { get; }

    /// <summary>The loss of logits <paramref name="input"/> against <paramref name="target"/> (indices or
    /// probabilities).</summary>
    public Tensor Forward(Tensor input, Tensor target) =>
        F.CrossEntropy(input, target, Weight, IgnoreIndex, LabelSmoothing, Reduction);
}
