namespace Scratch.NN;

/// <summary>Mean absolute error (PyTorch's <c>nn.L1Loss</c>); see <see cref="F.L1Loss"/>.</summary>
public sealed class L1Loss : LossModule
{
    /// <summary>Creates the loss with <paramref name="reduction"/> (default mean).</summary>
    public L1Loss(Reduction reduction = Reduction.Mean) : base(reduction)
    {
    }

    /// <inheritdoc/>
    public override Tensor Forward((Tensor Input, Tensor Target) input) => F.L1Loss(input.Input, input.Target, Reduction);
}
