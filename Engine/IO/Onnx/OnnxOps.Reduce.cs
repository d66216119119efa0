namespace Scratch.IO.Onnx;

internal static partial class OnnxOps
{
    /// <summary>Reductions and normalised exponentials: ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd,
    /// ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp, ReduceSumSquare, ArgMax, ArgMin, Softmax, LogSoftmax,
    /// Hardmax, TopK, CumSum.</summary>
    private static void AddReduce(Dictionary<string, OnnxKernel> d)
    {
        d["ReduceSum"] = c => Reduce(c, (x, a, k) => F.Sum(x, a, k));
        d["ReduceMean"] = c => Reduce(c, (x, a, k) => F.Mean(x, a, k));
        d["ReduceMax"] = c => Reduce(c, (x, a, k) => F.Amax(x, a, k));
        d["ReduceMin"] = c => Reduce(c, (x, a, k) => F.Amin(x, a, k));
        d["ReduceProd"] = c => Reduce(c, (x, a, k) => F.Prod(x, a, k));
        d["ReduceL1"] = c => Reduce(c, (x, a, k) => F.Sum(F.Abs(x), a, k));
        d["ReduceL2"] = c => Reduce(c, (x, a, k) => F.Sqrt(F.Sum(F.Mul(x, x), a, k)));
        d["ReduceLogSum"] = c => Reduce(c, (x, a, k) => F.Log(F.Sum(x, a, k)));
        d["ReduceLogSumExp"] = c => Reduce(c, (x, a, k) => F.LogSumExp(x, a, k));
        d["ReduceSumSquare"] = c => Reduce(c, (x, a, k) => F.Sum(F.Mul(x, x), a, k));
        d["ArgMax"] = c => ArgExtreme(c, max: true);
        d["ArgMin"] = c => ArgExtreme(c, max: false);
        d["Softmax"] = c => SoftmaxFamily(c, F.Softmax);
        d["LogSoftmax"] = c => SoftmaxFamily(c, F.LogSoftmax);
        d["Hardmax"] = c => SoftmaxFamily(c, (x, axis) =>
        {
            var idx = F.Argmax(x, axis, keepDim: true);
            var shape = Enumerable.Repeat(1, x.Rank).ToArray();
            shape[axis] = x.Shape[axis];
            return F.Eq(Tensor.Arange(x.Shape[axis]).Reshape(shape), idx).To(x.DType);
        });
        d["TopK"] = TopK;
        d["CumSum"] = c =>
        {
            var x = c.X(0);
            var axis = (int)c.Axis(OnnxContext.Longs(c.X(1))[0], x.Rank);
            bool exclusive = c.Int("exclusive", 0) != 0, reverse = c.Int("reverse", 0) != 0;
            var v = reverse ? x.Flip(axis) : x;
            var y = v.DType.IsFloating() ? F.Cumsum(v, axis) : F.Cumsum(v.To(DType.F64), axis).To(v.DType);
            if (exclusive) y = F.Sub(y, v);
            return One(reverse ? y.Flip(axis) : y);
        };
    }

    private static Tensor?[] Reduce(OnnxContext c, Func<Tensor, int[], bool, Tensor> f)
    {
        var x = c.X(0);
        var keep = c.Int("keepdims", 1) != 0;
        var axes = AxesOf(c, 1);
        if (axes is null || axes.Length == 0)
        {
            if (c.Int("noop_with_empty_axes", 0) != 0) return One(x);
            axes = [.. Enumerable.Range(0, x.Rank).Select(i => (long)i)];
        }
        var dims = axes.Select(a => (int)c.Axis(a, x.Rank)).Distinct().ToArray();
        var dtype = x.DType;
        var input = dtype.IsFloating() ? x : x.To(DType.F64);
        var y = dims.Length == 0 ? input : f(input, dims, keep);
        return One(dtype.IsFloating() ? y : y.To(dtype));
    }

    private static Tensor?[] ArgExtreme(OnnxContext c, bool max)
    {
        var x = c.X(0);
        var axis = (int)c.Axis(c.Int("axis", 0), x.Rank);
        var keep = c.Int("keepdims", 1) != 0;
        var last = c.Int("select_last_index", 0) != 0;
        var v = last ? x.Flip(axis) : x;
        if (!v.DType.IsFloating()) v = v.To(DType.F64);
        var idx = max ? F.Argmax(v, axis, keep) : F.Argmin(v, axis, keep);
        if (last) idx = F.Sub(Tensor.Scalar(x.Shape[axis] - 1, DType.I64), idx);
        return One(idx);
    }

    private static Tensor?[] SoftmaxFamily(OnnxContext c, Func<Tensor, int, Tensor> f)
    {
        var x = c.X(0);
        if (c.Opset >= 13) return One(f(x, (int)c.Axis(c.Int("axis", -1), x.Rank)));
        var axis = (int)c.Axis(c.Int("axis", 1), x.Rank);
        long outer = 1;
        for (var i = 0; i < axis; i++) outer *= x.Shape[i];
        var flat = x.Reshape((int)outer, (int)(outer == 0 ? 0 : x.Numel / outer));
        return One(f(flat, 1).Reshape(x.Shape.ToArray()));
    }

    private static Tensor?[] TopK(OnnxContext c)
    {
        var x = c.X(0);
        var axis = (int)c.Axis(c.Int("axis", -1), x.Rank);
        var k = c.Opset < 10 ? c.Int("k", 0) : OnnxContext.Longs(c.X(1))[0];
        if (k < 0 || k > x.Shape[axis]) throw new OnnxFormatException($"ONNX: TopK k expected in [0, {x.Shape[axis]}], got {k}.");
        var largest = c.Int("largest", 1) != 0;
        var v = x.DType.IsFloating() ? x : x.To(DType.F64);
        // Stable sort of the negated values keeps equal values in index order for "largest".
        var order = largest ? F.Neg(v).Argsort(axis, descending: false, stable: true) : v.Argsort(axis, descending: false, stable: true);
        var idx = order.Narrow(axis, 0, (int)k).Contiguous();
        var values = F.Gather(x, axis, idx);
        return [values, idx];
    }
}
