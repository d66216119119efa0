namespace Scratch.NN;

/// <summary>Elementwise x for x &gt; 0, else negativeSlope·x (PyTorch's <c>nn.LeakyReLU</c>); no parameters.</summary>
public sealed class LeakyReLU : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer with the slope used for x ≤ 0 (PyTorch's default 0.01).</summary>
    public LeakyReLU(double negativeSlope = 0.01) => NegativeSlope = negativeSlope;

    /// <summary>Slope for x ≤ 0.</summary>
    public double NegativeSlope { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.LeakyRelu(input, NegativeSlope);
}
