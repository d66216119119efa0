using Scratch.NN;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.NN;

public class LinearTests
{
    [TensorProperty]
    public void Gradients_match_finite_differences(ShapeCase c)
    {
        var batch = c.Dims.Take(2).Select(d => Math.Max(d, 1)).ToArray();
        var x = Values.Uniform(new Shape([.. batch, 3]), c.Seed, DType.F64, -1, 1);
        var w = Values.Uniform(new Shape(4, 3), c.Seed + 1, DType.F64, -1, 1);
        var b = Values.Uniform(new Shape(4), c.Seed + 2, DType.F64, -1, 1);
        Verify.Gradients(t => F.Linear(t[0], t[1], t[2]), x, w, b);
        Verify.SameOnBackends(t => F.Linear(t[0], t[1], t[2]), [x, w, b]);
    }

    [Fact]
    public void Layer_has_pytorch_keys_and_init_bounds()
    {
        var l = new Linear(16, 4, generator: new Generator(1));
        Assert.Equal(["weight", "bias"], l.NamedParameters().Select(p => p.Name));
        Assert.All(l.Weight.ToArray<float>(), v => Assert.InRange(v, -0.25f, 0.25f));
        var y = l.Forward(Tensor.Ones(new Shape(2, 16)));
        Assert.Equal(new Shape(2, 4), y.Shape);
        Assert.DoesNotContain(new Linear(3, 2, bias: false).NamedParameters(), p => p.Name == "bias");
    }

    [Fact]
    public void Wrong_input_width_is_reported()
    {
        var ex = Assert.Throws<ShapeMismatchException>(() => new Linear(3, 2).Forward(Tensor.Zeros(new Shape(5, 4))));
        Assert.Contains("[..., 3]", ex.Message);
    }
}
