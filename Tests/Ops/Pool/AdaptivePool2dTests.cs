using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Pool;

public class AdaptivePool2dTests
{
    [FsCheck.Xunit.Property(Arbitrary = [typeof(PoolArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Gradients_match_finite_differences(AdaptiveCase c)
    {
        Verify.Gradients(t => F.AdaptiveAvgPool2d(t[0], c.Out), Values.Uniform(c.X, c.Seed, DType.F64, -1, 1));
        Verify.Gradients(t => F.AdaptiveMaxPool2d(t[0], c.Out), c.Distinct());
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(PoolArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Cpu_matches_reference(AdaptiveCase c)
    {
        Verify.SameOnBackends(t => F.AdaptiveAvgPool2d(t[0], c.Out), [Values.Uniform(c.X, c.Seed, DType.F64, -1, 1)], 1e-12, 1e-12);
        Verify.SameOnBackends(t => F.AdaptiveAvgPool2d(t[0], c.Out), [Values.Uniform(c.X, c.Seed, DType.F32, -1, 1)], 1e-6, 1e-6);
        Verify.SameOnBackends(t => F.AdaptiveMaxPool2d(t[0], c.Out), [c.Distinct(DType.F32)], 0, 0);
        Verify.SameOnBackends(t => F.AdaptiveMaxPool2d(t[0], c.Out), [c.Distinct()], 0, 0);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(PoolArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void To_the_input_size_is_the_identity_and_to_1x1_the_global_mean_and_max(AdaptiveCase c)
    {
        var x = Values.Uniform(c.X, c.Seed, DType.F64, -1, 1);
        Verify.Close(x, F.AdaptiveAvgPool2d(x, (c.H, c.W)), 0, 0);
        Verify.Close(x, F.AdaptiveMaxPool2d(x, (c.H, c.W)), 0, 0);
        Verify.Close(x.Mean([2, 3], keepDim: true), F.AdaptiveAvgPool2d(x, 1), 1e-12, 1e-12);
        var max = F.AdaptiveMaxPool2d(x, 1).ToDoubleArray();
        var xv = x.ToDoubleArray();
        for (var p = 0; p < max.Length; p++)
            Assert.Equal(xv.Skip(p * c.H * c.W).Take(c.H * c.W).Max(), max[p]);
    }

    private static Tensor X(DeviceKind kind) =>
        Tensor.FromDoubles(Enumerable.Range(0, 70).Select(i => Math.Sin(0.7 * i)).ToArray(), new Shape(1, 2, 5, 7), DType.F64)
            .To(new Device(kind)).RequiresGrad_();

    [Theory]
    [InlineData(DeviceKind.Cpu)]
    [InlineData(DeviceKind.Reference)]
    public void Matches_torch_for_sizes_that_do_not_divide(DeviceKind kind)
    {
        var x = X(kind);
        // torch 1.13: x = arange(70.).reshape(1,2,5,7).mul(0.7).sin(); y = F.adaptive_avg_pool2d(x, (3,4)); (y*y).sum().backward()
        var y = F.AdaptiveAvgPool2d(x, (3, 4));
        Verify.Values(y, new Shape(1, 2, 3, 4), [-0.24237539, 0.42256844, 0.55786134, -0.012165432, -0.28517149, -0.37788854,
            0.012975953, 0.37991071, 0.7058988, 0.1916591, -0.57895271, -0.60534899, -0.59860005, 0.049096799, 0.64654405,
            0.41799661, -0.039703376, -0.35106253, -0.21762631, 0.18734732, 0.66313471, 0.52152721, -0.29280993, -0.72251467], 1e-7);
        (y * y).Sum().Backward();
        Verify.Close([-0.1211877, 0.019668452, 0.14085615, 0.32680993, 0.18595378, 0.17987106, -0.0060827162, -0.21624486,
            -0.15936394, 0.056880916, 0.24571824, 0.18883732, 0.30939151, 0.12055419], x.Grad!.ToDoubleArray()[..14], 1e-6, 1e-6, "dx");
        // torch 1.13: y, i = F.adaptive_max_pool2d(x, (2,3), return_indices=True)
        var (m, idx) = F.AdaptiveMaxPool2dWithIndices(x, (2, 3));
        Verify.Values(m, new Shape(1, 2, 2, 3), [0.98544973, 0.98816823, 0.99060736, 0.99276641, 0.83665564, 0.99060736,
            0.69416467, 0.99464477, 0.99624193, 0.99859087, 0.99859087, 0.71797459], 1e-7);
        Assert.Equal([2L, 11, 20, 29, 30, 20, 2, 3, 12, 30, 30, 20], idx.ToArray<long>());
    }

    [Fact]
    public void Large_inputs_split_across_cores_match_reference()
    {
        var x = Values.Uniform(new Shape(2, 8, 48, 45), 3, DType.F64, -1, 1);
        Verify.SameOnBackends(t => F.AdaptiveAvgPool2d(t[0], (7, 5)), [x], 1e-12, 1e-12);
        Verify.SameOnBackends(t => F.MaxPool2d(t[0], 3, 2, 1, ceilMode: true), [x], 0, 0);
        Verify.SameOnBackends(t => F.AvgPool2d(t[0], (3, 2), 1, (1, 0), countIncludePad: false), [x], 1e-12, 1e-12);
        Verify.SameOnBackends(t => F.Interpolate(t[0], (50, 31), mode: InterpolateMode.Bilinear), [x], 1e-12, 1e-12);
    }

    [Fact]
    public void Bad_inputs_name_the_argument()
    {
        var x = Tensor.Zeros(new Shape(1, 1, 4, 4));
        Assert.Contains("outputSize", Assert.Throws<ArgumentOutOfRangeException>(() => F.AdaptiveAvgPool2d(x, (0, 2))).Message);
        Assert.Contains("outputSize", Assert.Throws<ArgumentOutOfRangeException>(() => F.AdaptiveMaxPool2d(x, (2, -1))).Message);
        Assert.Contains("input", Assert.Throws<ShapeMismatchException>(() => F.AdaptiveAvgPool2d(Tensor.Zeros(new Shape(4, 4)), 2)).Message);
        Assert.Contains("input", Assert.Throws<ShapeMismatchException>(() => F.AdaptiveMaxPool2d(Tensor.Zeros(new Shape(1, 1, 0, 4)), 2)).Message);
    }
}
