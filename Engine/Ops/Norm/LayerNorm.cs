namespace Scratch;

public static partial class F
{
    /// <summary>Layer normalisation, as PyTorch's <c>layer_norm</c>: each sample is normalised over its trailing
    /// <paramref name="normalizedShape"/> dims (biased variance), then an elementwise γ, β of that shape
    /// apply.</summary>
    /// <param name="x">Float input [*, normalizedShape...].</param>
    /// <param name="normalizedShape">The trailing dims to normalise over (non-empty).</param>
    /// <param name="weight">Optional γ of shape <paramref name="normalizedShape"/>.</param>
    /// <param name="bias">Optional β of shape <paramref name="normalizedShape"/>.</param>
    /// <param name="eps">ε added to the variance.</param>
    public static Tensor LayerNorm(Tensor x, int[] normalizedShape, Tensor? weight = null, Tensor? bias = null,
        double eps = 1e-5)
    {
        const string op = "LayerNorm";
        RequireFloating(x, op);
        var ns = new Shape(normalizedShape);
        var k = normalizedShape.Length;
        if (k == 0 || k > x.Rank || !x.Shape.Dims[(x.Rank - k)..].SequenceEqual(ns.Dims))
            throw new ShapeMismatchException(op, "normalizedShape", $"non-empty trailing dims of input {x.Shape}",
                ns.ToString());
        foreach (var (t, arg) in new[] { (weight, "weight"), (bias, "bias") })
        {
            if (t is null) continue;
            if (t.Shape != ns) throw new ShapeMismatchException(op, arg, ns.ToString(), t.Shape.ToString());
            RequireSame(x, t, op, arg);
        }
        var len = checked((int)ns.Numel);
        var rows = len == 0 ? 0 : checked((int)(x.Numel / len));
        if (len == 0) rows = checked((int)x.Shape.Dims[..(x.Rank - k)].ToArray().Aggregate(1L, (p, d) => p * d));
        var y = NormalizeRows(x.Reshape(rows, len), eps).Reshape(x.Shape.ToArray());
        if (weight is not null) y = y * weight;
        if (bias is not null) y = y + bias;
        return y;
    }
}
