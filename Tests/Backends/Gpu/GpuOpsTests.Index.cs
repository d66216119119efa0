using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Backends.Gpu;

public abstract partial class GpuOpsTests
{
    /// <summary>An int64 tensor of <paramref name="dims"/> with values in [lo, size).</summary>
    private static Tensor RandomIndex(Random r, int[] dims, int size, int lo = 0)
    {
        var n = dims.Aggregate(1, (a, b) => a * b);
        return Tensor.From(Enumerable.Range(0, n).Select(_ => (long)r.Next(lo, size)).ToArray(), new Shape(dims));
    }

    /// <summary>A Bool tensor of <paramref name="dims"/>, about half true.</summary>
    private static Tensor RandomMask(Random r, int[] dims)
    {
        var n = dims.Aggregate(1, (a, b) => a * b);
        return Tensor.From(Enumerable.Range(0, n).Select(_ => r.Next(2) == 1).ToArray(), new Shape(dims));
    }

    [GpuFact]
    public void GatherScatterAndScatterAddMatchReference()
    {
        var r = new Random(61);
        for (var c = 0; c < Cases; c++)
        {
            var dtype = Floats[c % 2];
            var (atol, rtol) = Tol(dtype);
            var dims = RandomDims(r);
            var d = r.Next(dims.Length);
            // Index sizes: at most the input's outside d, anything along d (repeats make duplicate targets).
            var idims = dims.Select((s, k) => k == d ? r.Next(1, 5) : r.Next(1, s + 1)).ToArray();
            var index = RandomIndex(r, idims, dims[d]);
            var x = Values.Uniform(new Shape(dims), (ulong)c, dtype, -2, 2);
            var what = $"case {c} x {x.Shape} dim {d} index {index.Shape} {dtype}";
            SameWithGrads(t => F.Gather(t[0], d, index.To(t[0].Device)), [x], atol, rtol, "gather " + what);
            // Scatter needs index sizes ≤ self's along d too; src may be larger than index.
            var sdims = idims.Select((s, k) => k == d ? Math.Min(s, dims[d]) : s).ToArray();
            var sindex = RandomIndex(r, sdims, dims[d]);
            var src = Values.Uniform(new Shape(sdims.Select(s => s + r.Next(2)).ToArray()), (ulong)c + 100, dtype, -2,
                2);
            SameWithGrads(t => F.Scatter(t[0], d, sindex.To(t[0].Device), t[1]), [x, src], atol, rtol,
                "scatter " + what);
            SameWithGrads(t => F.ScatterAdd(t[0], d, sindex.To(t[0].Device), t[1]), [x, src], atol, rtol,
                "scatter_add " + what);
        }
    }

    [GpuFact]
    public void ScatterWithDuplicateTargetsKeepsTheLastWriteAsTheHostDoes()
    {
        // Every source element of a row targets column 1, so only the last one may remain.
        var x = Tensor.Zeros(new Shape(2, 3), DType.F32);
        var index = Tensor.From(new long[] { 1, 1, 1, 1, 1, 1, 1, 1 }, new Shape(2, 4));
        var src = Tensor.FromDoubles([1, 2, 3, 4, 5, 6, 7, 8], new Shape(2, 4), DType.F32);
        var y = F.Scatter(x.To(Device), 1, index.To(Device), src.To(Device));
        Assert.Equal([0, 4, 0, 0, 8, 0], y.ToDoubleArray());
        Assert.Equal(F.Scatter(x, 1, index, src).ToDoubleArray(), y.ToDoubleArray());
    }

    [GpuFact]
    public void IndexSelectAndIndexAddMatchReference()
    {
        var r = new Random(62);
        for (var c = 0; c < Cases; c++)
        {
            var dtype = Floats[c % 2];
            var (atol, rtol) = Tol(dtype);
            var dims = RandomDims(r);
            var d = r.Next(dims.Length);
            var index = RandomIndex(r, [r.Next(0, 6)], dims[d]);
            var x = Values.Uniform(new Shape(dims), (ulong)c, dtype, -2, 2);
            var what = $"case {c} x {x.Shape} dim {d} index {index.Shape} {dtype}";
            SameWithGrads(t => F.IndexSelect(t[0], d, index.To(t[0].Device)), [x], atol, rtol, "index_select " + what);
            var sdims = (int[])dims.Clone();
            sdims[d] = (int)index.Numel;
            var source = Values.Uniform(new Shape(sdims), (ulong)c + 200, dtype, -2, 2);
            SameWithGrads(t => F.IndexAdd(t[0], d, index.To(t[0].Device), t[1], 0.5), [x, source], atol, rtol,
                "index_add " + what);
        }
    }

    [GpuFact]
    public void WhereMaskedFillAndMaskedSelectMatchReference()
    {
        var r = new Random(63);
        for (var c = 0; c < Cases; c++)
        {
            var dtype = Floats[c % 2];
            var (atol, rtol) = Tol(dtype);
            var dims = RandomDims(r);
            // The mask broadcasts: some of its dims are 1.
            var mdims = dims.Select(s => r.Next(3) == 0 ? 1 : s).ToArray();
            var mask = RandomMask(r, mdims);
            var a = Values.Uniform(new Shape(dims), (ulong)c, dtype, -2, 2);
            var b = Values.Uniform(new Shape(mdims), (ulong)c + 300, dtype, -2, 2);
            var what = $"case {c} x {a.Shape} mask {mask.Shape} {dtype}";
            SameWithGrads(t => F.Where(mask.To(t[0].Device), t[0], t[1]), [a, b], atol, rtol, "where " + what);
            SameWithGrads(t => F.MaskedFill(t[0], mask.To(t[0].Device), -7), [a], atol, rtol, "masked_fill " + what);
            SameWithGrads(t => F.MaskedSelect(t[0], mask.To(t[0].Device)), [a], atol, rtol, "masked_select " + what);
            Same(t => F.Nonzero(t[0]), [mask.To(DType.F32)], 0, 0, "nonzero " + what);
        }
    }

    [GpuFact]
    public void FlipPadAndRepeatMatchReference()
    {
        var r = new Random(64);
        for (var c = 0; c < Cases; c++)
        {
            var dtype = Floats[c % 2];
            var (atol, rtol) = Tol(dtype);
            var dims = RandomDims(r);
            var x = Values.Uniform(new Shape(dims), (ulong)c, dtype, -2, 2);
            var d = r.Next(dims.Length);
            var what = $"case {c} x {x.Shape} {dtype}";
            SameWithGrads(t => F.Flip(t[0], d), [x], atol, rtol, $"flip {d} " + what);
            var last = dims[^1];
            int p0 = r.Next(0, last), p1 = r.Next(0, last);
            var mode = dims.Length > 1 ? (PadMode)(c % 3) : PadMode.Constant; // reflect/replicate need a batch dim
            SameWithGrads(t => F.Pad(t[0], [p0, p1], mode, 1.5), [x], atol, rtol, $"pad {mode} {p0},{p1} " + what);
            var reps = dims.Select(_ => r.Next(1, 3)).ToArray();
            SameWithGrads(t => F.Repeat(t[0], reps), [x], atol, rtol, "repeat " + what);
        }
    }

    [GpuFact]
    public void AdvancedIndexingGetAndSetMatchReference()
    {
        var r = new Random(65);
        for (var c = 0; c < Cases; c++)
        {
            var dtype = Floats[c % 2];
            var (atol, rtol) = Tol(dtype);
            var dims = RandomDims(r);
            var x = Values.Uniform(new Shape(dims), (ulong)c, dtype, -2, 2);
            var index = RandomIndex(r, [2, r.Next(1, 3)], dims[0], -dims[0]); // negative values count from the end
            var mask = RandomMask(r, [dims[0]]);
            var what = $"case {c} x {x.Shape} index {index.Shape} {dtype}";
            SameWithGrads(t => t[0][index.To(t[0].Device)], [x], atol, rtol, "x[index] " + what);
            var lastMask = RandomMask(r, [dims[^1]]);
            SameWithGrads(t => t[0][TensorIndex.Ellipsis, lastMask.To(t[0].Device)], [x], atol, rtol,
                "x[..., mask] " + what);
            SameWithGrads(t => t[0][mask.To(t[0].Device)], [x], atol, rtol, "x[mask] " + what);
            // Broadcast along the indexed shape [2, k, dims[1..]]: one value per position of its last dim.
            var value = Values.Uniform(new Shape(dims.Length > 1 ? dims[^1] : index.Shape[1]), (ulong)c + 400, dtype,
                -2, 2);
            Same(t =>
            {
                var y = t[0].CopyData();
                y[index.To(y.Device)] = t[1];
                return y;
            }, [x, value], atol, rtol, "x[index] = v " + what);
            // A non-contiguous destination goes through a staged copy.
            Same(t =>
            {
                var y = t[0].CopyData().Reshape(-1, dims[^1]);
                var view = y.Transpose(0, 1);
                view[0] = t[1].Reshape(-1)[0];
                return y;
            }, [x, value], atol, rtol, "strided set " + what);
        }
    }

    [GpuFact]
    public void IndexOpsOnIntegerAndBoolTensorsMatchReference()
    {
        var r = new Random(66);
        foreach (var dtype in new[] { DType.I32, DType.I64, DType.U8, DType.Bool })
        {
            var x = Values.Uniform(new Shape(3, 4), 5, DType.F64, 0, 3).To(dtype);
            var index = RandomIndex(r, [3, 5], 4);
            var src = Values.Uniform(new Shape(3, 5), 6, DType.F64, 0, 200).To(dtype);
            Same(t => F.Gather(t[0], 1, index.To(t[0].Device)), [x], 0, 0, $"gather {dtype}");
            Same(t => F.Scatter(t[0], 1, index.To(t[0].Device), t[1]), [x, src], 0, 0, $"scatter {dtype}");
            Same(t => F.ScatterAdd(t[0], 1, index.To(t[0].Device), t[1]), [x, src], 0, 0, $"scatter_add {dtype}");
            Same(t => F.Flip(t[0], 0, 1), [x], 0, 0, $"flip {dtype}");
            Same(t => F.Where(t[1].To(DType.Bool), t[0], t[0].Flip(1)), [x, src.Narrow(1, 0, 4)], 0, 0,
                $"where {dtype}");
        }
    }

    [GpuFact]
    public void InPlaceIndexOpsMatchReference()
    {
        var x = Values.Uniform(new Shape(3, 4), 7, DType.F32, -1, 1);
        var src = Values.Uniform(new Shape(3, 4), 8, DType.F32, -1, 1);
        var index = Tensor.From(new long[] { 0, 2, 2, 1, 3, 0, 1, 1, 2, 0, 3, 3 }, new Shape(3, 4));
        var rows = Tensor.From(new long[] { 2, 0, 2 });
        Same(t => t[0].CopyData().Scatter_(1, index.To(t[0].Device), t[1]), [x, src], 1e-6, 1e-5, "scatter_");
        Same(t => t[0].CopyData().ScatterAdd_(1, index.To(t[0].Device), t[1]), [x, src], 1e-6, 1e-5, "scatter_add_");
        Same(t => t[0].CopyData().IndexAdd_(0, rows.To(t[0].Device), t[1], 2), [x, src], 1e-6, 1e-5, "index_add_");
    }

    [GpuFact]
    public void OutOfRangeDeviceIndexThrowsNamingTheArgument()
    {
        var x = Tensor.Zeros(new Shape(2, 3), DType.F32, Device);
        var high = Tensor.From(new long[] { 0, 3 }, new Shape(1, 2)).To(Device);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => F.Gather(x, 1, high));
        Assert.Equal("index", e.ParamName);
        Assert.Contains("value 3", e.Message);
        var negative = Tensor.From(new long[] { -1 }).To(Device);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => F.IndexSelect(x, 0, negative));
        Assert.Equal("index", e.ParamName);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => x[Tensor.From(new long[] { -3 }).To(Device)]);
        Assert.Equal("index", e.ParamName);
        var floats = Tensor.Zeros(new Shape(1, 2), DType.F32, Device);
        Assert.Throws<DTypeMismatchException>(() => F.Gather(x, 1, floats));
        var matrix = Tensor.Zeros(new Shape(1, 1), DType.I64, Device);
        Assert.Throws<ShapeMismatchException>(() => F.IndexSelect(x, 0, matrix));
    }
}
