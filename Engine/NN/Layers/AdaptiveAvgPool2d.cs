namespace Scratch.NN;

/// <summary>Adaptive average pooling to a fixed output size (PyTorch's <c>nn.AdaptiveAvgPool2d</c>).</summary>
public sealed class AdaptiveAvgPool2d(Size2 outputSize) : Module<Tensor, Tensor>
{
    /// <summary>(OH, OW).</summary>
    public Size2 OutputSize { get; } = outputSize;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.AdaptiveAvgPool2d(input, OutputSize);
}
