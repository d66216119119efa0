namespace Scratch.NN;

/// <summary>Mean squared error (PyTorch's <c>nn.MSELoss</c>); see <see cref="F.MseLoss"/>.</summary>
public sealed class MSELoss : LossModule
{
    /// <summary>Creates the loss with <paramref name="reduction"/> (default mean).</summary>
    public MSELoss(Reduction reduction = Reduction.Mean) : base(reduction)
    {
    }

    /// <inheritdoc/>
    public override Tensor Forward((Tensor Input, Tensor Target) input) => F.MseLoss(input.Input, input.Target, Reduction);
}
