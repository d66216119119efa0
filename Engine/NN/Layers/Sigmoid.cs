namespace Scratch.NN;

/// <summary>Elementwise logistic sigmoid 1/(1 + e⁻ˣ) (PyTorch's <c>nn.Sigmoid</c>); no parameters.</summary>
public sealed class Sigmoid : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Sigmoid(input);
}
