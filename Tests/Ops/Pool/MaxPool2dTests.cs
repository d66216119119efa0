using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Pool;

public class MaxPool2dTests
{
    private static Tensor Pool(PoolCase c, Tensor x) => F.MaxPool2d(x, c.Kernel, c.Stride, c.Padding, c.Dilation, c.Ceil);

    [FsCheck.Xunit.Property(Arbitrary = [typeof(PoolArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Gradients_match_finite_differences(PoolCase c) => Verify.Gradients(t => Pool(c, t[0]), c.Distinct());

    [FsCheck.Xunit.Property(Arbitrary = [typeof(PoolArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Cpu_matches_reference(PoolCase c)
    {
        Verify.SameOnBackends(t => Pool(c, t[0]), [c.Distinct()], 0, 0);
        Verify.SameOnBackends(t => Pool(c, t[0]), [Values.Uniform(c.X, c.Seed, DType.F32, -1, 1)], 0, 0);
        var (_, ic) = F.MaxPool2dWithIndices(c.Distinct().To(Device.Cpu), c.Kernel, c.Stride, c.Padding, c.Dilation, c.Ceil);
        var (_, ir) = F.MaxPool2dWithIndices(c.Distinct().To(Device.Reference), c.Kernel, c.Stride, c.Padding, c.Dilation, c.Ceil);
        Assert.Equal(ir.ToArray<long>(), ic.ToArray<long>());
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(PoolArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Indices_point_at_the_window_maxima(PoolCase c)
    {
        var x = c.Distinct();
        var (y, idx) = F.MaxPool2dWithIndices(x, c.Kernel, c.Stride, c.Padding, c.Dilation, c.Ceil);
        Assert.Equal(DType.I64, idx.DType);
        var xv = x.ToDoubleArray();
        var (yv, iv) = (y.ToDoubleArray(), idx.ToArray<long>());
        var outPlane = y.Size(2) * y.Size(3);
        for (var i = 0; i < yv.Length; i++)
            Assert.Equal(xv[i / outPlane * c.H * c.W + iv[i]], yv[i]);
    }

    [Theory]
    [InlineData(DeviceKind.Cpu)]
    [InlineData(DeviceKind.Reference)]
    public void Matches_torch_in_ceil_mode_with_padding_and_dilation(DeviceKind kind)
    {
        var x = Tensor.FromDoubles(Enumerable.Range(0, 70).Select(i => Math.Sin(0.7 * i)).ToArray(), new Shape(1, 2, 5, 7), DType.F64)
            .To(new Device(kind)).RequiresGrad_();
        // torch 1.13: x = arange(70.).reshape(1,2,5,7).mul(0.7).sin(); y, i = F.max_pool2d(x, (3,2), stride=(2,3),
        // padding=(1,1), dilation=(1,2), ceil_mode=True, return_indices=True); (y*y).sum().backward()
        var (y, idx) = F.MaxPool2dWithIndices(x, (3, 2), (2, 3), (1, 1), (1, 2), ceilMode: true);
        Verify.Values(y, new Shape(1, 2, 3, 3), [0.64421769, 0.98816823, 0.85459891, 0.30311836, 0.98816823, 0.85459891,
            0.99276641, 0.83665564, -0.60483282, 0.067208073, 0.8273279, 0.99624193, 0.8079734, 0.70616946, 0.99624193,
            0.8079734, 0.99859087, -0.45832545], 1e-7);
        Assert.Equal([1L, 11, 12, 22, 11, 12, 29, 30, 26, 1, 4, 12, 22, 11, 12, 22, 30, 33], idx.ToArray<long>());
        (y * y).Sum().Backward();
        var g = x.Grad!.ToDoubleArray();
        Verify.Close([1.2884354, 3.9526729, 3.4183956, 0.60623671, -1.2096656, 1.9855328, 1.6733113],
            [g[1], g[11], g[12], g[22], g[26], g[29], g[30]], 1e-6, 1e-6);
        Verify.Close([0.13441615, 1.6546558, 1.4123389, 3.9849677, 3.2318936, 1.9971817, -0.91665091],
            [g[36], g[39], g[46], g[47], g[57], g[65], g[68]], 1e-6, 1e-6);
        Assert.Equal(14, g.Count(v => v != 0));
    }

    [Fact]
    public void A_window_of_only_padding_gives_minus_infinity_and_no_gradient()
    {
        // Dilation can make every tap of a window fall into the padding; torch 1.13 returns -inf there (with an
        // out-of-plane index); Scratch returns -inf with index -1 and sends no gradient.
        var x = Tensor.From(new[] { 1.0, 2, 3, 4, 5, 6, 7 }, new Shape(1, 1, 1, 7)).RequiresGrad_();
        var (y, idx) = F.MaxPool2dWithIndices(x, (2, 1), 2, (1, 0), 2, ceilMode: true);
        Assert.All(y.ToDoubleArray(), v => Assert.Equal(double.NegativeInfinity, v));
        Assert.All(idx.ToArray<long>(), v => Assert.Equal(-1L, v));
        y.Sum().Backward();
        Assert.All(x.Grad!.ToDoubleArray(), v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void Nan_wins_the_window()
    {
        var x = Tensor.From(new[] { 1.0, double.NaN, 3.0, 2.0 }, new Shape(1, 1, 2, 2));
        var (y, idx) = F.MaxPool2dWithIndices(x, 2);
        Assert.True(double.IsNaN(y.Item()));
        Assert.Equal(1L, idx.Item<long>());
    }

    [Fact]
    public void Bad_inputs_name_the_argument()
    {
        var x = Tensor.Zeros(new Shape(1, 1, 4, 4));
        Assert.Contains("input", Assert.Throws<ShapeMismatchException>(() => F.MaxPool2d(Tensor.Zeros(new Shape(4, 4)), 2)).Message);
        Assert.Contains("padding", Assert.Throws<ArgumentOutOfRangeException>(() => F.MaxPool2d(x, 2, padding: 2)).Message);
        Assert.Contains("kernelSize", Assert.Throws<ArgumentOutOfRangeException>(() => F.MaxPool2d(x, (0, 2))).Message);
        Assert.Contains("stride", Assert.Throws<ArgumentOutOfRangeException>(() => F.MaxPool2d(x, 2, stride: 0)).Message);
        Assert.Contains("input", Assert.Throws<ShapeMismatchException>(() => F.MaxPool2d(x, 5)).Message);
        Assert.Throws<DTypeMismatchException>(() => F.MaxPool2d(Tensor.Zeros(new Shape(1, 1, 4, 4), DType.I64), 2));
    }
}
