namespace Scratch.NN;

/// <summary>Elementwise max(x, 0) (PyTorch's <c>nn.ReLU</c>); no parameters.</summary>
public sealed class ReLU : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Relu(input);
}
