using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Reduce;

public class ProdTests
{
    private static Tensor WithZeros(ReduceCase c, int zeros)
    {
        var v = Values.AwayFromZero(c.Shape, c.Seed, DType.F64, 0.5, 1.5).ToDoubleArray();
        var g = new Generator(c.Seed + 3);
        for (var k = 0; k < zeros && v.Length > 0; k++) v[g.NextInt64(v.Length)] = 0;
        return Tensor.FromDoubles(v, c.Shape, DType.F64);
    }

    [ReduceProperty]
    public void Gradients_match_finite_differences(ReduceCase c)
    {
        Verify.Gradients(x => F.Prod(x[0], c.Axes, c.KeepDim), WithZeros(c, 0));
        Verify.Gradients(x => F.Prod(x[0], [c.Dim], c.KeepDim), WithZeros(c, 0));
    }

    [ReduceProperty]
    public void Gradients_are_exact_when_the_input_holds_zeros(ReduceCase c)
    {
        // The product is multilinear, so central differences are exact even at zeros.
        Verify.Gradients(x => F.Prod(x[0], c.Axes, c.KeepDim), WithZeros(c, 1));
        Verify.Gradients(x => F.Prod(x[0], [c.Dim], c.KeepDim), WithZeros(c, 2));
        Verify.Gradients(x => F.Prod(x[0]), WithZeros(c, 3));
    }

    [ReduceProperty]
    public void Cpu_matches_reference(ReduceCase c)
    {
        Verify.SameOnBackends(x => F.Prod(x[0], c.Axes, c.KeepDim), [WithZeros(c, (int)(c.Seed % 3))], 1e-12, 1e-10);
        Verify.SameOnBackends(x => F.Prod(x[0], [c.Dim]), [WithZeros(c, 0).To(DType.F32)], 1e-6, 1e-5);
    }

    [ReduceProperty]
    public void Prod_of_positive_values_is_exp_of_sum_of_logs(ReduceCase c)
    {
        var x = c.Make(DType.F64, 0.5, 1.5);
        Verify.Close(F.Sum(x.Log(), c.Axes, c.KeepDim).Exp(), F.Prod(x, c.Axes, c.KeepDim), 1e-12, 1e-10);
    }

    [Fact]
    public void Known_values_match_torch()
    {
        var x = Tensor.FromDoubles([1.5, -2.0, 3.25, 0.5, 4.0, -1.0], new Shape(2, 3), DType.F64);
        // torch 1.13: x.prod() -> 19.5, x.prod(1) -> [-9.75, -2.0]
        Verify.Values(x.Prod(), new Shape(), [19.5]);
        Verify.Values(x.Prod(1), new Shape(2), [-9.75, -2.0]);
        // torch 1.13: torch.zeros(0).prod() -> 1.
        Verify.Values(Tensor.Zeros(new Shape(0)).Prod(), new Shape(), [1]);
        // torch 1.13: torch.tensor([1, 2, 3], dtype=torch.int32).prod().dtype -> torch.int64
        Assert.Equal(DType.I64, Tensor.From(new[] { 1, 2, 3 }).Prod().DType);
        Assert.Equal(6L, Tensor.From(new[] { 1, 2, 3 }).Prod().Item<long>());
    }

    [Fact]
    public void Zero_gradients_match_torch()
    {
        // torch 1.13: z = torch.tensor([2., 0., 3., 4.]); z.prod().backward() -> z.grad = [0, 24, 0, 0]
        var z = Tensor.From(new[] { 2.0, 0.0, 3.0, 4.0 }).RequiresGrad_();
        z.Prod().Backward();
        Verify.Values(z.Grad!, new Shape(4), [0, 24, 0, 0]);
        // torch 1.13: z = torch.tensor([2., 0., 3., 0.]); z.prod().backward() -> z.grad = [0, 0, 0, 0]
        var w = Tensor.From(new[] { 2.0, 0.0, 3.0, 0.0 }).RequiresGrad_();
        w.Prod().Backward();
        Verify.Values(w.Grad!, new Shape(4), [0, 0, 0, 0]);
    }

    [Fact]
    public void Bad_dims_are_rejected()
    {
        var x = Tensor.Zeros(new Shape(2, 3));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => x.Prod(2));
        Assert.Contains("Prod", ex.Message);
        Assert.Equal("dim", ex.ParamName);
        Assert.Throws<ArgumentException>(() => F.Prod(x, [0, 0]));
    }
}
