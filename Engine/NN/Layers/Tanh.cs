namespace Scratch.NN;

/// <summary>Elementwise hyperbolic tangent (PyTorch's <c>nn.Tanh</c>); no parameters.</summary>
public sealed class Tanh : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Tanh(input);
}
