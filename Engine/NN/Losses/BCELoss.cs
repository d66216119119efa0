namespace Scratch.NN;

/// <summary>Binary cross-entropy on probabilities (PyTorch's <c>nn.BCELoss</c>); see <see cref="F.BinaryCrossEntropy"/>.
/// The optional weight is a buffer named <c>weight</c>, as in PyTorch.</summary>
public sealed class BCELoss : LossModule
{
    /// <summary>Creates the loss with an optional per-element <paramref name="weight"/> (broadcast to the input) and
    /// <paramref name="reduction"/> (default mean).</summary>
    public BCELoss(Tensor? weight = null, Reduction reduction = Reduction.Mean) : base(reduction)
    {
        if (weight is not null) Buffer("weight", weight);
        HasWeight = weight is not null;
    }

    private bool HasWeight { get; }

    /// <inheritdoc/>
    public override Tensor Forward((Tensor Input, Tensor Target) input) => F.BinaryCrossEntropy(input.Input, input.Target, HasWeight ? GetBuffer("weight") : null, Reduction);
}
