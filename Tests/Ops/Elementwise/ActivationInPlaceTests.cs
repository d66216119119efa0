using Scratch.Autograd;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Elementwise;

public class ActivationInPlaceTests
{
    [TensorProperty]
    public void In_place_results_equal_out_of_place_results(ShapeCase c)
    {
        foreach (var device in new[] { Device.Cpu, Device.Reference })
        {
            var x = c.Make(device: device);
            var clamped = x.Clone();
            var ver = clamped.Storage.Version;
            Assert.Same(clamped, clamped.Clamp_(-0.5, 0.75));
            Verify.Close(F.Clamp(x, -0.5, 0.75), clamped, 0, 0);
            Assert.True(clamped.Storage.Version > ver);
            var relu = x.Clone();
            relu.Relu_();
            Verify.Close(F.Relu(x), relu, 0, 0);
        }
    }

    [Fact]
    public void Known_values_match_torch()
    {
        // torch 1.13: t = torch.tensor([-2., 0.5, 3.]); t.clamp_(min=-1, max=1)
        Assert.Equal([-1.0, 0.5, 1.0], Tensor.From(new float[] { -2, 0.5f, 3 }).Clamp_(-1, 1).ToDoubleArray());
        // torch 1.13: t = torch.tensor([-2., 0.5, 3.]); t.relu_()
        Assert.Equal([0.0, 0.5, 3.0], Tensor.From(new float[] { -2, 0.5f, 3 }).Relu_().ToDoubleArray());
    }

    [Fact]
    public void Views_write_through_to_their_base()
    {
        var b = Tensor.From(new double[] { -1, 2, -3, 4 }, new Shape(2, 2));
        b.T.Relu_();
        Assert.Equal([0.0, 2.0, 0.0, 4.0], b.ToDoubleArray());
    }

    [Fact]
    public void Autograd_misuse_is_rejected()
    {
        var leaf = Tensor.From(new double[] { -1, 2 }).RequiresGrad_();
        Assert.Throws<AutogradException>(() => leaf.Relu_());
        var y = leaf * 2;
        Assert.Throws<AutogradException>(() => y.Clamp_(0, 1));
        using (GradMode.Disable()) leaf.Clamp_(0, 1);
        Assert.Equal([0.0, 1.0], leaf.ToDoubleArray());
        var z = F.Exp(leaf);
        using (GradMode.Disable()) leaf.Relu_();
        Assert.Throws<AutogradException>(() => z.Sum().Backward());
    }

    [Fact]
    public void Bad_arguments_name_the_argument()
    {
        Assert.Contains("min", Assert.Throws<ArgumentException>(() => Tensor.Zeros(new Shape(2)).Clamp_()).Message);
        Assert.Contains("input", Assert.Throws<DTypeMismatchException>(() => Tensor.Arange(3).Relu_()).Message);
    }
}
