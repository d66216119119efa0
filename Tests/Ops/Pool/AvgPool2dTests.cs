using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Pool;

public class AvgPool2dTests
{
    private static Tensor Pool(PoolCase c, Tensor x) =>
        F.AvgPool2d(x, c.Kernel, c.Stride, c.Padding, c.Ceil, c.CountIncludePad, c.Divisor);

    [FsCheck.Xunit.Property(Arbitrary = [typeof(PoolArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Gradients_match_finite_differences(PoolCase c) =>
        Verify.Gradients(t => Pool(c, t[0]), Values.Uniform(c.X, c.Seed, DType.F64, -1, 1));

    [FsCheck.Xunit.Property(Arbitrary = [typeof(PoolArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Cpu_matches_reference(PoolCase c)
    {
        Verify.SameOnBackends(t => Pool(c, t[0]), [Values.Uniform(c.X, c.Seed, DType.F64, -1, 1)], 1e-12, 1e-12);
        Verify.SameOnBackends(t => Pool(c, t[0]), [Values.Uniform(c.X, c.Seed, DType.F32, -1, 1)], 1e-6, 1e-6);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(PoolArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Of_a_constant_without_padding_counted_is_that_constant(PoolCase c)
    {
        var y = F.AvgPool2d(Tensor.Full(c.X, 1.5, DType.F64), c.Kernel, c.Stride, c.Padding, c.Ceil, countIncludePad: false);
        Assert.All(y.ToDoubleArray(), v => Assert.Equal(1.5, v, 12));
    }

    private static Tensor X(DeviceKind kind) =>
        Tensor.FromDoubles(Enumerable.Range(0, 70).Select(i => Math.Sin(0.7 * i)).ToArray(), new Shape(1, 2, 5, 7), DType.F64)
            .To(new Device(kind)).RequiresGrad_();

    [Theory]
    [InlineData(DeviceKind.Cpu)]
    [InlineData(DeviceKind.Reference)]
    public void Matches_torch_without_counting_padding_in_ceil_mode(DeviceKind kind)
    {
        var x = X(kind);
        // torch 1.13: x = arange(70.).reshape(1,2,5,7).mul(0.7).sin(); y = F.avg_pool2d(x, (3,2), stride=(2,1),
        // padding=(1,1), ceil_mode=True, count_include_pad=False); (y*y).sum().backward()
        var y = F.AvgPool2d(x, (3, 2), (2, 1), (1, 1), ceilMode: true, countIncludePad: false);
        Assert.Equal(new Shape(1, 2, 3, 8), y.Shape);
        Verify.Close([-0.49122631, -0.24237539, 0.25380367, 0.6306149, 0.71083809, 0.45674302, -0.012165432, -0.27623871,
            -0.1677283, -0.28517149, -0.42537988, -0.36552547, -0.13375871, 0.16091685, 0.37991071, 0.45337614],
            y.ToDoubleArray()[..16], 1e-7, 1e-6, "y");
        (y * y).Sum().Backward();
        Verify.Close([-0.612414, 0.0057141396, 0.44220928, 0.67072649, 0.58379055, 0.22228879, -0.28232142, -0.81929003,
            -0.23113632, 0.17857417, 0.50429843, 0.59284327, 0.40256465, 0.14656624], x.Grad!.ToDoubleArray()[..14], 1e-6, 1e-6, "dx");
    }

    [Theory]
    [InlineData(DeviceKind.Cpu)]
    [InlineData(DeviceKind.Reference)]
    public void Matches_torch_counting_padding_and_with_a_divisor_override(DeviceKind kind)
    {
        var x = X(kind);
        // torch 1.13: F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=True)
        Verify.Values(F.AvgPool2d(x, 3, 2, 1, ceilMode: true), new Shape(1, 2, 3, 4), [-0.1077224, 0.28171229, 0.37190756,
            -0.0054068589, -0.19011433, -0.37788854, 0.012975953, 0.25327381, 0.3137328, 0.12777273, -0.38596847, -0.26904399,
            -0.26604447, 0.032731199, 0.43102937, 0.18577627, -0.026468917, -0.35106253, -0.21762631, 0.12489822,
            0.29472654, 0.34768481, -0.19520662, -0.32111763], 1e-7);
        // torch 1.13: F.avg_pool2d(x, (2,3), stride=2, padding=(1,1), divisor_override=5)
        Verify.Values(F.AvgPool2d(x, (2, 3), 2, (1, 1), divisorOverride: 5), new Shape(1, 2, 3, 4), [0.12884354, 0.49857536,
            0.16948286, -0.2444718, -0.57197883, -0.48689535, 0.51696189, 0.56677488, 0.56471904, 0.22999092, -0.69474325,
            -0.48427919, -0.10482989, 0.3512035, 0.41857569, -0.028404352, -0.40875022, -0.75252126, 0.071974698,
            0.52653997, 0.53050776, 0.62583265, -0.35137191, -0.57801174], 1e-7);
    }

    [Fact]
    public void Bad_inputs_name_the_argument()
    {
        var x = Tensor.Zeros(new Shape(1, 1, 4, 4));
        Assert.Contains("input", Assert.Throws<ShapeMismatchException>(() => F.AvgPool2d(Tensor.Zeros(new Shape(1, 4, 4, 4, 1)), 2)).Message);
        Assert.Contains("padding", Assert.Throws<ArgumentOutOfRangeException>(() => F.AvgPool2d(x, 3, padding: (0, 2))).Message);
        Assert.Contains("divisorOverride", Assert.Throws<ArgumentOutOfRangeException>(() => F.AvgPool2d(x, 2, divisorOverride: 0)).Message);
        Assert.Contains("1x1", Assert.Throws<ShapeMismatchException>(() => F.AvgPool2d(x, (5, 1))).Message);
    }
}
