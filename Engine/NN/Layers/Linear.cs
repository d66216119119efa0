namespace Scratch.NN;

/// <summary>Fully connected layer y = x·Wᵀ + b; keys <c>weight</c> [out, in] and <c>bias</c> [out].</summary>
/// <remarks>Initialised as PyTorch does: W ~ kaiming_uniform(a=√5) = U(−1/√in, 1/√in), b ~ U(−1/√in, 1/√in).</remarks>
public sealed class Linear : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer with weights drawn from <paramref name="generator"/>.</summary>
    public Linear(int inFeatures, int outFeatures, bool bias = true, Generator? generator = null)
    {
        if (inFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(inFeatures), inFeatures, "Linear: inFeatures must be > 0.");
        if (outFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(outFeatures), outFeatures, "Linear: outFeatures must be > 0.");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = Param("weight", Tensor.Empty(new Shape(outFeatures, inFeatures)));
        Init.KaimingUniform_(Weight, Math.Sqrt(5), g: generator);
        if (bias)
        {
            var bound = 1 / Math.Sqrt(inFeatures);
            Bias = Param("bias", Tensor.Empty(new Shape(outFeatures)));
            Init.Uniform_(Bias, -bound, bound, generator);
        }
        else
        {
            NoParam("bias");
        }
    }

    /// <summary>Input feature count.</summary>
    public int InFeatures { get; }

    /// <summary>Output feature count.</summary>
    public int OutFeatures { get; }

    /// <summary>[out, in] weight.</summary>
    public Parameter Weight { get; }

    /// <summary>[out] bias, or null.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Linear(input, Weight, Bias);
}
