namespace Scratch.NN;

/// <summary>Layer normalisation over the trailing <see cref="NormalizedShape"/> dims (PyTorch's <c>nn.LayerNorm</c>);
/// keys <c>weight</c> and <c>bias</c> of that shape when elementwise-affine. See <see cref="F.LayerNorm"/>.</summary>
public sealed class LayerNorm : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer with γ = 1, β = 0.</summary>
    public LayerNorm(int[] normalizedShape, double eps = 1e-5, bool elementwiseAffine = true)
    {
        if (normalizedShape.Length == 0 || normalizedShape.Any(d => d <= 0))
            throw new ArgumentOutOfRangeException(nameof(normalizedShape), $"[{string.Join(", ", normalizedShape)}]",
                "LayerNorm: normalizedShape expected non-empty positive sizes.");
        (NormalizedShape, Eps) = ((int[])normalizedShape.Clone(), eps);
        if (elementwiseAffine)
        {
            Weight = Param("weight", Tensor.Ones(new Shape(normalizedShape)));
            Bias = Param("bias", Tensor.Zeros(new Shape(normalizedShape)));
        }
        else
        {
            NoParam("weight");
            NoParam("bias");
        }
    }

    /// <summary>Creates the layer over one trailing dim of size <paramref name="normalizedSize"/>.</summary>
    public LayerNorm(int normalizedSize, double eps = 1e-5, bool elementwiseAffine = true)
        : this([normalizedSize], eps, elementwiseAffine)
    {
    }

    /// <summary>The trailing dims normalised over.</summary>
    public int[] NormalizedShape { get; }

    /// <summary>ε added to the variance.</summary>
    public double Eps { get; }

    /// <summary>Scale γ, or null.</summary>
    public Parameter? Weight { get; }

    /// <summary>Shift β, or null.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.LayerNorm(input, NormalizedShape, Weight, Bias, Eps);
}
