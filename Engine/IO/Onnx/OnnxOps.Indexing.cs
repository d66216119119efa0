namespace Scratch.IO.Onnx;

internal static partial class OnnxOps
{
    /// <summary>Indexing: Gather, GatherElements, ScatterElements (no reduction), NonZero.</summary>
    private static void AddIndexing(Dictionary<string, OnnxKernel> d)
    {
        d["Gather"] = c =>
        {
            var (x, ind) = (c.X(0), c.X(1));
            var axis = (int)c.Axis(c.Int("axis", 0), x.Rank);
            var flat = Normalized(OnnxContext.Longs(ind), x.Shape[axis], "Gather");
            var idx = new long[x.Rank][];
            for (var a = 0; a < x.Rank; a++) idx[a] = a == axis ? flat : [.. Enumerable.Range(0, x.Shape[a]).Select(i => (long)i)];
            var y = TakeAxes(x, idx, 0, c);
            var shape = x.Shape.Dims[..axis].ToArray().Concat(ind.Shape.ToArray()).Concat(x.Shape.Dims[(axis + 1)..].ToArray());
            return One(y.Reshape([.. shape]));
        };
        d["GatherElements"] = c =>
        {
            var (x, ind) = (c.X(0), c.X(1));
            var axis = (int)c.Axis(c.Int("axis", 0), x.Rank);
            var flat = Normalized(OnnxContext.Longs(ind), x.Shape[axis], "GatherElements");
            return One(F.Gather(x, axis, Tensor.From(flat, ind.Shape)));
        };
        d["ScatterElements"] = c =>
        {
            if (c.Str("reduction", "none") != "none") throw c.Unsupported($"reduction '{c.Str("reduction", "none")}'");
            var (x, ind, upd) = (c.X(0), c.X(1), c.X(2));
            var axis = (int)c.Axis(c.Int("axis", 0), x.Rank);
            var flat = Normalized(OnnxContext.Longs(ind), x.Shape[axis], "ScatterElements");
            return One(F.Scatter(x, axis, Tensor.From(flat, ind.Shape), Same(upd, x)));
        };
        d["NonZero"] = c =>
        {
            var x = c.X(0);
            var nz = F.Nonzero(x.Rank == 0 ? x.Reshape(1) : x);
            return One(nz.Transpose(0, 1).Contiguous());
        };
    }

    private static long[] Normalized(long[] idx, int dim, string op)
    {
        var r = new long[idx.Length];
        for (var i = 0; i < idx.Length; i++)
        {
            var v = idx[i] < 0 ? idx[i] + dim : idx[i];
            if (v < 0 || v >= dim) throw new OnnxFormatException($"ONNX: {op} index expected in [{-dim}, {dim - 1}], got {idx[i]}.");
            r[i] = v;
        }
        return r;
    }
}
