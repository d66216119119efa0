namespace Scratch.NN;

/// <summary>Batch normalisation of [N, C] or [N, C, L] inputs (PyTorch's <c>nn.BatchNorm1d</c>).</summary>
public sealed class BatchNorm1d : BatchNormBase
{
    /// <summary>Creates the layer; see <see cref="BatchNormBase"/>.</summary>
    public BatchNorm1d(int numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = true,
        bool trackRunningStats = true)
        : base(numFeatures, eps, momentum, affine, trackRunningStats)
    {
    }

    /// <inheritdoc/>
    protected override void CheckInput(Tensor input)
    {
        if (input.Rank is not (2 or 3))
            throw new ShapeMismatchException("BatchNorm1d", "input", "[N, C] or [N, C, L]", input.Shape.ToString());
    }
}
