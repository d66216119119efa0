namespace Scratch.NN;

/// <summary>Inverted dropout (PyTorch's <c>nn.Dropout</c>): in training, zeroes each element with probability p and
/// scales the rest by 1/(1 − p); identity in eval. Masks come from the generator given here, or
/// <see cref="Generator.Default"/>.</summary>
public sealed class Dropout : Module<Tensor, Tensor>
{
    private readonly Generator? _generator;

    /// <summary>Creates the layer with drop probability <paramref name="p"/> in [0, 1].</summary>
    public Dropout(double p = 0.5, Generator? generator = null)
    {
        if (p < 0 || p > 1 || double.IsNaN(p))
            throw new ArgumentOutOfRangeException(nameof(p), p,
                $"Dropout: p expected a probability in [0, 1], got {p}.");
        P = p;
        _generator = generator;
    }

    /// <summary>Drop probability.</summary>
    public double P { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Dropout(input, P, Training, _generator ?? Generator.Default);
}
