using Scratch.Autograd;
using Scratch.Ops;

namespace Scratch;

public static partial class F
{
    /// <summary>Shared body of Amax/Amin (and the all-element Max/Min): the extreme over <paramref name="dims"/>
    /// with the gradient spread evenly over the elements equal to it (NaN selects NaN).</summary>
    internal static Tensor ExtremeOverDims<TOp>(Tensor x, TOp op, int[]? dims, bool keepDim, string name)
        where TOp : struct, IReduceOp
    {
        var d = ReduceDims(x, dims, name);
        RequireNonEmptyReduction(x, d, dims is null || dims.Length == 0, name);
        var y = ReduceForward(x, op, d, keepDim);
        if (!Graph.NeedsGrad(x)) return y;
        var sx = new SavedTensor(x, name);
        var sy = new SavedTensor(y, name);
        return Graph.Record(y, name, [x], g =>
        {
            var xv = sx.Get();
            var mask = CompareForward(xv, KeepDimView(sy.Get(), x.Shape, d), new SameValueOp()).To(x.DType);
            var count = Sum(mask, d, keepDim: true);
            return [mask * ExpandReduced(g, x.Shape, d) / count];
        });
    }

    /// <summary>Shared body of Max/Min over one dim: values and int64 indices from the backend's ArgReduce;
    /// the gradient flows to the selected index only.</summary>
    internal static ValuesAndIndices ExtremeAlongDim(Tensor x, bool max, int dim, bool keepDim, string name)
    {
        var dn = Shape.NormalizeDim(dim, x.Rank, "dim", name);
        var d = x.Rank == 0 ? Array.Empty<int>() : [dn];
        RequireNonEmptyReduction(x, d, false, name);
        var (data, rows, len) = ReduceLayout(x, d);
        var shape = ReducedShape(x, d, keepDim);
        var values = Tensor.Empty(shape, x.DType, x.Device);
        var indices = Tensor.Empty(shape, DType.I64, x.Device);
        x.Backend.ArgReduce(max, data, values, indices, rows, len);
        if (!Graph.NeedsGrad(x)) return new ValuesAndIndices(values, indices);
        var v = Graph.Record(values, name, [x], g =>
        {
            if (x.Rank == 0) return [g.Reshape()];
            var along = new int[x.Rank];
            Array.Fill(along, 1);
            along[dn] = x.Shape[dn];
            var positions = Tensor.Arange(x.Shape[dn], DType.I64, x.Device).Reshape(along);
            var oneHot = CompareForward(positions, KeepDimView(indices, x.Shape, d), new SameValueOp()).To(x.DType);
            return [oneHot * ExpandReduced(g, x.Shape, d)];
        });
        return new ValuesAndIndices(v, indices);
    }

    /// <summary>Shared body of Argmax/Argmin: int64 positions of the first extreme (NaN counts as the extreme),
    /// along <paramref name="dim"/> or over the flattened input when it is null.</summary>
    internal static Tensor ArgExtreme(Tensor x, bool max, int? dim, bool keepDim, string name)
    {
        int[] d;
        Tensor src;
        if (dim is null)
        {
            RequireNonEmptyReduction(x, [], true, name);
            src = x.Detach().Reshape(-1);
            d = [0];
        }
        else
        {
            var dn = Shape.NormalizeDim(dim.Value, x.Rank, "dim", name);
            d = x.Rank == 0 ? [] : [dn];
            RequireNonEmptyReduction(x, d, false, name);
            src = x.Detach();
        }
        var (data, rows, len) = ReduceLayout(src, d);
        var values = Tensor.Empty(ReducedShape(src, d, false), x.DType, x.Device);
        var indices = Tensor.Empty(ReducedShape(src, d, keepDim), DType.I64, x.Device);
        x.Backend.ArgReduce(max, data, values, indices, rows, len);
        if (dim is null && keepDim) return indices.Reshape(Enumerable.Repeat(1, x.Rank).ToArray());
        return indices;
    }
}
