using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Reduce;

public class SumTests
{
    private static int[] DimsFor(ShapeCase c) =>
        c.Dims.Length == 0 ? [] : Enumerable.Range(0, c.Dims.Length).Where(i => (c.Seed >> i & 1) == 1).ToArray();

    [TensorProperty]
    public void Gradients_match_finite_differences(ShapeCase c)
    {
        var dims = DimsFor(c);
        var keep = (c.Seed & 16) != 0;
        Verify.Gradients(x => F.Sum(x[0], dims, keep), c.Make());
        Verify.Gradients(x => F.Mean(x[0], dims, keep), c.Make());
    }

    [TensorProperty]
    public void Cpu_matches_reference(ShapeCase c)
    {
        var dims = DimsFor(c);
        Verify.SameOnBackends(x => F.Sum(x[0], dims), [c.Make()], 1e-12, 1e-12);
        Verify.SameOnBackends(x => F.Mean(x[0], dims, true), [c.Make(DType.F32)], 1e-5, 1e-5);
    }

    [Fact]
    public void Known_values_and_shapes()
    {
        var x = Tensor.Arange(0, 6, 1, DType.F32).Reshape(2, 3);
        Verify.Values(x.Sum(), new Shape(), [15]);
        Verify.Values(x.Sum(0), new Shape(3), [3, 5, 7]);
        Verify.Values(x.Sum(1, keepDim: true), new Shape(2, 1), [3, 12]);
        Verify.Values(x.Mean(-1), new Shape(2), [1, 4]);
        Verify.Values(F.Sum(x, [0, 1]), new Shape(), [15]);
    }

    [Fact]
    public void Integer_and_bool_sums_are_int64()
    {
        var b = Tensor.From(new[] { true, false, true });
        Assert.Equal(DType.I64, b.Sum().DType);
        Assert.Equal(2L, b.Sum().Item<long>());
        Assert.Equal(DType.I64, Tensor.From(new[] { 1, 2 }).Sum().DType);
    }

    [Fact]
    public void Empty_dims_sum_to_zero_and_mean_to_nan()
    {
        var x = Tensor.Zeros(new Shape(0, 3));
        Verify.Values(x.Sum(0), new Shape(3), [0, 0, 0]);
        Assert.True(double.IsNaN(x.Mean().Item()));
    }

    [Fact]
    public void Bad_dims_are_rejected()
    {
        var x = Tensor.Zeros(new Shape(2, 3));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => x.Sum(2));
        Assert.Contains("Sum", ex.Message);
        Assert.Throws<ArgumentException>(() => F.Sum(x, [1, -1]));
    }
}
