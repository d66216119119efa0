namespace Scratch.NN;

/// <summary>Elementwise GELU x·Φ(x), exact or tanh-approximated (PyTorch's <c>nn.GELU</c>); no parameters.</summary>
public sealed class GELU : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer; <paramref name="approximate"/> is "none" (exact, erf) or "tanh".</summary>
    /// <exception cref="ArgumentException">approximate is neither "none" nor "tanh".</exception>
    public GELU(string approximate = "none")
    {
        if (approximate is not ("none" or "tanh"))
            throw new ArgumentException($"GELU: approximate expected \"none\" or \"tanh\", got \"{approximate}\".", nameof(approximate));
        Approximate = approximate;
    }

    /// <summary>"none" or "tanh".</summary>
    public string Approximate { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Gelu(input, Approximate);
}
