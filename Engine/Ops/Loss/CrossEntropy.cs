namespace Scratch;

public static partial class F
{
    /// <summary>Cross-entropy between logits and targets, as PyTorch 1.13's <c>cross_entropy</c>:
    /// log-softmax over the class dim (1, or 0 for an unbatched [C] input) followed by the negative
    /// log-likelihood.</summary>
    /// <param name="input">Logits [N, C], [N, C, d1, ...] or [C] (float).</param>
    /// <param name="target">Either int64 class indices of the input's shape without the class dim, or class
    /// probabilities (float, the input's shape).</param>
    /// <param name="weight">Optional [C] class weights (not differentiated).</param>
    /// <param name="ignoreIndex">Index targets equal to this are skipped (index targets only).</param>
    /// <param name="labelSmoothing">ε in [0, 1]. Index targets: (1−ε)·nll + ε/C·Σ_c −w_c·logp_c per element (0 for
    /// ignored ones), where the Mean of the smoothing term divides by Σ w[tᵢ] over non-ignored targets (their count
    /// without weights). Probability targets: the target becomes (1−ε)·p + ε/C.</param>
    /// <param name="reduction">None, Sum or Mean. Mean for index targets divides by the summed weight of the
    /// non-ignored targets (NaN when all are ignored); for probability targets by the number of elements N·d1·…</param>
    /// <remarks>Index targets run one fused kernel (log-softmax, loss and the hand-written backward: the weighted
    /// softmax − smoothed one-hot); probability targets are composed from <see cref="LogSoftmax"/>, Mul and Sum.
    /// </remarks>
    public static Tensor CrossEntropy(Tensor input, Tensor target, Tensor? weight = null, long ignoreIndex = -100,
        double labelSmoothing = 0, Reduction reduction = Reduction.Mean)
    {
        const string op = "CrossEntropy";
        RequireFloating(input, op);
        if (input.Rank < 1)
            throw new ShapeMismatchException(op, "input", "[C], [N, C] or [N, C, d1, ...]", input.Shape.ToString());
        if (labelSmoothing < 0 || labelSmoothing > 1 || double.IsNaN(labelSmoothing))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing,
                $"{op}: labelSmoothing expected a value in [0, 1], got {labelSmoothing}.");
        var classDim = input.Rank == 1 ? 0 : 1;
        if (target.DType.IsFloating())
            return CrossEntropyProbs(input, target, weight, labelSmoothing, reduction, classDim);
        return CrossEntropyIndices(input, target, weight, ignoreIndex, labelSmoothing, reduction);
    }

    private static Tensor CrossEntropyProbs(Tensor input, Tensor target, Tensor? weight, double labelSmoothing,
        Reduction reduction, int classDim)
    {
        const string op = "CrossEntropy";
        RequireSame(input, target, op, "target");
        if (target.Shape != input.Shape)
            throw new ShapeMismatchException(op, "target", $"{input.Shape} (class probabilities) or int64 indices",
                target.Shape.ToString());
        var classes = input.Shape[classDim];
        if (weight is not null)
        {
            if (weight.Shape != new Shape(classes))
                throw new ShapeMismatchException(op, "weight", $"[{classes}]", weight.Shape.ToString());
            RequireSame(input, weight, op, "weight");
        }
        var logp = LogSoftmax(input, classDim);
        var p = labelSmoothing > 0 ? target * (1 - labelSmoothing) + labelSmoothing / classes : target;
        var prod = logp * p;
        if (weight is not null) prod = prod * weight.Reshape(ClassWeightShape(input.Rank, classDim, classes));
        return reduction switch
        {
            Reduction.None => -Sum(prod, [classDim]),
            Reduction.Sum => -prod.Sum(),
            _ => input.Numel == 0 ? prod.Sum() * double.NaN : -prod.Sum() / (input.Numel / classes),
        };
    }

    /// <summary>[1, C, 1, ...] (or [C] for rank 1): a class-weight shape that broadcasts along the class dim.</summary>
    private static int[] ClassWeightShape(int rank, int classDim, int classes)
    {
        var s = Enumerable.Repeat(1, rank).ToArray();
        s[classDim] = classes;
        return s;
    }
}
