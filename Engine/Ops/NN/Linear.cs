namespace Scratch;

public static partial class F
{
    /// <summary>y = x·Wᵀ + b for x [..., in], W [out, in], b [out] (PyTorch's <c>nn.functional.linear</c>).</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null)
    {
        if (weight.Rank != 2) throw new ShapeMismatchException("Linear", "weight", "[out, in]", weight.Shape.ToString());
        if (x.Rank == 0 || x.Size(-1) != weight.Size(1))
            throw new ShapeMismatchException("Linear", "input", $"[..., {weight.Size(1)}]", x.Shape.ToString());
        if (bias is not null && (bias.Rank != 1 || bias.Size(0) != weight.Size(0)))
            throw new ShapeMismatchException("Linear", "bias", $"[{weight.Size(0)}]", bias.Shape.ToString());
        var y = Matmul(x, weight.T);
        return bias is null ? y : y + bias;
    }
}
