namespace Scratch.IO.Onnx;

internal static partial class OnnxOps
{
    /// <summary>Shape manipulation: Reshape, Flatten, Transpose, Squeeze, Unsqueeze, Concat, Slice, Split, Pad,
    /// Expand, Tile, Shape, Size, Constant, ConstantOfShape, Range, DepthToSpace, SpaceToDepth, Dropout
    /// (identity: inference, or training with ratio 0).</summary>
    private static void AddShape(Dictionary<string, OnnxKernel> d)
    {
        d["Reshape"] = c => One(Reshape(c.X(0), OnnxContext.Longs(c.X(1)), c.Int("allowzero", 0) != 0, c));
        d["Flatten"] = c =>
        {
            var x = c.X(0);
            var axis = (int)(c.Int("axis", 1) is var a && a < 0 ? a + x.Rank : a);
            if (axis < 0 || axis > x.Rank) throw new OnnxFormatException($"ONNX: Flatten axis expected in [{-x.Rank}, {x.Rank}], got {c.Int("axis", 1)}.");
            long outer = 1;
            for (var i = 0; i < axis; i++) outer *= x.Shape[i];
            return One(x.Reshape((int)outer, (int)(outer == 0 ? 0 : x.Numel / outer)));
        };
        d["Transpose"] = c =>
        {
            var x = c.X(0);
            var perm = c.Ints("perm") is { } p ? Array.ConvertAll(p, v => (int)v) : Enumerable.Range(0, x.Rank).Reverse().ToArray();
            return One(x.Permute(perm));
        };
        d["Squeeze"] = c =>
        {
            var x = c.X(0);
            var axes = AxesOf(c, 1) is { } a ? a.Select(v => (int)c.Axis(v, x.Rank)).ToHashSet()
                : Enumerable.Range(0, x.Rank).Where(i => x.Shape[i] == 1).ToHashSet();
            foreach (var ax in axes)
                if (x.Shape[ax] != 1) throw new OnnxFormatException($"ONNX: Squeeze axis {ax} expected size 1, got {x.Shape[ax]}.");
            return One(x.Reshape([.. Enumerable.Range(0, x.Rank).Where(i => !axes.Contains(i)).Select(i => x.Shape[i])]));
        };
        d["Unsqueeze"] = c =>
        {
            var x = c.X(0);
            var axes = AxesOf(c, 1) ?? throw new OnnxFormatException("ONNX: Unsqueeze expected axes, got none.");
            var rank = x.Rank + axes.Length;
            var set = axes.Select(v => (int)c.Axis(v, rank)).ToHashSet();
            if (set.Count != axes.Length) throw new OnnxFormatException("ONNX: Unsqueeze axes expected distinct.");
            var dims = new int[rank];
            for (int i = 0, j = 0; i < rank; i++) dims[i] = set.Contains(i) ? 1 : x.Shape[j++];
            return One(x.Reshape(dims));
        };
        d["Concat"] = c =>
        {
            var xs = c.All.Where(t => t is not null).Select(t => t!).ToList();
            var axis = (int)c.Axis(c.Int("axis", 0), xs[0].Rank);
            return One(F.Cat([.. xs.Select(t => Same(t, xs[0]))], axis));
        };
        d["Slice"] = Slice;
        d["Split"] = Split;
        d["Pad"] = Pad;
        d["Expand"] = c =>
        {
            var x = c.X(0);
            var target = new Shape(Array.ConvertAll(OnnxContext.Longs(c.X(1)), v => checked((int)v)));
            var shape = Shape.Broadcast(x.Shape, target, "Expand");
            CheckSize(shape.Numel, c);
            return One(x.Expand(shape.ToArray()).Contiguous());
        };
        d["Tile"] = c =>
        {
            var x = c.X(0);
            var reps = OnnxContext.Longs(c.X(1));
            if (reps.Length != x.Rank || reps.Any(r => r < 0))
                throw new OnnxFormatException($"ONNX: Tile repeats expected {x.Rank} values ≥ 0, got [{string.Join(", ", reps)}].");
            var idx = new long[x.Rank][];
            for (var a = 0; a < x.Rank; a++)
            {
                CheckSize(x.Shape[a] * reps[a], c);
                idx[a] = new long[x.Shape[a] * reps[a]];
                for (var i = 0; i < idx[a].Length; i++) idx[a][i] = i % x.Shape[a];
            }
            return One(TakeAxes(x, idx, 0, c));
        };
        d["Shape"] = c =>
        {
            var x = c.X(0);
            long start = c.Int("start", 0), end = c.Int("end", x.Rank);
            if (start < 0) start += x.Rank;
            if (end < 0) end += x.Rank;
            start = Math.Clamp(start, 0, x.Rank);
            end = Math.Clamp(end, start, x.Rank);
            return One(Tensor.From(x.Shape.Dims[(int)start..(int)end].ToArray().Select(v => (long)v).ToArray()));
        };
        d["Size"] = c => One(Tensor.From(new[] { c.X(0).Numel }, new Shape()));
        d["Constant"] = Constant;
        d["ConstantOfShape"] = c =>
        {
            var dims = OnnxContext.Longs(c.X(0));
            CheckSize(OnnxTensors.CheckedNumel(dims, "ConstantOfShape"), c);
            var value = c.Attr("value")?.T is { } t ? OnnxTensors.ToTensor(t) : Tensor.Zeros(new Shape(1));
            var shape = new Shape(Array.ConvertAll(dims, v => (int)v));
            return One(value.Reshape([.. Enumerable.Repeat(1, shape.Rank)]).Expand(shape.ToArray()).Contiguous());
        };
        d["Range"] = c =>
        {
            var (s, l, dl) = (c.X(0).ToDoubleArray()[0], c.X(1).ToDoubleArray()[0], c.X(2).ToDoubleArray()[0]);
            if (dl == 0) throw new OnnxFormatException("ONNX: Range delta expected non-zero, got 0.");
            var n = Math.Max((long)Math.Ceiling((l - s) / dl), 0);
            CheckSize(n, c);
            var v = new double[n];
            for (var i = 0; i < n; i++) v[i] = s + i * dl;
            return One(FromDoubles(v, new Shape((int)n), c.X(0).DType));
        };
        d["DepthToSpace"] = c =>
        {
            var x = c.X(0);
            var b = (int)c.Int("blocksize", 0);
            if (x.Rank != 4 || b < 1 || x.Shape[1] % (b * b) != 0) throw c.Unsupported($"input {x.Shape} with blocksize {b}");
            int n = x.Shape[0], ch = x.Shape[1], h = x.Shape[2], w = x.Shape[3], co = ch / (b * b);
            var y = c.Str("mode", "DCR") == "DCR"
                ? x.Reshape(n, b, b, co, h, w).Permute(0, 3, 4, 1, 5, 2)
                : x.Reshape(n, co, b, b, h, w).Permute(0, 1, 4, 2, 5, 3);
            return One(y.Reshape(n, co, h * b, w * b));
        };
        d["SpaceToDepth"] = c =>
        {
            var x = c.X(0);
            var b = (int)c.Int("blocksize", 0);
            if (x.Rank != 4 || b < 1 || x.Shape[2] % b != 0 || x.Shape[3] % b != 0) throw c.Unsupported($"input {x.Shape} with blocksize {b}");
            int n = x.Shape[0], ch = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
            return One(x.Reshape(n, ch, h / b, b, w / b, b).Permute(0, 3, 5, 1, 2, 4).Reshape(n, ch * b * b, h / b, w / b));
        };
        d["Dropout"] = c =>
        {
            var x = c.X(0);
            var training = c.Opt(2) is { } tm && tm.ToDoubleArray()[0] != 0;
            var ratio = c.Opt(1) is { } r ? r.ToDoubleArray()[0] : c.Float("ratio", 0.5f);
            if (training && ratio != 0) throw c.Unsupported("training mode with a non-zero ratio (random masks)");
            return [x, Tensor.Ones(x.Shape, DType.Bool)];
        };
    }

    /// <summary>Throws unless an output of <paramref name="n"/> elements is within the model's limit.</summary>
    internal static void CheckSize(long n, OnnxContext c)
    {
        if (n < 0 || n > Math.Min(c.MaxElements, OnnxTensors.MaxElements))
            throw new OnnxFormatException($"ONNX: {c.Node.OpType} node '{c.Node.Name}' output expected at most {Math.Min(c.MaxElements, OnnxTensors.MaxElements)} elements, got {n}.");
    }

    /// <summary>Axes from input <paramref name="input"/> (newer opsets) or the "axes" attribute; null if neither.
    /// </summary>
    private static long[]? AxesOf(OnnxContext c, int input) =>
        c.Opt(input) is { } t ? OnnxContext.Longs(t) : c.Ints("axes");

    private static Tensor Reshape(Tensor x, long[] spec, bool allowZero, OnnxContext c)
    {
        var dims = new int[spec.Length];
        var infer = -1;
        long known = 1;
        for (var i = 0; i < spec.Length; i++)
        {
            var v = spec[i];
            if (v == 0 && !allowZero)
            {
                if (i >= x.Rank) throw new OnnxFormatException($"ONNX: Reshape shape[{i}] = 0 copies a dim the {x.Rank}-D input lacks.");
                v = x.Shape[i];
            }
            if (v == -1)
            {
                if (infer >= 0) throw new OnnxFormatException("ONNX: Reshape shape expected at most one -1.");
                infer = i;
                continue;
            }
            if (v < 0 || v > int.MaxValue) throw new OnnxFormatException($"ONNX: Reshape shape[{i}] expected ≥ -1, got {v}.");
            dims[i] = (int)v;
            known *= v;
        }
        if (infer >= 0)
        {
            if (known == 0 || x.Numel % known != 0)
                throw new OnnxFormatException($"ONNX: Reshape cannot infer the -1 in [{string.Join(", ", spec)}] for {x.Numel} elements.");
            dims[infer] = (int)(x.Numel / known);
        }
        else if (known != x.Numel)
            throw new OnnxFormatException($"ONNX: Reshape shape [{string.Join(", ", spec)}] expected {x.Numel} elements, got {known}.");
        return x.Reshape(dims);
    }

    private static Tensor?[] Constant(OnnxContext c)
    {
        if (c.Attr("value")?.T is { } t) return One(OnnxTensors.ToTensor(t));
        if (c.Attr("value_float") is { } f) return One(Tensor.From(new[] { f.F }, new Shape()));
        if (c.Attr("value_floats") is { } fs) return One(Tensor.From(fs.Floats));
        if (c.Attr("value_int") is { } i) return One(Tensor.From(new[] { i.I }, new Shape()));
        if (c.Attr("value_ints") is { } iv) return One(Tensor.From(iv.Ints));
        throw c.Unsupported("value kind (sparse or string)");
    }

    private static Tensor?[] Slice(OnnxContext c)
    {
        var x = c.X(0);
        long[] starts, ends;
        long[]? axes, steps;
        if (c.Opset < 10)
        {
            starts = c.Ints("starts") ?? [];
            ends = c.Ints("ends") ?? [];
            axes = c.Ints("axes");
            steps = null;
        }
        else
        {
            starts = OnnxContext.Longs(c.X(1));
            ends = OnnxContext.Longs(c.X(2));
            axes = c.Opt(3) is { } a ? OnnxContext.Longs(a) : null;
            steps = c.Opt(4) is { } s ? OnnxContext.Longs(s) : null;
        }
        axes ??= [.. Enumerable.Range(0, starts.Length).Select(i => (long)i)];
        steps ??= [.. Enumerable.Repeat(1L, starts.Length)];
        if (ends.Length != starts.Length || axes.Length != starts.Length || steps.Length != starts.Length)
            throw new OnnxFormatException("ONNX: Slice starts, ends, axes and steps expected the same length.");
        var idx = new long[x.Rank][];
        for (var a = 0; a < x.Rank; a++) idx[a] = [.. Enumerable.Range(0, x.Shape[a]).Select(i => (long)i)];
        for (var k = 0; k < starts.Length; k++)
        {
            var axis = (int)c.Axis(axes[k], x.Rank);
            long dim = x.Shape[axis], step = steps[k];
            if (step == 0) throw new OnnxFormatException("ONNX: Slice step expected non-zero, got 0.");
            long s = starts[k], e = ends[k];
            if (s < 0) s += dim;
            if (e < 0) e += dim;
            List<long> list = [];
            if (step > 0)
            {
                s = Math.Clamp(s, 0, dim);
                e = Math.Clamp(e, 0, dim);
                for (var i = s; i < e; i += step) list.Add(i);
            }
            else
            {
                s = Math.Clamp(s, 0, dim - 1);
                e = Math.Clamp(e, -1, dim - 1);
                for (var i = s; i > e; i += step) list.Add(i);
            }
            idx[axis] = [.. list];
        }
        return One(TakeAxes(x, idx, 0, c));
    }

    private static Tensor?[] Split(OnnxContext c)
    {
        var x = c.X(0);
        var axis = (int)c.Axis(c.Int("axis", 0), x.Rank);
        var dim = x.Shape[axis];
        var n = c.Node.Outputs.Length;
        var split = c.Opt(1) is { } s ? OnnxContext.Longs(s) : c.Ints("split");
        if (split is null)
        {
            if (n == 0 || dim % n != 0) throw new OnnxFormatException($"ONNX: Split of size {dim} into {n} equal parts.");
            split = [.. Enumerable.Repeat((long)(dim / n), n)];
        }
        if (split.Length != n || split.Sum() != dim || split.Any(v => v < 0))
            throw new OnnxFormatException($"ONNX: Split sizes [{string.Join(", ", split)}] expected {n} values ≥ 0 summing to {dim}.");
        var outs = new Tensor?[n];
        long at = 0;
        for (var i = 0; i < n; i++)
        {
            outs[i] = x.Narrow(axis, (int)at, (int)split[i]).Contiguous();
            at += split[i];
        }
        return outs;
    }

    private static Tensor?[] Pad(OnnxContext c)
    {
        var x = c.X(0);
        long[] pads;
        double value;
        if (c.Opset < 11)
        {
            pads = c.Ints("pads") ?? [];
            value = c.Float("value", 0f);
        }
        else
        {
            pads = OnnxContext.Longs(c.X(1));
            value = c.Opt(2) is { } v && v.Numel > 0 ? v.ToDoubleArray()[0] : 0;
        }
        var axes = c.Opt(3) is { } ax ? OnnxContext.Longs(ax).Select(a => (int)c.Axis(a, x.Rank)).ToArray()
            : Enumerable.Range(0, x.Rank).ToArray();
        if (pads.Length != 2 * axes.Length)
            throw new OnnxFormatException($"ONNX: Pad pads expected {2 * axes.Length} values, got {pads.Length}.");
        var mode = c.Str("mode", "constant");
        if (mode is not ("constant" or "reflect" or "edge")) throw c.Unsupported($"mode '{mode}'");
        var idx = new long[x.Rank][];
        for (var a = 0; a < x.Rank; a++) idx[a] = [.. Enumerable.Range(0, x.Shape[a]).Select(i => (long)i)];
        for (var k = 0; k < axes.Length; k++)
        {
            var a = axes[k];
            long dim = x.Shape[a], before = pads[k], after = pads[k + axes.Length];
            var len = dim + before + after;
            if (len < 0) throw new OnnxFormatException($"ONNX: Pad makes axis {a} of size {dim} negative.");
            CheckSize(len, c);
            if (mode != "constant" && dim == 0 && len > 0) throw new OnnxFormatException($"ONNX: Pad mode {mode} of an empty axis.");
            if (mode == "reflect" && dim == 1 && len > 1) throw new OnnxFormatException("ONNX: Pad reflect of an axis of size 1.");
            idx[a] = new long[len];
            for (long o = 0; o < len; o++)
            {
                var i = o - before;
                if (i < 0 || i >= dim)
                {
                    if (mode == "constant") i = -1;
                    else if (mode == "edge") i = Math.Clamp(i, 0, dim - 1);
                    else
                    {
                        var period = 2 * (dim - 1);
                        i = ((i % period) + period) % period;
                        if (i >= dim) i = period - i;
                    }
                }
                idx[a][o] = i;
            }
        }
        return One(TakeAxes(x, idx, value, c));
    }

    /// <summary>The tensor whose element (o₀, o₁ …) is x[idx₀[o₀], idx₁[o₁] …], or <paramref name="fill"/> where any
    /// index is negative.</summary>
    internal static Tensor TakeAxes(Tensor x, long[][] idx, double fill, OnnxContext c)
    {
        var rank = x.Rank;
        var outDims = idx.Select(a => a.Length).ToArray();
        long total = 1;
        foreach (var n in outDims) total *= n;
        CheckSize(total, c);
        var strides = new long[rank];
        for (long a = rank - 1, s = 1; a >= 0; a--) { strides[a] = s; s *= x.Shape[(int)a]; }
        var map = new long[total];
        var pos = new int[rank];
        for (long o = 0; o < total; o++)
        {
            long src = 0;
            for (var a = 0; a < rank; a++)
            {
                var i = idx[a][pos[a]];
                if (i < 0) { src = -1; break; }
                src += i * strides[a];
            }
            map[o] = src;
            for (var a = rank - 1; a >= 0; a--)
            {
                if (++pos[a] < outDims[a]) break;
                pos[a] = 0;
            }
        }
        return IndexKernels.Take(x, map, new Shape(outDims), fill);
    }
}
