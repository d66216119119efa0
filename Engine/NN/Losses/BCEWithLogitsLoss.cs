namespace Scratch.NN;

/// <summary>Binary cross-entropy on logits (PyTorch's <c>nn.BCEWithLogitsLoss</c>); see
/// <see cref="F.BinaryCrossEntropyWithLogits"/>. The optional weights are buffers named <c>weight</c> and
/// <c>pos_weight</c>, as in PyTorch.</summary>
public sealed class BCEWithLogitsLoss : LossModule
{
    /// <summary>Creates the loss with an optional per-element <paramref name="weight"/>, an optional positive-class
    /// weight <paramref name="posWeight"/> (both broadcast to the input) and <paramref name="reduction"/>.</summary>
    public BCEWithLogitsLoss(Tensor? weight = null, Tensor? posWeight = null, Reduction reduction = Reduction.Mean)
        : base(reduction)
    {
        if (weight is not null) Buffer("weight", weight);
        if (posWeight is not null) Buffer("pos_weight", posWeight);
        HasWeight = weight is not null;
        HasPosWeight = posWeight is not null;
    }

    private bool HasWeight { get; }

    private bool HasPosWeight { get; }

    /// <inheritdoc/>
    public override Tensor Forward((Tensor Input, Tensor Target) input) => F.BinaryCrossEntropyWithLogits(input.Input, input.Target,
        HasWeight ? GetBuffer("weight") : null, HasPosWeight ? GetBuffer("pos_weight") : null, Reduction);
}
