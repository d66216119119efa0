namespace Scratch.NN;

/// <summary>Batch normalisation of [N, C, H, W] inputs (PyTorch's <c>nn.BatchNorm2d</c>).</summary>
public sealed class BatchNorm2d : BatchNormBase
{
    /// <summary>Creates the layer; see <see cref="BatchNormBase"/>.</summary>
    public BatchNorm2d(int numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = true,
        bool trackRunningStats = true)
        : base(numFeatures, eps, momentum, affine, trackRunningStats)
    {
    }

    /// <inheritdoc/>
    protected override void CheckInput(Tensor input)
    {
        if (input.Rank != 4)
            throw new ShapeMismatchException("BatchNorm2d", "input", "[N, C, H, W]", input.Shape.ToString());
    }
}
