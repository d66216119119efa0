using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Optim;

public class ClipGradNormTests
{
    private static (Tensor A, Tensor B) WithGrads(Device device)
    {
        var a = Tensor.Zeros(new Shape(2, 2), DType.F64, device).RequiresGrad_();
        var b = Tensor.Zeros(new Shape(2), DType.F64, device).RequiresGrad_();
        a.Grad = Tensor.FromDoubles([3, -4, 1, 2], new Shape(2, 2), DType.F64, device);
        b.Grad = Tensor.FromDoubles([0.5, -12], new Shape(2), DType.F64, device);
        return (a, b);
    }

    // torch 1.13: a.grad = [[3,-4],[1,2]], b.grad = [0.5,-12] (float64); t = clip_grad_norm_([a, b], 5.0, norm_type)
    [Theory]
    [InlineData(2.0, 13.200378782444085, new[] { 1.1363309425346482, -1.5151079233795308, 0.3787769808448827, 0.7575539616897654, 0.18938849042244135, -4.545323770138593 })]
    [InlineData(double.PositiveInfinity, 12.0, new[] { 1.249999895833342, -1.6666665277777895, 0.41666663194444736, 0.8333332638888947, 0.20833331597222368, -4.999999583333368 })]
    [InlineData(1.0, 22.5, new[] { 0.6666666370370384, -0.8888888493827178, 0.22222221234567946, 0.4444444246913589, 0.11111110617283973, -2.6666665481481537 })]
    [InlineData(3.0, 12.227433116271866, new[] { 1.2267496072653947, -1.6356661430205264, 0.4089165357551316, 0.8178330715102632, 0.2044582678775658, -4.906998429061579 })]
    public void Matches_torch(double normType, double expectedNorm, double[] expectedGrads)
    {
        foreach (var device in new[] { Device.Cpu, Device.Reference })
        {
            var (a, b) = WithGrads(device);
            var total = F.ClipGradNorm([a, b], 5.0, normType);
            Assert.Equal(expectedNorm, total, 12);
            Verify.Close(expectedGrads, [.. a.Grad!.ToDoubleArray(), .. b.Grad!.ToDoubleArray()], 1e-12, 1e-10);
        }
    }

    [Fact]
    public void Small_gradients_are_left_alone_and_missing_ones_skipped()
    {
        var (a, b) = WithGrads(Device.Cpu);
        var c = Tensor.Zeros(new Shape(3)).RequiresGrad_();
        var total = F.ClipGradNorm([a, b, c], 100);
        Assert.Equal(13.200378782444085, total, 12);
        Assert.Equal([3.0, -4, 1, 2], a.Grad!.ToDoubleArray());
        Assert.Equal(0, F.ClipGradNorm([c], 1));
    }

    [Fact]
    public void Bad_arguments_throw_naming_them()
    {
        var (a, _) = WithGrads(Device.Cpu);
        Assert.Contains("maxNorm", Assert.Throws<ArgumentOutOfRangeException>(() => F.ClipGradNorm([a], -1)).Message, StringComparison.Ordinal);
        Assert.Contains("normType", Assert.Throws<ArgumentOutOfRangeException>(() => F.ClipGradNorm([a], 1, 0)).Message, StringComparison.Ordinal);
    }
}
