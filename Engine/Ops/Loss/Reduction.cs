namespace Scratch
{
    /// <summary>How a loss combines its per-element values (PyTorch's <c>reduction</c> argument).</summary>
    public enum Reduction
    {
        /// <summary>No reduction: the loss has the input's shape.</summary>
        None,

        /// <summary>The mean over all elements (NaN for an empty input, as in PyTorch).</summary>
        Mean,

        /// <summary>The sum over all elements.</summary>
        Sum,
    }

    public static partial class F
    {
        /// <summary>Applies <paramref name="reduction"/> to per-element losses (differentiable).</summary>
        internal static Tensor ApplyReduction(Tensor loss, Reduction reduction, string op) => reduction switch
        {
            Reduction.None => loss,
            Reduction.Mean => loss.Mean(),
            Reduction.Sum => loss.Sum(),
            _ => throw new ArgumentOutOfRangeException(nameof(reduction), reduction,
                $"{op}: reduction expected None, Mean or Sum, got {reduction}."),
        };

        /// <summary>Checks a loss's input and target: floating, same dtype and device, equal shapes.</summary>
        internal static void RequireLossPair(Tensor input, Tensor target, string op)
        {
            RequireFloating(input, op, "input");
            RequireSame(input, target, op, "target");
            if (input.Shape != target.Shape)
                throw new ShapeMismatchException(op, "target", input.Shape.ToString(), target.Shape.ToString());
        }

        /// <summary>Checks an optional per-element weight: same dtype and device as input, broadcastable to its shape.
        /// </summary>
        internal static void RequireLossWeight(Tensor input, Tensor? weight, string op, string arg)
        {
            if (weight is null) return;
            RequireSame(input, weight, op, arg);
            var ok = weight.Rank <= input.Rank;
            for (var i = 1; ok && i <= weight.Rank; i++)
                ok = weight.Shape.Dims[^i] == 1 || weight.Shape.Dims[^i] == input.Shape.Dims[^i];
            if (!ok)
                throw new ShapeMismatchException(op, arg, $"a shape broadcastable to {input.Shape}", weight.Shape.ToString());
        }
    }
}
