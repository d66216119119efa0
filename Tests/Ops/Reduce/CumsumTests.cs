using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Reduce;

public class CumsumTests
{
    private static Tensor WithZeros(ReduceCase c, int zeros)
    {
        var v = Values.AwayFromZero(c.Shape, c.Seed, DType.F64, 0.5, 1.5).ToDoubleArray();
        var g = new Generator(c.Seed + 5);
        for (var k = 0; k < zeros && v.Length > 0; k++) v[g.NextInt64(v.Length)] = 0;
        return Tensor.FromDoubles(v, c.Shape, DType.F64);
    }

    [ReduceProperty]
    public void Gradients_match_finite_differences(ReduceCase c)
    {
        Verify.Gradients(x => F.Cumsum(x[0], c.Dim), c.Make());
        Verify.Gradients(x => F.Cumprod(x[0], c.Dim), WithZeros(c, 0));
    }

    [ReduceProperty]
    public void Cumprod_gradients_are_exact_when_the_input_holds_zeros(ReduceCase c)
    {
        // Each output is multilinear in the inputs, so central differences are exact even at zeros.
        Verify.Gradients(x => F.Cumprod(x[0], c.Dim), WithZeros(c, 1));
        Verify.Gradients(x => F.Cumprod(x[0], c.Dim), WithZeros(c, 2 + (int)(c.Seed % 3)));
    }

    [ReduceProperty]
    public void Cpu_matches_reference(ReduceCase c)
    {
        Verify.SameOnBackends(x => F.Cumsum(x[0], c.Dim), [c.Make()], 1e-12, 1e-12);
        Verify.SameOnBackends(x => F.Cumprod(x[0], c.Dim), [WithZeros(c, (int)(c.Seed % 3))], 1e-12, 1e-10);
        Verify.SameOnBackends(x => F.Cumsum(x[0], c.Dim), [c.Make(DType.F32)], 1e-5, 1e-5);
    }

    [ReduceProperty]
    public void Last_entries_are_the_sum_and_product(ReduceCase c)
    {
        var x = WithZeros(c, (int)(c.Seed % 2));
        Assert.Equal(x.Shape, x.Cumsum(c.Dim).Shape);
        var sums = ReduceData.Rows(x.Cumsum(c.Dim), c.Dim).Select(r => r[^1]).ToArray();
        var prods = ReduceData.Rows(x.Cumprod(c.Dim), c.Dim).Select(r => r[^1]).ToArray();
        Verify.Close(F.Sum(x, [c.Dim]).ToDoubleArray(), sums, 1e-12, 1e-12);
        Verify.Close(F.Prod(x, [c.Dim]).ToDoubleArray(), prods, 1e-12, 1e-12);
        // Differences of the running sum give the input back.
        var rows = ReduceData.Rows(x, c.Dim);
        var scanned = ReduceData.Rows(x.Cumsum(c.Dim), c.Dim);
        for (var r = 0; r < rows.Length; r++)
            Verify.Close(rows[r][1..], rows[r].Skip(1).Select((_, j) => scanned[r][j + 1] - scanned[r][j]).ToArray(), 1e-12, 1e-12);
    }

    [Fact]
    public void Known_values_match_torch()
    {
        var x = Tensor.FromDoubles([1.5, -2.0, 3.25, 0.5, 4.0, -1.0], new Shape(2, 3), DType.F64);
        // torch 1.13: x.cumsum(1) ; x.cumprod(0)
        Verify.Values(x.Cumsum(1), new Shape(2, 3), [1.5, -0.5, 2.75, 0.5, 4.5, 3.5], 1e-12);
        Verify.Values(x.Cumprod(0), new Shape(2, 3), [1.5, -2.0, 3.25, 0.75, -8.0, -3.25], 1e-12);
        Verify.Values(x.Cumsum(-2), new Shape(2, 3), [1.5, -2.0, 3.25, 2.0, 2.0, 2.25], 1e-12);
        // torch 1.13: torch.tensor([1, 2, 3], dtype=torch.int32).cumsum(0).dtype -> torch.int64
        var ints = Tensor.From(new[] { 1, 2, 3 }).Cumsum(0);
        Assert.Equal(DType.I64, ints.DType);
        Assert.Equal([1L, 3L, 6L], ints.ToArray<long>());
        Assert.Equal([1L, 2L, 6L], Tensor.From(new[] { 1, 2, 3 }).Cumprod(0).ToArray<long>());
    }

    [Fact]
    public void Gradients_match_torch()
    {
        // torch 1.13: c = torch.tensor([2., .5, 3.]); (c.cumsum(0) * torch.tensor([1., 2., 3.])).sum().backward() -> [6, 5, 3]
        var c = Tensor.From(new[] { 2.0, 0.5, 3.0 }).RequiresGrad_();
        (c.Cumsum(0) * Tensor.From(new[] { 1.0, 2.0, 3.0 })).Sum().Backward();
        Verify.Values(c.Grad!, new Shape(3), [6, 5, 3], 1e-12);
        // torch 1.13: c = torch.tensor([2., 0., 3., 0., 5.]); (c.cumprod(0) * torch.tensor([1., 2., 3., 4., 5.])).sum()
        //             .backward() -> [1, 22, 0, 0, 0]
        foreach (var device in new[] { Device.Cpu, Device.Reference })
        {
            var z = Tensor.FromDoubles([2, 0, 3, 0, 5], new Shape(5), DType.F64, device).RequiresGrad_();
            (z.Cumprod(0) * Tensor.FromDoubles([1, 2, 3, 4, 5], new Shape(5), DType.F64, device)).Sum().Backward();
            Verify.Values(z.Grad!, new Shape(5), [1, 22, 0, 0, 0], 1e-12);
        }
    }

    [Fact]
    public void Bad_dims_are_rejected()
    {
        var x = Tensor.Zeros(new Shape(2, 3));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => x.Cumsum(2));
        Assert.Contains("Cumsum", ex.Message);
        Assert.Equal("dim", ex.ParamName);
        Assert.Contains("Cumprod", Assert.Throws<ArgumentOutOfRangeException>(() => x.Cumprod(-3)).Message);
    }

    [Fact]
    public void Empty_and_scalar_inputs_scan_trivially()
    {
        Assert.Equal(new Shape(0, 3), Tensor.Zeros(new Shape(0, 3)).Cumsum(0).Shape);
        Assert.Equal(new Shape(0, 3), Tensor.Zeros(new Shape(0, 3)).Cumprod(1).Shape);
        Verify.Values(Tensor.Scalar(4, DType.F64).Cumsum(0), new Shape(), [4]);
    }
}
