namespace Scratch.IO.Onnx;

internal static partial class OnnxOps
{
    /// <summary>Network layers: Conv, ConvTranspose (1-D and 2-D), MaxPool, AveragePool (1-D and 2-D),
    /// GlobalAveragePool, GlobalMaxPool, BatchNormalization (inference, and training mode from opset 14), InstanceNormalization,
    /// LayerNormalization, MeanVarianceNormalization, LRN, Gemm, MatMul.</summary>
    private static void AddNN(Dictionary<string, OnnxKernel> d)
    {
        d["Conv"] = Conv;
        d["ConvTranspose"] = ConvTranspose;
        d["MaxPool"] = c => Pool(c, max: true);
        d["AveragePool"] = c => Pool(c, max: false);
        d["GlobalAveragePool"] = c =>
        {
            var x = c.X(0);
            return One(F.Mean(x, [.. Enumerable.Range(2, x.Rank - 2)], keepDim: true));
        };
        d["GlobalMaxPool"] = c =>
        {
            var x = c.X(0);
            return One(F.Amax(x, [.. Enumerable.Range(2, x.Rank - 2)], keepDim: true));
        };
        d["BatchNormalization"] = c =>
        {
            var x = c.X(0);
            var eps = c.Float("epsilon", 1e-5f);
            if (c.Int("training_mode", 0) != 0 || c.Node.Outputs.Count(o => o.Length > 0) > 1)
            {
                if (c.Opset < 14) throw c.Unsupported("training outputs before opset 14");
                return BatchNormTraining(c, x, eps);
            }
            var y = F.BatchNorm(x, Same(c.X(3), x), Same(c.X(4), x), Same(c.X(1), x), Same(c.X(2), x), training: false, eps: eps);
            return One(y);
        };
        d["InstanceNormalization"] = c =>
        {
            var x = c.X(0);
            var dims = Enumerable.Range(2, x.Rank - 2).ToArray();
            var y = Normalize(x, dims, c.Float("epsilon", 1e-5f)).Y;
            var shape = Enumerable.Repeat(1, x.Rank).ToArray();
            shape[1] = x.Shape[1];
            return One(F.Add(F.Mul(y, c.X(1).Reshape(shape)), c.X(2).Reshape(shape)));
        };
        d["LayerNormalization"] = c =>
        {
            var x = c.X(0);
            var axis = (int)c.Axis(c.Int("axis", -1), x.Rank);
            var dims = Enumerable.Range(axis, x.Rank - axis).ToArray();
            var (y, mean, inv) = Normalize(x, dims, c.Float("epsilon", 1e-5f));
            y = F.Mul(y, c.X(1));
            if (c.Opt(2) is { } b) y = F.Add(y, b);
            return [y, mean, inv];
        };
        d["MeanVarianceNormalization"] = c =>
        {
            var x = c.X(0);
            var axes = (c.Ints("axes") ?? [0, 2, 3]).Select(a => (int)c.Axis(a, x.Rank)).ToArray();
            return One(Normalize(x, axes, 1e-9).Y);
        };
        d["LRN"] = c =>
        {
            var x = c.X(0);
            var size = (int)c.Int("size", 1);
            double alpha = c.Float("alpha", 1e-4f), beta = c.Float("beta", 0.75f), bias = c.Float("bias", 1f);
            if (x.Rank < 3 || size < 1) throw new OnnxFormatException($"ONNX: LRN expected [N, C, ...] and size ≥ 1, got {x.Shape} and {size}.");
            var v = x.ToDoubleArray();
            int n = x.Shape[0], ch = x.Shape[1];
            var inner = x.Numel / ((long)n * ch);
            var y = new double[v.Length];
            int lo = (size - 1) / 2, hi = size - 1 - lo;
            for (var b = 0; b < n; b++)
                for (var k = 0; k < ch; k++)
                    for (long q = 0; q < inner; q++)
                    {
                        double sum = 0;
                        for (var j = Math.Max(0, k - lo); j <= Math.Min(ch - 1, k + hi); j++)
                        {
                            var t = v[((long)b * ch + j) * inner + q];
                            sum += t * t;
                        }
                        var at = ((long)b * ch + k) * inner + q;
                        y[at] = v[at] / Math.Pow(bias + alpha / size * sum, beta);
                    }
            return One(FromDoubles(y, x.Shape, x.DType));
        };
        d["Gemm"] = c =>
        {
            var (a, b) = (c.X(0), c.X(1));
            if (c.Int("transA", 0) != 0) a = a.Transpose(0, 1);
            if (c.Int("transB", 0) != 0) b = b.Transpose(0, 1);
            var y = F.Matmul(a, Same(b, a));
            var alpha = c.Float("alpha", 1f);
            if (alpha != 1f) y = F.Mul(y, Tensor.Scalar(alpha, y.DType));
            if (c.Opt(2) is { } bias)
            {
                var beta = c.Float("beta", 1f);
                var cb = Same(bias, y);
                if (beta != 1f) cb = F.Mul(cb, Tensor.Scalar(beta, y.DType));
                y = F.Add(y, cb);
            }
            return One(y);
        };
        d["MatMul"] = c =>
        {
            var (a, b) = (c.X(0), c.X(1));
            if (a.DType.IsFloating()) return One(F.Matmul(a, Same(b, a)));
            return One(F.Matmul(a.To(DType.F64), b.To(DType.F64)).To(a.DType));
        };
    }

    /// <summary>BatchNormalization with training_mode = 1 (opset 14+): normalises with the batch mean and biased
    /// variance over all dims but 1 and returns the running statistics r·momentum + batch·(1 − momentum).</summary>
    private static Tensor?[] BatchNormTraining(OnnxContext c, Tensor x, double eps)
    {
        var dims = Enumerable.Range(0, x.Rank).Where(a => a != 1).ToArray();
        var (y, mean, _) = Normalize(x, dims, eps);
        var shape = Enumerable.Repeat(1, x.Rank).ToArray();
        shape[1] = x.Shape[1];
        y = F.Add(F.Mul(y, Same(c.X(1), x).Reshape(shape)), Same(c.X(2), x).Reshape(shape));
        var batchVar = F.Mean(F.Mul(F.Sub(x, mean), F.Sub(x, mean)), dims);
        var m = Tensor.Scalar(c.Float("momentum", 0.9f), x.DType);
        var oneMinus = Tensor.Scalar(1 - c.Float("momentum", 0.9f), x.DType);
        var runMean = F.Add(F.Mul(Same(c.X(3), x), m), F.Mul(mean.Reshape(-1), oneMinus));
        var runVar = F.Add(F.Mul(Same(c.X(4), x), m), F.Mul(batchVar, oneMinus));
        return [y, runMean, runVar];
    }

    /// <summary>(x − mean)/√(var + ε) over <paramref name="dims"/> (biased variance), with the mean and 1/√(var + ε)
    /// kept as size-1 dims.</summary>
    private static (Tensor Y, Tensor Mean, Tensor InvStd) Normalize(Tensor x, int[] dims, double eps)
    {
        var mean = F.Mean(x, dims, keepDim: true);
        var centered = F.Sub(x, mean);
        var variance = F.Mean(F.Mul(centered, centered), dims, keepDim: true);
        var inv = F.Rsqrt(F.Add(variance, Tensor.Scalar(eps, x.DType)));
        return (F.Mul(centered, inv), mean, inv);
    }

    /// <summary>Spatial hyper-parameters of a conv or pool node over the spatial dims of <paramref name="inSize"/>, with
    /// auto_pad resolved to explicit (begin, end) pads.</summary>
    private static (int[] K, int[] S, int[] D, int[] Begin, int[] End) Geometry(OnnxContext c, int[] inSize, int[] kernel,
        bool transpose = false)
    {
        var r = inSize.Length;
        var s = c.Ints("strides") is { } st ? Array.ConvertAll(st, v => Small(v, c)) : Enumerable.Repeat(1, r).ToArray();
        var dl = c.Ints("dilations") is { } di ? Array.ConvertAll(di, v => Small(v, c)) : Enumerable.Repeat(1, r).ToArray();
        var pads = c.Ints("pads") is { } p ? Array.ConvertAll(p, v => Small(v, c)) : new int[2 * r];
        foreach (var k in kernel) Small(k, c);
        if (s.Length != r || dl.Length != r || pads.Length != 2 * r || kernel.Length != r)
            throw new OnnxFormatException($"ONNX: {c.Node.OpType} node '{c.Node.Name}' strides, dilations, kernel_shape and pads expected {r}, {r}, {r} and {2 * r} values.");
        if (s.Any(v => v < 1) || dl.Any(v => v < 1) || kernel.Any(v => v < 1) || pads.Any(v => v < 0))
            throw new OnnxFormatException($"ONNX: {c.Node.OpType} node '{c.Node.Name}' expected strides, dilations, kernel ≥ 1 and pads ≥ 0.");
        var begin = pads[..r];
        var end = pads[r..];
        var auto = c.Str("auto_pad", "NOTSET");
        if (auto is "SAME_UPPER" or "SAME_LOWER" && !transpose)
            for (var i = 0; i < r; i++)
            {
                var o = (inSize[i] + s[i] - 1) / s[i];
                var total = Math.Max(0, (o - 1) * s[i] + (kernel[i] - 1) * dl[i] + 1 - inSize[i]);
                begin[i] = auto == "SAME_UPPER" ? total / 2 : total - total / 2;
                end[i] = total - begin[i];
            }
        else if (auto == "VALID")
        {
            Array.Clear(begin);
            Array.Clear(end);
        }
        else if (auto is not ("NOTSET" or "SAME_UPPER" or "SAME_LOWER"))
            throw new OnnxFormatException($"ONNX: auto_pad expected NOTSET, SAME_UPPER, SAME_LOWER or VALID, got '{auto}'.");
        return (kernel, s, dl, begin, end);
    }

    /// <summary>A spatial hyper-parameter, which must lie in [−2²⁰, 2²⁰].</summary>
    private static int Small(long v, OnnxContext c) => Math.Abs(v) <= 1 << 20 ? (int)v
        : throw new OnnxFormatException($"ONNX: {c.Node.OpType} node '{c.Node.Name}' spatial attribute expected within ±{1 << 20}, got {v}.");

    /// <summary>Throws unless x padded by begin/end (and extra) stays within the element limit.</summary>
    private static void CheckPadded(OnnxContext c, Tensor x, int[] begin, int[] end, int[]? extra = null)
    {
        long n = (long)x.Shape[0] * x.Shape[1];
        for (var i = 0; i < begin.Length; i++)
        {
            var len = (long)x.Shape[x.Rank - begin.Length + i] + begin[i] + end[i] + (extra?[i] ?? 0);
            n = n == 0 || len <= 0 ? 0 : n > OnnxTensors.MaxElements / len ? OnnxTensors.MaxElements + 1 : n * len;
        }
        CheckSize(n, c);
    }

    /// <summary>Lifts a 1-D op to 2-D (H = 1); rejects other spatial ranks.</summary>
    private static Tensor To2d(OnnxContext c, Tensor x)
    {
        if (x.Rank == 4) return x;
        if (x.Rank == 3) return x.Unsqueeze(2);
        throw c.Unsupported($"{x.Rank - 2}-D spatial input {x.Shape}");
    }

    private static int[] Lift(int[] v, int fill) => v.Length == 1 ? [fill, v[0]] : v;

    /// <summary>F.Pad pads (last dim first) for 2-D begin/end pads.</summary>
    private static int[] PadSpec(int[] begin, int[] end) => [begin[1], end[1], begin[0], end[0]];

    private static Tensor?[] Conv(OnnxContext c)
    {
        var (x, w) = (c.X(0), c.X(1));
        var oneD = x.Rank == 3;
        x = To2d(c, x);
        w = To2d(c, w);
        var inSize = oneD ? [x.Shape[3]] : new[] { x.Shape[2], x.Shape[3] };
        var kernel = c.Ints("kernel_shape") is { } ks ? Array.ConvertAll(ks, v => (int)v) : (oneD ? [w.Shape[3]] : new[] { w.Shape[2], w.Shape[3] });
        var (_, s, dl, begin, end) = Geometry(c, inSize, kernel);
        (s, dl, begin, end) = (Lift(s, 1), Lift(dl, 1), Lift(begin, 0), Lift(end, 0));
        var groups = (int)c.Int("group", 1);
        CheckPadded(c, x, begin, end);
        Size2 padding = 0;
        if (begin.SequenceEqual(end)) padding = (begin[0], begin[1]);
        else if (begin.Any(v => v > 0) || end.Any(v => v > 0)) x = F.Pad(x, PadSpec(begin, end));
        var y = F.Conv2d(x, Same(w, x), c.Opt(2) is { } b ? Same(b, x) : null, (s[0], s[1]), padding, (dl[0], dl[1]), groups);
        return One(oneD ? y.Squeeze(2) : y);
    }

    private static Tensor?[] ConvTranspose(OnnxContext c)
    {
        var (x, w) = (c.X(0), c.X(1));
        var oneD = x.Rank == 3;
        x = To2d(c, x);
        w = To2d(c, w);
        var inSize = oneD ? [x.Shape[3]] : new[] { x.Shape[2], x.Shape[3] };
        var kernel = c.Ints("kernel_shape") is { } ks ? Array.ConvertAll(ks, v => (int)v) : (oneD ? [w.Shape[3]] : new[] { w.Shape[2], w.Shape[3] });
        var (_, s, dl, begin, end) = Geometry(c, inSize, kernel, transpose: true);
        var r = inSize.Length;
        var outPad = c.Ints("output_padding") is { } op ? Array.ConvertAll(op, v => (int)v) : new int[r];
        var full = new int[r];
        for (var i = 0; i < r; i++)
        {
            var fl = (long)(inSize[i] - 1) * s[i] + (long)(kernel[i] - 1) * dl[i] + 1 + Small(outPad[i], c);
            if (fl > int.MaxValue || fl < 1) throw new OnnxFormatException($"ONNX: ConvTranspose output length {fl} out of range.");
            full[i] = (int)fl;
        }
        var auto = c.Str("auto_pad", "NOTSET");
        var outShape = c.Ints("output_shape") is { } os ? Array.ConvertAll(os[^r..], v => (int)v) : null;
        if (outShape is null && auto is "SAME_UPPER" or "SAME_LOWER")
            outShape = [.. Enumerable.Range(0, r).Select(i => inSize[i] * s[i])];
        if (outShape is not null)
            for (var i = 0; i < r; i++)
            {
                var total = full[i] - outShape[i];
                if (auto == "SAME_LOWER") { begin[i] = total - total / 2; end[i] = total / 2; }
                else { begin[i] = total / 2; end[i] = total - total / 2; }
            }
        (s, dl, begin, end, outPad) = (Lift(s, 1), Lift(dl, 1), Lift(begin, 0), Lift(end, 0), Lift(outPad, 0));
        var groups = (int)c.Int("group", 1);
        long fullNumel = (long)x.Shape[0] * w.Shape[1] * groups;
        foreach (var f in full) fullNumel = f <= 0 ? 0 : fullNumel * f > OnnxTensors.MaxElements ? OnnxTensors.MaxElements + 1 : fullNumel * f;
        CheckSize(fullNumel, c);
        var y = F.ConvTranspose2d(x, Same(w, x), null, (s[0], s[1]), 0, 0, groups, (dl[0], dl[1]));
        var crop = new[] { -begin[1], outPad[1] - end[1], -begin[0], outPad[0] - end[0] };
        if (crop.Any(v => v != 0)) y = F.Pad(y, crop);
        if (c.Opt(2) is { } b) y = F.Add(y, Same(b, y).Reshape(1, -1, 1, 1));
        return One(oneD ? y.Squeeze(2) : y);
    }

    /// <summary>MaxPool with its Indices output: flat positions in the unpadded N·C·H·W input, the plane part
    /// h·W + w (row-major) or w·H + h (storage_order 1) (2-D,
    /// symmetric pads of at most half the kernel, floor mode).</summary>
    private static Tensor?[] MaxPoolWithIndices(OnnxContext c)
    {
        var x = c.X(0);
        if (x.Rank != 4 || !x.DType.IsFloating()) throw c.Unsupported($"the Indices output for input {x.Shape} {x.DType.Name()}");
        var kernel = Array.ConvertAll(c.Ints("kernel_shape") ?? throw new OnnxFormatException("ONNX: pool expected kernel_shape."), v => (int)v);
        var (_, s, dl, begin, end) = Geometry(c, [x.Shape[2], x.Shape[3]], kernel);
        if (!begin.SequenceEqual(end) || c.Int("ceil_mode", 0) != 0 || begin[0] * 2 > kernel[0] || begin[1] * 2 > kernel[1])
            throw c.Unsupported("the Indices output with asymmetric, large or ceil-mode padding");
        var (y, idx) = F.MaxPool2dWithIndices(x, (kernel[0], kernel[1]), (s[0], s[1]), (begin[0], begin[1]), (dl[0], dl[1]));
        idx = idx.To(DType.I64);
        if (c.Int("storage_order", 0) != 0)
        {
            var (h, w) = (Tensor.Scalar(x.Shape[2], DType.I64), Tensor.Scalar(x.Shape[3], DType.I64));
            idx = F.Add(F.Mul(F.Sub(idx, F.Mul(F.Div(idx, w), w)), h), F.Div(idx, w));
        }
        var plane = (long)x.Shape[2] * x.Shape[3];
        var offsets = F.Mul(Tensor.Arange(x.Shape[0] * x.Shape[1]).Reshape(x.Shape[0], x.Shape[1], 1, 1), Tensor.Scalar(plane, DType.I64));
        return [y, F.Add(idx, offsets)];
    }

    private static Tensor?[] Pool(OnnxContext c, bool max)
    {
        if (max && c.Node.Outputs.Length > 1 && c.Node.Outputs[1].Length > 0) return MaxPoolWithIndices(c);
        var x0 = c.X(0);
        var oneD = x0.Rank == 3;
        var x = To2d(c, x0);
        var dtype = x.DType;
        if (!dtype.IsFloating()) x = x.To(DType.F64);
        var inSize = oneD ? [x.Shape[3]] : new[] { x.Shape[2], x.Shape[3] };
        var kernel = Array.ConvertAll(c.Ints("kernel_shape") ?? throw new OnnxFormatException("ONNX: pool expected kernel_shape."), v => (int)v);
        var (_, s, dl, begin, end) = Geometry(c, inSize, kernel);
        var r = inSize.Length;
        var ceil = c.Int("ceil_mode", 0) != 0;
        var extra = new int[r];
        for (var i = 0; i < r; i++)
        {
            var span = inSize[i] + begin[i] + end[i] - dl[i] * (kernel[i] - 1) - 1;
            if (span < 0) throw new OnnxFormatException($"ONNX: {c.Node.OpType} window larger than the padded input.");
            var o = (ceil ? (span + s[i] - 1) / s[i] : span / s[i]) + 1;
            if (ceil && (o - 1) * s[i] >= inSize[i] + begin[i]) o--;
            extra[i] = Math.Max(0, (o - 1) * s[i] + dl[i] * (kernel[i] - 1) + 1 - (inSize[i] + begin[i] + end[i]));
        }
        (kernel, s, dl, begin, end, extra) = (Lift(kernel, 1), Lift(s, 1), Lift(dl, 1), Lift(begin, 0), Lift(end, 0), Lift(extra, 0));
        var endAll = new[] { end[0] + extra[0], end[1] + extra[1] };
        CheckPadded(c, x, begin, endAll);
        Tensor y;
        if (max)
        {
            var xp = begin.Any(v => v > 0) || endAll.Any(v => v > 0)
                ? F.Pad(x, PadSpec(begin, endAll), value: double.NegativeInfinity) : x;
            y = F.MaxPool2d(xp, (kernel[0], kernel[1]), (s[0], s[1]), 0, (dl[0], dl[1]));
        }
        else
        {
            if (dl.Any(v => v != 1)) throw c.Unsupported("dilated average pooling");
            var includePad = c.Int("count_include_pad", 0) != 0;
            var xp = F.Pad(x, PadSpec(begin, endAll));
            var sum = F.AvgPool2d(xp, (kernel[0], kernel[1]), (s[0], s[1]));
            if (begin.Any(v => v > 0) || endAll.Any(v => v > 0))
            {
                var mask = Tensor.Ones(new Shape(1, 1, x.Shape[2], x.Shape[3]), x.DType);
                mask = includePad ? F.Pad(F.Pad(mask, PadSpec(begin, end), value: 1), PadSpec([0, 0], extra))
                    : F.Pad(mask, PadSpec(begin, endAll));
                sum = F.Div(sum, F.AvgPool2d(mask, (kernel[0], kernel[1]), (s[0], s[1])));
            }
            y = sum;
        }
        if (oneD) y = y.Squeeze(2);
        return One(dtype.IsFloating() ? y : y.To(dtype));
    }
}
