using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Backends.Gpu;

public abstract partial class GpuOpsTests
{
    /// <summary>Values with many ties; floats also get −0, ±∞ and NaN.</summary>
    private static Tensor TiedValues(Random r, int[] dims, DType dtype)
    {
        var n = dims.Aggregate(1, (a, b) => a * b);
        double[] specials = [-0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.5, -1.5];
        var v = Enumerable.Range(0, n).Select(_ => dtype.IsFloating() && r.Next(4) == 0
            ? specials[r.Next(specials.Length)]
            : r.Next(dtype == DType.Bool ? 2 : 4) - (dtype is DType.U8 or DType.Bool ? 0 : 2)).ToArray();
        return Tensor.FromDoubles(v, new Shape(dims), dtype);
    }

    /// <summary>Runs a values-and-indices op on Reference and on the device; values must match within the
    /// tolerance (NaN = NaN) and indices exactly.</summary>
    private void SameRanked(Func<Tensor, (Tensor Values, Tensor Indices)> f, Tensor x, string what)
    {
        var (ev, ei) = f(x.To(Device.Reference));
        var (av, ai) = f(x.To(Device));
        Assert.Equal(Device, av.Device);
        Assert.Equal(Device, ai.Device);
        Assert.Equal(DType.I64, ai.DType);
        Verify.Close(ev.To(Device.Cpu), av.To(Device.Cpu), 0, 0, what + " values");
        Assert.Equal(ei.Shape, ai.Shape);
        Assert.True(ei.ToArray<long>().SequenceEqual(ai.ToArray<long>()),
            $"{what} indices: expected [{string.Join(", ", ei.ToArray<long>())}], got " +
            $"[{string.Join(", ", ai.ToArray<long>())}] for x = [{string.Join(", ", x.ToDoubleArray())}]");
    }

    [GpuFact]
    public void SortTopKAndKthValueMatchReferenceExactlyWithTiesNaNAndSignedZeros()
    {
        var r = new Random(71);
        DType[] dtypes = [DType.F32, DType.F64, DType.I32, DType.I64, DType.U8, DType.Bool];
        for (var c = 0; c < Cases; c++)
        {
            var dtype = dtypes[c % dtypes.Length];
            var dims = RandomDims(r);
            // A long row now and then: padding to 64 and strided loops.
            if (c % 7 == 3) dims = [2, 33 + c];
            var dim = r.Next(dims.Length);
            var x = TiedValues(r, dims, dtype);
            var len = dims[dim];
            var k = r.Next(0, len + 1);
            var what = $"case {c} x {x.Shape} dim {dim} {dtype}";
            SameRanked(t => F.Sort(t, dim), x, "sort " + what);
            SameRanked(t => F.Sort(t, dim, descending: true), x, "sort descending " + what);
            SameRanked(t => F.TopK(t, k, dim), x, $"topk {k} " + what);
            SameRanked(t => F.TopK(t, k, dim, largest: false), x, $"topk smallest {k} " + what);
            SameRanked(t => F.KthValue(t, Math.Max(k, 1), dim, keepDim: c % 2 == 0), x, $"kthvalue {k} " + what);
            Same(t => F.Argsort(t[0], dim, descending: c % 2 == 1), [x], 0, 0, "argsort " + what);
        }
    }

    [GpuFact]
    public void RadixSortedLanesMatchReferenceExactly()
    {
        // Single lanes of F32/I32/U8/Bool at least RadixSortMinLength long take ILGPU.Algorithms' radix sort of
        // packed (key, position) values. Each radix sort costs seconds on the CPU accelerator, so a few cases: the
        // threshold lowered for short lanes, and one lane of 5000 at the default threshold.
        var gpu = Scratch.Backends.Gpu.GpuRuntime.BackendFor(Device);
        var r = new Random(73);
        lock (gpu)
        {
            var old = gpu.RadixSortMinLength;
            gpu.RadixSortMinLength = 1;
            try
            {
                SameRanked(t => F.Sort(t, 0, descending: true), TiedValues(r, [300], DType.F32), "radix sort desc F32");
                SameRanked(t => F.TopK(t, 9, 0, largest: false), TiedValues(r, [37], DType.I32), "radix topk I32");
                SameRanked(t => F.Sort(t, 0), TiedValues(r, [40], DType.Bool), "radix sort Bool");
            }
            finally
            {
                gpu.RadixSortMinLength = old;
            }
        }
        Assert.True(5000 >= gpu.RadixSortMinLength);
        SameRanked(t => F.Sort(t, 0), TiedValues(r, [5000], DType.U8), "radix sort of 5000 bytes");
    }

    [GpuFact]
    public void SortOfStridedViewsAndScalarsMatchReference()
    {
        var x = Values.Uniform(new Shape(3, 5), 72, DType.F32, -1, 1);
        SameRanked(t => F.Sort(t.Transpose(0, 1), 1), x, "sort of a transposed view");
        SameRanked(t => F.TopK(t.Expand(2, 3, 5), 2, 1), x, "topk of an expanded view");
        SameRanked(t => F.Sort(t.Sum()), x, "sort of a scalar");
        SameRanked(t => F.TopK(t.Narrow(1, 0, 0), 0, 1), x, "topk of an empty dim");
    }

    [GpuFact]
    public void SortAndTopKGradientsMatchReference()
    {
        var r = new Random(73);
        for (var c = 0; c < Cases; c++)
        {
            var dtype = Floats[c % 2];
            var (atol, rtol) = Tol(dtype);
            var dims = RandomDims(r);
            var dim = r.Next(dims.Length);
            var x = Values.Uniform(new Shape(dims), (ulong)c, dtype, -2, 2);
            var k = r.Next(0, dims[dim] + 1);
            var what = $"case {c} x {x.Shape} dim {dim} {dtype}";
            SameWithGrads(t => F.Sort(t[0], dim, descending: c % 2 == 0).Values, [x], atol, rtol, "sort " + what);
            SameWithGrads(t => F.TopK(t[0], k, dim, largest: c % 3 != 0).Values, [x], atol, rtol, "topk " + what);
            SameWithGrads(t => F.KthValue(t[0], Math.Max(k, 1), dim).Values, [x], atol, rtol, "kthvalue " + what);
        }
    }

    [GpuFact]
    public void SortIsStableAndTopKMatchesTorch()
    {
        // torch 1.13: torch.sort(torch.tensor([3.,1.,2.,1.,3.,float('nan'),-0.0,0.0,-float('inf')]), stable=True)
        var x = Tensor.FromDoubles([3, 1, 2, 1, 3, double.NaN, -0.0, 0.0, double.NegativeInfinity], new Shape(9),
            DType.F32).To(Device);
        var (v, i) = F.Sort(x);
        Verify.Close([double.NegativeInfinity, -0.0, 0, 1, 1, 2, 3, 3, double.NaN], v.ToDoubleArray(), 0, 0, "values");
        Assert.Equal([8L, 6, 7, 1, 3, 2, 0, 4, 5], i.ToArray<long>());
        // torch 1.13: torch.sort(..., descending=True, stable=True)
        (v, i) = F.Sort(x, descending: true);
        Verify.Close([double.NaN, 3, 3, 2, 1, 1, -0.0, 0, double.NegativeInfinity], v.ToDoubleArray(), 0, 0, "desc");
        Assert.Equal([5L, 0, 4, 2, 1, 3, 6, 7, 8], i.ToArray<long>());
        // torch 1.13: torch.topk(torch.tensor([[0.5,-1.0,2.0,0.25],[3.0,-2.0,1.0,4.0]]), 2, dim=1)
        var y = Tensor.FromDoubles([0.5, -1, 2, 0.25, 3, -2, 1, 4], new Shape(2, 4), DType.F64).To(Device);
        (v, i) = F.TopK(y, 2, 1);
        Assert.Equal([2.0, 0.5, 4, 3], v.ToDoubleArray());
        Assert.Equal([2L, 0, 3, 0], i.ToArray<long>());
        // torch 1.13: torch.topk(y, 1, dim=0, largest=False)
        (v, i) = F.TopK(y, 1, 0, largest: false);
        Assert.Equal([0.5, -2, 1, 0.25], v.ToDoubleArray());
        Assert.Equal([0L, 1, 1, 0], i.ToArray<long>());
        // torch 1.13: torch.kthvalue(y, 3, dim=1)
        (v, i) = F.KthValue(y, 3, 1);
        Assert.Equal([0.5, 3], v.ToDoubleArray());
        Assert.Equal([0L, 0], i.ToArray<long>());
    }

    [GpuFact]
    public void TopKOutOfRangeThrowsNamingK()
    {
        var x = Tensor.Zeros(new Shape(2, 3), DType.F32, Device);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => F.TopK(x, 4, 1));
        Assert.Equal("k", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => F.KthValue(x, 0, 1));
    }
}
