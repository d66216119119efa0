using Scratch.NN;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.NN;

public class PoolingLayersTests
{
    [Fact]
    public void A_small_conv_pool_upsample_stack_matches_torch()
    {
        var x = Tensor.FromDoubles(Enumerable.Range(0, 200).Select(i => Math.Sin(i)).ToArray(), new Shape(2, 4, 5, 5));
        var conv = new Conv2d(4, 6, (3, 1), padding: (1, 0), groups: 2);
        using (Scratch.Autograd.GradMode.Disable())
        {
            conv.Weight.Copy_(Tensor.FromDoubles(Enumerable.Range(0, 36).Select(i => 0.1 * Math.Cos(i)).ToArray(), new Shape(6, 2, 3, 1)));
            conv.Bias!.Copy_(Tensor.From(new float[] { .1f, .2f, .3f, .4f, .5f, .6f }));
        }
        var net = new Sequential(conv, new MaxPool2d(2, ceilMode: true),
            new Upsample(scaleFactor: 2.0, mode: InterpolateMode.Bilinear, alignCorners: true), new AdaptiveAvgPool2d((2, 3)), new Flatten());
        Assert.Empty(net.NamedParameters().Skip(2));
        // torch 1.13: nn.Sequential(nn.Conv2d(4,6,(3,1),padding=(1,0),groups=2), nn.MaxPool2d(2, ceil_mode=True),
        // nn.Upsample(scale_factor=2, mode='bilinear', align_corners=True), nn.AdaptiveAvgPool2d((2,3)), nn.Flatten())
        // with weight = arange(36.).reshape(6,2,3,1).cos()*0.1, bias = [.1,.2,.3,.4,.5,.6], x = arange(200.).reshape(2,4,5,5).sin()
        var y = net.Forward(x);
        Assert.Equal(new Shape(2, 36), y.Shape);
        Verify.Close([0.1303286, 0.11692333, 0.11012014, 0.1070941, 0.12116045, 0.12418097, 0.22989649, 0.2219872, 0.21064556,
            0.20688669, 0.21793711, 0.2250524], y.ToDoubleArray()[..12], 1e-6, 1e-5);
        Verify.Close([0.62369448, 0.62996083, 0.6230157, 0.61979812, 0.60604948, 0.60435206], y.ToDoubleArray()[66..], 1e-6, 1e-5);
    }

    [Fact]
    public void Pool_layers_forward_their_arguments()
    {
        var x = Values.Uniform(new Shape(1, 2, 6, 5), 1, DType.F64, -1, 1);
        Verify.Close(F.MaxPool2d(x, (3, 2), 2, 1, 1, true), new MaxPool2d((3, 2), 2, 1, ceilMode: true).Forward(x), 0, 0);
        Verify.Close(F.AvgPool2d(x, 3, 1, 1, false, false, null), new AvgPool2d(3, 1, 1, countIncludePad: false).Forward(x), 0, 0);
        Verify.Close(F.AdaptiveMaxPool2d(x, (4, 4)), new AdaptiveMaxPool2d((4, 4)).Forward(x), 0, 0);
        Verify.Close(F.Interpolate(x, (7, 3)), new Upsample((7, 3)).Forward(x), 0, 0);
        Assert.Equal(new Shape(1, 60), new Flatten().Forward(x).Shape);
        Assert.Equal(new Shape(1, 2, 30), new Flatten(2).Forward(x).Shape);
        Assert.Equal((2, 2), (new MaxPool2d(2).Stride.H, new AvgPool2d((2, 3)).Stride.W - 1));
    }

    [Fact]
    public void Bad_inputs_are_reported_at_forward()
    {
        var x = Tensor.Zeros(new Shape(1, 1, 3, 3));
        Assert.Contains("padding", Assert.Throws<ArgumentOutOfRangeException>(() => new MaxPool2d(2, padding: 2).Forward(x)).Message);
        Assert.Contains("size", Assert.Throws<ArgumentException>(() => new Upsample().Forward(x)).Message);
        Assert.Contains("input", Assert.Throws<ShapeMismatchException>(() => new AdaptiveAvgPool2d(2).Forward(Tensor.Zeros(new Shape(3, 3)))).Message);
    }
}
