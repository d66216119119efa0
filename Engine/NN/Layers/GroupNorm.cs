namespace Scratch.NN;

/// <summary>Group normalisation (PyTorch's <c>nn.GroupNorm</c>); keys <c>weight</c> and <c>bias</c> [C] when affine.
/// See <see cref="F.GroupNorm"/>.</summary>
public sealed class GroupNorm : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer with γ = 1, β = 0.</summary>
    public GroupNorm(int numGroups, int numChannels, double eps = 1e-5, bool affine = true)
    {
        if (numGroups <= 0 || numChannels <= 0 || numChannels % numGroups != 0)
            throw new ArgumentOutOfRangeException(nameof(numGroups), numGroups,
                $"GroupNorm: numGroups expected a positive divisor of numChannels {numChannels}, got {numGroups}.");
        (NumGroups, NumChannels, Eps) = (numGroups, numChannels, eps);
        if (affine)
        {
            Weight = Param("weight", Tensor.Ones(new Shape(numChannels)));
            Bias = Param("bias", Tensor.Zeros(new Shape(numChannels)));
        }
        else
        {
            NoParam("weight");
            NoParam("bias");
        }
    }

    /// <summary>Group count G.</summary>
    public int NumGroups { get; }

    /// <summary>Channel count C.</summary>
    public int NumChannels { get; }

    /// <summary>ε added to the variance.</summary>
    public double Eps { get; }

    /// <summary>[C] scale, or null.</summary>
    public Parameter? Weight { get; }

    /// <summary>[C] shift, or null.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank < 2 || input.Shape[1] != NumChannels)
            throw new ShapeMismatchException("GroupNorm", "input", $"[N, {NumChannels}, *]", input.Shape.ToString());
        return F.GroupNorm(input, NumGroups, Weight, Bias, Eps);
    }
}
