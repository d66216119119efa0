namespace Scratch.NN;

/// <summary>Elementwise softplus ln(1 + e^(βx))/β, linear where βx &gt; threshold (PyTorch's <c>nn.Softplus</c>); no parameters.</summary>
public sealed class Softplus : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer (PyTorch's defaults β = 1, threshold = 20).</summary>
    /// <exception cref="ArgumentOutOfRangeException">β ≤ 0 or not finite.</exception>
    public Softplus(double beta = 1, double threshold = 20)
    {
        if (!(beta > 0) || double.IsInfinity(beta))
            throw new ArgumentOutOfRangeException(nameof(beta), beta, $"Softplus: beta expected a finite value > 0, got {beta}.");
        Beta = beta;
        Threshold = threshold;
    }

    /// <summary>β.</summary>
    public double Beta { get; }

    /// <summary>Above this value of βx the layer is the identity.</summary>
    public double Threshold { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Softplus(input, Beta, Threshold);
}
