namespace Scratch.NN;

/// <summary>Smooth L1 loss (PyTorch's <c>nn.SmoothL1Loss</c>); see <see cref="F.SmoothL1Loss"/>.</summary>
public sealed class SmoothL1Loss : LossModule
{
    /// <summary>Creates the loss with <paramref name="reduction"/> (default mean) and β (default 1; 0 is L1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">β is negative or NaN.</exception>
    public SmoothL1Loss(Reduction reduction = Reduction.Mean, double beta = 1.0) : base(reduction)
    {
        if (!(beta >= 0))
            throw new ArgumentOutOfRangeException(nameof(beta), beta, $"SmoothL1Loss: beta expected >= 0, got {beta}.");
        Beta = beta;
    }

    /// <summary>The point where the loss turns from quadratic to linear.</summary>
    public double Beta { get; }

    /// <inheritdoc/>
    public override Tensor Forward((Tensor Input, Tensor Target) input) => F.SmoothL1Loss(input.Input, input.Target, Reduction, Beta);
}
