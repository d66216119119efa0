namespace Scratch;

public static partial class F
{
    /// <summary>Group normalisation, as PyTorch's <c>group_norm</c>: the C channels of x [N, C, *] are split into
    /// <paramref name="groups"/> groups of C/G; each (n, group) is normalised over its channels and spatial elements
    /// (biased variance), then γ_c, β_c apply per channel.</summary>
    /// <param name="x">Float input [N, C] or [N, C, *].</param>
    /// <param name="groups">G ≥ 1 dividing C.</param>
    /// <param name="weight">Optional [C] scale.</param>
    /// <param name="bias">Optional [C] shift.</param>
    /// <param name="eps">ε added to the variance.</param>
    public static Tensor GroupNorm(Tensor x, int groups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        const string op = "GroupNorm";
        RequireFloating(x, op);
        if (x.Rank < 2) throw new ShapeMismatchException(op, "input", "[N, C, *]", x.Shape.ToString());
        var (n, c) = (x.Shape[0], x.Shape[1]);
        if (groups <= 0 || c % groups != 0)
            throw new ArgumentOutOfRangeException(nameof(groups), groups,
                $"{op}: groups expected a positive divisor of the {c} channels, got {groups}.");
        CheckChannelVector(x, weight, c, op, "weight");
        CheckChannelVector(x, bias, c, op, "bias");
        if (x.Device.Kind == DeviceKind.Cpu) return Ops.ChannelNormKernels.GroupNorm(x, groups, weight, bias, eps);
        var len = n * groups == 0 ? 0 : checked((int)(x.Numel / ((long)n * groups)));
        var y = NormalizeRows(x.Reshape(n * groups, len), eps).Reshape(x.Shape.ToArray());
        return ChannelAffine(y, weight, bias, c);
    }
}
