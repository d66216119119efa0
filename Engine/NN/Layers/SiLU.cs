namespace Scratch.NN;

/// <summary>Elementwise SiLU / swish x·σ(x) (PyTorch's <c>nn.SiLU</c>); no parameters.</summary>
public sealed class SiLU : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Silu(input);
}
