namespace Scratch.NN;

/// <summary>Returns its input unchanged (PyTorch's <c>nn.Identity</c>), a placeholder in layer lists.</summary>
public sealed class Identity : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input;
}
