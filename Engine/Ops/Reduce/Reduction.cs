using Scratch.Ops;

namespace Scratch;

public static partial class F
{
    /// <summary>Normalises reduction dims (null = all) into a sorted distinct list.</summary>
    internal static int[] ReduceDims(Tensor x, int[]? dims, string op)
    {
        if (dims is null || dims.Length == 0) return Enumerable.Range(0, x.Rank).ToArray();
        var set = new SortedSet<int>();
        foreach (var d in dims)
        {
            if (!set.Add(Shape.NormalizeDim(d, x.Rank, "dim", op)))
                throw new ArgumentException($"{op}: dim {d} appears more than once in [{string.Join(", ", dims)}].", nameof(dims));
        }
        return x.Rank == 0 ? [] : set.ToArray();
    }

    /// <summary>Output shape of a reduction over <paramref name="dims"/>.</summary>
    internal static Shape ReducedShape(Tensor x, int[] dims, bool keepDim)
    {
        var outDims = new List<int>();
        for (var i = 0; i < x.Rank; i++)
        {
            if (Array.IndexOf(dims, i) < 0) outDims.Add(x.Shape[i]);
            else if (keepDim) outDims.Add(1);
        }
        return new Shape(outDims.ToArray());
    }

    /// <summary>Moves reduced dims last and makes the data contiguous: a [rows, len] layout for backends.</summary>
    internal static (Tensor Data, int Rows, int Len) ReduceLayout(Tensor x, int[] dims)
    {
        var kept = Enumerable.Range(0, x.Rank).Where(i => Array.IndexOf(dims, i) < 0).ToArray();
        var perm = kept.Concat(dims).ToArray();
        long len = 1;
        foreach (var d in dims) len *= x.Shape[d];
        var rows = len == 0 ? x.Numel == 0 ? kept.Aggregate(1L, (p, d) => p * x.Shape[d]) : 0 : x.Numel / len;
        var data = x.Rank == 0 ? x.Detach().Materialize() : x.Detach().Permute(perm).Materialize();
        return (data, checked((int)rows), checked((int)len));
    }

    /// <summary>Runs <paramref name="op"/> over <paramref name="dims"/> without recording.</summary>
    internal static Tensor ReduceForward<TOp>(Tensor x, TOp op, int[] dims, bool keepDim) where TOp : struct, IReduceOp
    {
        var (data, rows, len) = ReduceLayout(x, dims);
        var y = Tensor.Empty(ReducedShape(x, dims, keepDim), x.DType, x.Device);
        x.Backend.Reduce(op, data, y, rows, len);
        return y;
    }

    /// <summary>Reshapes a reduced gradient to keep-dim form and broadcasts it back to <paramref name="shape"/>.
    /// </summary>
    internal static Tensor ExpandReduced(Tensor g, Shape shape, int[] dims)
    {
        var keep = shape.ToArray();
        foreach (var d in dims) keep[d] = 1;
        return g.Reshape(keep).Expand(shape.ToArray());
    }
}
