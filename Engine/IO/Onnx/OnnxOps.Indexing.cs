namespace Scratch.IO.Onnx;

internal static partial class OnnxOps
{
    /// <summary>Indexing: Gather, GatherElements, GatherND, ScatterElements/Scatter (reduction none or add), ScatterND,
    /// Compress, OneHot, NonZero.</summary>
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
            var reduction = c.Str("reduction", "none");
            if (reduction is not ("none" or "add")) throw c.Unsupported($"reduction '{reduction}'");
            var (x, ind, upd) = (c.X(0), c.X(1), c.X(2));
            var axis = (int)c.Axis(c.Int("axis", 0), x.Rank);
            var index = Tensor.From(Normalized(OnnxContext.Longs(ind), x.Shape[axis], "ScatterElements"), ind.Shape);
            return One(reduction == "add" ? F.ScatterAdd(x, axis, index, Same(upd, x)) : F.Scatter(x, axis, index, Same(upd, x)));
        };
        d["Scatter"] = d["ScatterElements"];
        d["GatherND"] = GatherND;
        d["ScatterND"] = ScatterND;
        d["Compress"] = c =>
        {
            var x = c.X(0);
            var cond = c.X(1).ToDoubleArray();
            if (c.Attr("axis") is null) x = x.Reshape(-1);
            var axis = c.Attr("axis") is null ? 0 : (int)c.Axis(c.Int("axis", 0), x.Rank);
            var keep = Enumerable.Range(0, Math.Min(cond.Length, x.Shape[axis])).Where(i => cond[i] != 0).Select(i => (long)i).ToArray();
            var idx = new long[x.Rank][];
            for (var a = 0; a < x.Rank; a++) idx[a] = a == axis ? keep : [.. Enumerable.Range(0, x.Shape[a]).Select(i => (long)i)];
            return One(TakeAxes(x, idx, 0, c));
        };
        d["OneHot"] = c =>
        {
            var ind = c.X(0).ToDoubleArray();
            var depth = (long)c.X(1).ToDoubleArray()[0];
            var values = c.X(2);
            var (off, on) = (values.ToDoubleArray()[0], values.ToDoubleArray()[1]);
            var rank = c.X(0).Rank + 1;
            var axis = (int)c.Axis(c.Int("axis", -1), rank);
            var dims = c.X(0).Shape.ToArray().ToList();
            dims.Insert(axis, (int)depth);
            long inner = 1;
            for (var a = axis; a < c.X(0).Rank; a++) inner *= c.X(0).Shape[a];
            CheckSize(ind.LongLength * depth, c);
            var y = new double[ind.LongLength * depth];
            Array.Fill(y, off);
            for (long i = 0; i < ind.LongLength; i++)
            {
                var v = (long)ind[i];
                if (v < 0) v += depth;
                if (v < 0 || v >= depth) continue;
                long outer = i / inner, rest = i % inner;
                y[(outer * depth + v) * inner + rest] = on;
            }
            return One(FromDoubles(y, new Shape([.. dims]), values.DType));
        };
        d["NonZero"] = c =>
        {
            var x = c.X(0);
            var nz = F.Nonzero(x.Rank == 0 ? x.Reshape(1) : x);
            return One(nz.Transpose(0, 1).Contiguous());
        };
    }

    private static Tensor?[] GatherND(OnnxContext c)
    {
        var (x, ind) = (c.X(0), c.X(1));
        var b = (int)c.Int("batch_dims", 0);
        var m = ind.Shape[ind.Rank - 1];
        if (b < 0 || b >= ind.Rank || b + m > x.Rank) throw new OnnxFormatException($"ONNX: GatherND indices {ind.Shape} do not fit data {x.Shape} with batch_dims {b}.");
        var idx = OnnxContext.Longs(ind);
        long batch = 1, slice = 1;
        for (var a = 0; a < b; a++) batch *= x.Shape[a];
        for (var a = b + m; a < x.Rank; a++) slice *= x.Shape[a];
        var xStrides = new long[x.Rank];
        for (long a = x.Rank - 1, s = 1; a >= 0; a--) { xStrides[a] = s; s *= x.Shape[(int)a]; }
        var tuples = idx.Length / m;
        var perBatch = tuples / batch;
        CheckSize(tuples * slice, c);
        var map = new long[tuples * slice];
        for (long t = 0; t < tuples; t++)
        {
            long src = t / perBatch * (b > 0 ? xStrides[b - 1] : 0);
            for (var j = 0; j < m; j++)
            {
                var dim = x.Shape[b + j];
                var v = idx[t * m + j];
                if (v < 0) v += dim;
                if (v < 0 || v >= dim) throw new OnnxFormatException($"ONNX: GatherND index {idx[t * m + j]} out of range for size {dim}.");
                src += v * xStrides[b + j];
            }
            for (long q = 0; q < slice; q++) map[t * slice + q] = src + q;
        }
        var dims = ind.Shape.Dims[..^1].ToArray().Concat(x.Shape.Dims[(b + m)..].ToArray()).ToArray();
        return One(IndexKernels.Take(x, map, new Shape(dims)));
    }

    private static Tensor?[] ScatterND(OnnxContext c)
    {
        var (x, ind, upd) = (c.X(0), c.X(1), c.X(2));
        var reduction = c.Str("reduction", "none");
        if (reduction is not ("none" or "add" or "mul")) throw c.Unsupported($"reduction '{reduction}'");
        var m = ind.Shape[ind.Rank - 1];
        if (m > x.Rank) throw new OnnxFormatException($"ONNX: ScatterND index tuples of {m} exceed data rank {x.Rank}.");
        var idx = OnnxContext.Longs(ind);
        var data = x.ToDoubleArray();
        var u = upd.ToDoubleArray();
        long slice = 1;
        for (var a = m; a < x.Rank; a++) slice *= x.Shape[a];
        var strides = new long[x.Rank];
        for (long a = x.Rank - 1, s = 1; a >= 0; a--) { strides[a] = s; s *= x.Shape[(int)a]; }
        var tuples = idx.Length / Math.Max(m, 1);
        if (u.LongLength != tuples * slice) throw new OnnxFormatException($"ONNX: ScatterND updates expected {tuples * slice} values, got {u.LongLength}.");
        for (long t = 0; t < tuples; t++)
        {
            long dst = 0;
            for (var j = 0; j < m; j++)
            {
                var v = idx[t * m + j];
                if (v < 0) v += x.Shape[j];
                if (v < 0 || v >= x.Shape[j]) throw new OnnxFormatException($"ONNX: ScatterND index {idx[t * m + j]} out of range for size {x.Shape[j]}.");
                dst += v * strides[j];
            }
            for (long q = 0; q < slice; q++)
                data[dst + q] = reduction switch
                {
                    "add" => data[dst + q] + u[t * slice + q],
                    "mul" => data[dst + q] * u[t * slice + q],
                    _ => u[t * slice + q],
                };
        }
        return One(FromDoubles(data, x.Shape, x.DType));
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
