using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Reduce;

public class MaxTests
{
    [ReduceProperty]
    public void Gradients_match_finite_differences(ReduceCase c)
    {
        Verify.Gradients(x => F.Max(x[0]), c.Distinct());
        Verify.Gradients(x => F.Min(x[0]), c.Distinct());
        Verify.Gradients(x => F.Amax(x[0], c.Axes, c.KeepDim), c.Distinct());
        Verify.Gradients(x => F.Amin(x[0], c.Axes, c.KeepDim), c.Distinct());
        Verify.Gradients(x => F.Max(x[0], c.Dim, c.KeepDim).Values, c.Distinct());
        Verify.Gradients(x => F.Min(x[0], c.Dim, c.KeepDim).Values, c.Distinct());
    }

    [ReduceProperty]
    public void Cpu_matches_reference(ReduceCase c)
    {
        Verify.SameOnBackends(x => F.Amax(x[0], c.Axes, c.KeepDim), [c.Make(DType.F32)], 0, 0);
        Verify.SameOnBackends(x => F.Amin(x[0], c.Axes, c.KeepDim), [c.Make()], 0, 0);
        Verify.SameOnBackends(x => F.Max(x[0], c.Dim, c.KeepDim).Values, [c.Make(DType.F32)], 0, 0);
        Verify.SameOnBackends(x => F.Min(x[0], c.Dim, c.KeepDim).Indices, [c.Make()], 0, 0);
        // Ties (values rounded to a few levels): both backends pick the first extreme and split amax gradients alike.
        Verify.SameOnBackends(x => F.Max(x[0], c.Dim).Indices, [c.Make(DType.F64, 0, 3).To(DType.I64)], 0, 0);
        Verify.SameOnBackends(x => F.Amax(x[0], c.Axes), [c.Make(DType.F64, 0, 3).To(DType.I64).To(DType.F64)], 1e-12, 1e-12);
    }

    [ReduceProperty]
    public void Max_bounds_every_element_and_indices_point_at_it(ReduceCase c)
    {
        var x = c.Make();
        var all = x.ToDoubleArray();
        Assert.Equal(all.Max(), x.Max().Item());
        Assert.Equal(all.Min(), x.Min().Item());
        Assert.Equal(-x.Max().Item(), (-x).Min().Item());
        var (values, indices) = x.Max(c.Dim, c.KeepDim);
        var (minValues, minIndices) = x.Min(c.Dim);
        Verify.Close(x.Amax(c.Dim, c.KeepDim), values, 0, 0);
        var rows = ReduceData.Rows(x, c.Dim);
        var (v, i, mv, mi) = (values.ToDoubleArray(), indices.ToArray<long>(), minValues.ToDoubleArray(), minIndices.ToArray<long>());
        Assert.Equal(rows.Length, v.Length);
        for (var r = 0; r < rows.Length; r++)
        {
            Assert.All(rows[r], e => Assert.True(e <= v[r]));
            Assert.Equal(v[r], rows[r][i[r]]);
            Assert.All(rows[r], e => Assert.True(e >= mv[r]));
            Assert.Equal(mv[r], rows[r][mi[r]]);
        }
    }

    [ReduceProperty]
    public void Amax_over_all_dims_equals_max(ReduceCase c)
    {
        var x = c.Make();
        Assert.Equal(x.Max().Item(), x.Amax().Item());
        Assert.Equal(x.Max().Item(), x.Amax(c.Axes).Amax().Item());
        Assert.Equal(x.Min().Item(), x.Amin(c.Axes, c.KeepDim).Amin().Item());
    }

    [Fact]
    public void Known_values_match_torch()
    {
        var x = Tensor.FromDoubles([1.5, -2.0, 3.25, 0.5, 4.0, -1.0], new Shape(2, 3), DType.F64);
        // torch 1.13: torch.max(x) ; torch.max(x, 1) ; torch.min(x, 0, keepdim=True)
        Verify.Values(x.Max(), new Shape(), [4]);
        var (v, i) = x.Max(1);
        Verify.Values(v, new Shape(2), [3.25, 4.0]);
        Assert.Equal([2L, 1L], i.ToArray<long>());
        var (mv, mi) = x.Min(0, keepDim: true);
        Verify.Values(mv, new Shape(1, 3), [0.5, -2.0, -1.0]);
        Assert.Equal(new Shape(1, 3), mi.Shape);
        Assert.Equal([1L, 0L, 1L], mi.ToArray<long>());
        // torch 1.13: torch.amax(x, 0), torch.amin(x, (0, 1))
        Verify.Values(x.Amax(0), new Shape(3), [1.5, 4.0, 3.25]);
        Verify.Values(F.Amin(x, [0, 1]), new Shape(), [-2]);
    }

    [Fact]
    public void Tie_gradients_match_torch()
    {
        // torch 1.13: t = torch.tensor([1., 3., 3.]); t.max().backward() -> t.grad = [0, 0.5, 0.5]
        var t = Tensor.From(new[] { 1f, 3f, 3f }).RequiresGrad_();
        t.Max().Backward();
        Verify.Values(t.Grad!, new Shape(3), [0, 0.5, 0.5]);
        // torch 1.13: torch.amax(t[None], 1).backward() -> [[0, 0.5, 0.5]]
        var u = Tensor.From(new[] { 1f, 3f, 3f }, new Shape(1, 3)).RequiresGrad_();
        u.Amax(1).Sum().Backward();
        Verify.Values(u.Grad!, new Shape(1, 3), [0, 0.5, 0.5]);
        // torch 1.13: torch.max(t[None], 1) -> indices [1]; its values' gradient is [[0, 1, 0]]
        var w = Tensor.From(new[] { 1f, 3f, 3f }, new Shape(1, 3)).RequiresGrad_();
        var (values, indices) = w.Max(1);
        Assert.Equal([1L], indices.ToArray<long>());
        values.Sum().Backward();
        Verify.Values(w.Grad!, new Shape(1, 3), [0, 1, 0]);
    }

    [Fact]
    public void Nan_propagates_like_torch()
    {
        // torch 1.13: n = torch.tensor([1., nan, 3.]); n.max() -> nan, torch.max(n, 0) -> (nan, 1), n.min() -> nan
        foreach (var device in new[] { Device.Cpu, Device.Reference })
        {
            var n = Tensor.From(new[] { 1f, float.NaN, 3f }).To(device);
            Assert.True(double.IsNaN(n.Max().Item()));
            Assert.True(double.IsNaN(n.Min().Item()));
            Assert.True(double.IsNaN(n.Amax(0).Item()));
            var (v, i) = n.Max(0);
            Assert.True(double.IsNaN(v.Item()));
            Assert.Equal(1L, i.Item<long>());
            Assert.True(double.IsNaN(n.Min(0).Values.Item()));
            // torch 1.13: t = torch.tensor([1., nan, 3.]); t.max().backward() -> [0, 1, 0]; same for torch.max(t, 0)[0]
            var t = n.Detach().Clone().RequiresGrad_();
            t.Max().Backward();
            Verify.Values(t.Grad!, new Shape(3), [0, 1, 0]);
            var u = n.Detach().Clone().RequiresGrad_();
            u.Max(0).Values.Backward();
            Verify.Values(u.Grad!, new Shape(3), [0, 1, 0]);
        }
    }

    [Fact]
    public void Integer_inputs_keep_their_dtype()
    {
        var x = Tensor.From(new[] { 3, -7, 5 });
        Assert.Equal(DType.I32, x.Max().DType);
        Assert.Equal(5, x.Max().Item<int>());
        Assert.Equal(-7, x.Min().Item<int>());
        Assert.Equal(1L, x.Min(0).Indices.Item<long>());
    }

    [Fact]
    public void Scalars_reduce_to_themselves()
    {
        var s = Tensor.Scalar(2.5, DType.F64).RequiresGrad_();
        var (v, i) = s.Max(0);
        Assert.Equal(new Shape(), v.Shape);
        Assert.Equal(0L, i.Item<long>());
        v.Backward();
        Assert.Equal(1.0, s.Grad!.Item());
    }

    [Fact]
    public void Bad_input_is_rejected_with_clear_messages()
    {
        var x = Tensor.Zeros(new Shape(2, 3));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => x.Max(2));
        Assert.Contains("Max", ex.Message);
        Assert.Equal("dim", ex.ParamName);
        Assert.Contains("Amin", Assert.Throws<ArgumentOutOfRangeException>(() => x.Amin([0, -3])).Message);
        var empty = Tensor.Zeros(new Shape(0, 3));
        // torch 1.13: torch.zeros(0, 3).max() / .max(0) raise; .max(1) gives empty results
        var all = Assert.Throws<ArgumentException>(() => empty.Max());
        Assert.Contains("Max", all.Message);
        var along = Assert.Throws<ArgumentException>(() => empty.Max(0));
        Assert.Contains("dim 0", along.Message);
        Assert.Contains("non-zero size", along.Message);
        Assert.Throws<ArgumentException>(() => empty.Amin(0));
        Assert.Equal(new Shape(0), empty.Max(1).Values.Shape);
    }
}
