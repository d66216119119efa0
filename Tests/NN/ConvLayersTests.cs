using Scratch.NN;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.NN;

public class ConvLayersTests
{
    [Fact]
    public void Conv2d_has_pytorch_keys_shapes_and_init_bounds()
    {
        var c = new Conv2d(4, 6, (3, 1), groups: 2, generator: new Generator(1));
        Assert.Equal(["weight", "bias"], c.NamedParameters().Select(p => p.Name));
        Assert.Equal(new Shape(6, 2, 3, 1), c.Weight.Shape);
        Assert.Equal(new Shape(6), c.Bias!.Shape);
        var bound = 1 / Math.Sqrt(2 * 3 * 1);
        Assert.All(c.Weight.ToDoubleArray(), v => Assert.InRange(v, -bound, bound));
        Assert.All(c.Bias.ToDoubleArray(), v => Assert.InRange(v, -bound, bound));
        Assert.True(c.Weight.ToDoubleArray().Max() > bound / 2);
        Assert.DoesNotContain(new Conv2d(3, 2, 3, bias: false).NamedParameters(), p => p.Name == "bias");
        Assert.Equal(new Shape(1, 6, 5, 7), c.Forward(Tensor.Ones(new Shape(1, 4, 7, 7))).Shape);
    }

    [Fact]
    public void ConvTranspose2d_has_pytorch_keys_shapes_and_init_bounds()
    {
        var t = new ConvTranspose2d(4, 6, (2, 3), stride: 2, outputPadding: 1, groups: 2, generator: new Generator(2));
        Assert.Equal(["weight", "bias"], t.NamedParameters().Select(p => p.Name));
        Assert.Equal(new Shape(4, 3, 2, 3), t.Weight.Shape);
        Assert.Equal(new Shape(6), t.Bias!.Shape);
        var bound = 1 / Math.Sqrt(3 * 2 * 3);
        Assert.All(t.Weight.ToDoubleArray(), v => Assert.InRange(v, -bound, bound));
        Assert.All(t.Bias.ToDoubleArray(), v => Assert.InRange(v, -bound, bound));
        // torch 1.13: nn.ConvTranspose2d(4, 6, (2,3), stride=2, output_padding=1, groups=2)(ones(1,4,3,3)).shape
        Assert.Equal(new Shape(1, 6, 7, 8), t.Forward(Tensor.Ones(new Shape(1, 4, 3, 3))).Shape);
    }

    [Fact]
    public void Layers_give_the_same_outputs_and_gradients_on_both_backends()
    {
        var c = new Conv2d(2, 4, 3, stride: (2, 1), padding: (1, 2), generator: new Generator(3)).To(DType.F64);
        var t = new ConvTranspose2d(4, 2, (3, 2), stride: 2, padding: 1, outputPadding: (1, 0), generator: new Generator(4)).To(DType.F64);
        var net = new Sequential((Conv2d)c, (ConvTranspose2d)t);
        var x = Values.Uniform(new Shape(2, 2, 5, 4), 5, DType.F64, -1, 1);
        var y = net.Forward(x);
        var refNet = new Sequential(new Conv2d(2, 4, 3, stride: (2, 1), padding: (1, 2), generator: new Generator(3)),
            new ConvTranspose2d(4, 2, (3, 2), stride: 2, padding: 1, outputPadding: (1, 0), generator: new Generator(4)));
        refNet.To(DType.F64).To(Device.Reference);
        Verify.Close(y, refNet.Forward(x.To(Device.Reference)).To(Device.Cpu), 1e-12, 1e-12);
        y.Sum().Backward();
        refNet.Forward(x.To(Device.Reference)).Sum().Backward();
        foreach (var ((name, p), (_, q)) in net.NamedParameters().Zip(refNet.NamedParameters()))
            Verify.Close(q.Grad!.To(Device.Cpu), p.Grad!, 1e-12, 1e-12, name);
    }

    [Fact]
    public void Bad_constructor_arguments_are_reported()
    {
        Assert.Contains("groups", Assert.Throws<ArgumentException>(() => new Conv2d(4, 6, 3, groups: 4)).Message);
        Assert.Contains("inChannels", Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2d(0, 6, 3)).Message);
        Assert.Contains("kernelSize", Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2d(1, 6, (3, 0))).Message);
        Assert.Contains("stride", Assert.Throws<ArgumentOutOfRangeException>(() => new ConvTranspose2d(2, 2, 3, stride: 0)).Message);
        Assert.Contains("groups", Assert.Throws<ArgumentException>(() => new ConvTranspose2d(4, 6, 3, groups: 4)).Message);
        var e = Assert.Throws<ShapeMismatchException>(() => new Conv2d(3, 2, 3).Forward(Tensor.Zeros(new Shape(1, 4, 5, 5))));
        Assert.Contains("weight", e.Message);
    }
}
