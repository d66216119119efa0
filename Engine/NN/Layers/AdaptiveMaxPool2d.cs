namespace Scratch.NN;

/// <summary>Adaptive max pooling to a fixed output size (PyTorch's <c>nn.AdaptiveMaxPool2d</c>).</summary>
public sealed class AdaptiveMaxPool2d(Size2 outputSize) : Module<Tensor, Tensor>
{
    /// <summary>(OH, OW).</summary>
    public Size2 OutputSize { get; } = outputSize;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.AdaptiveMaxPool2d(input, OutputSize);
}
