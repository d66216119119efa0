using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Core;

public class TensorTests
{
    [Fact]
    public void Creation_functions_fill_as_documented()
    {
        Verify.Values(Tensor.Zeros(new Shape(2, 2)), new Shape(2, 2), [0, 0, 0, 0]);
        Verify.Values(Tensor.Full(new Shape(3), 2.5), new Shape(3), [2.5, 2.5, 2.5]);
        Verify.Values(Tensor.Arange(0, 1, 0.25, DType.F64), new Shape(4), [0, 0.25, 0.5, 0.75]);
        Verify.Values(Tensor.Linspace(-1, 1, 5), new Shape(5), [-1, -0.5, 0, 0.5, 1]);
        Verify.Values(Tensor.Eye(2, 3), new Shape(2, 3), [1, 0, 0, 0, 1, 0]);
        Assert.Equal(DType.I64, Tensor.Arange(5).DType);
    }

    [Fact]
    public void Random_creation_is_reproducible_from_the_seed()
    {
        var a = Tensor.Randn(new Shape(100), new Generator(42));
        var b = Tensor.Randn(new Shape(100), new Generator(42));
        Assert.Equal(a.ToArray<float>(), b.ToArray<float>());
        var p = Tensor.Randperm(50, new Generator(1)).ToArray<long>();
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), p.Order());
        var r = Tensor.Randint(3, 7, new Shape(1000), new Generator(2)).ToArray<long>();
        Assert.All(r, v => Assert.InRange(v, 3, 6));
        var u = Tensor.Rand(new Shape(10000), new Generator(3)).ToArray<float>();
        Assert.InRange(u.Average(), 0.48, 0.52);
        var n = Tensor.Randn(new Shape(10000), new Generator(4)).ToDoubleArray();
        Assert.InRange(n.Average(), -0.05, 0.05);
        Assert.InRange(n.Select(v => v * v).Average(), 0.95, 1.05);
    }

    [TensorProperty]
    public void Reshape_and_permute_round_trip(ShapeCase c)
    {
        var x = c.Make();
        var flat = x.Reshape(-1);
        Verify.Close(x, flat.Reshape(c.Dims));
        var perm = Enumerable.Range(0, x.Rank).Reverse().ToArray();
        Verify.Close(x, x.Permute(perm).Permute(perm));
        Verify.Close(x, x.Permute(perm).Contiguous().Permute(perm));
    }

    [TensorProperty]
    public void Views_read_the_same_elements_on_both_backends(ViewCase v)
    {
        var x = v.Make();
        Assert.Equal(x.ToDoubleArray(), x.To(Device.Reference).Contiguous().ToDoubleArray());
        Verify.SameOnBackends(t => t[0].Contiguous() * 2, [x]);
    }

    [Fact]
    public void Dtype_conversion_truncates_like_pytorch()
    {
        var x = Tensor.From(new[] { -1.7, -0.2, 0.0, 2.9 });
        Assert.Equal([-1L, 0L, 0L, 2L], x.To(DType.I64).ToArray<long>());
        Assert.Equal([true, true, false, true], x.To(DType.Bool).ToArray<bool>());
        Assert.Equal([1.0, 0.0], Tensor.From(new[] { true, false }).To(DType.F64).ToArray<double>());
    }

    [Fact]
    public void Bad_shapes_and_element_types_are_reported()
    {
        var ex = Assert.Throws<ShapeMismatchException>(() => Tensor.From(new float[5], new Shape(2, 3)));
        Assert.Contains("5", ex.Message);
        Assert.Throws<ShapeMismatchException>(() => Tensor.Zeros(new Shape(6)).Reshape(4, -1));
        Assert.Throws<ShapeMismatchException>(() => Tensor.Zeros(new Shape(6)).Reshape(-1, -1));
        Assert.Throws<ArgumentException>(() => new Shape(2, -1));
        Assert.Throws<DTypeMismatchException>(() => Tensor.Zeros(new Shape(2)).ToArray<double>());
        Assert.Throws<ShapeMismatchException>(() => Tensor.Zeros(new Shape(2, 3)).Permute(1, 1));
        Assert.Throws<ShapeMismatchException>(() => Tensor.Zeros(new Shape(2, 3)).T.View(6));
    }

    [Fact]
    public void Formatting_shows_values_shape_and_dtype()
    {
        var s = Tensor.From(new float[] { 1, 2, 3, 4 }, new Shape(2, 2)).ToString();
        Assert.Equal("tensor([[1, 2], [3, 4]], shape=[2, 2], dtype=float32)", s);
    }
}
