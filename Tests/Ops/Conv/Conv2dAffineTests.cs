using FsCheck;
using FsCheck.Fluent;
using Scratch.Autograd;
using Scratch.Ops;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Conv;

/// <summary>The fused conv + per-channel affine (+ residual, + ReLU) against the op-by-op composition, the Reference
/// backend, finite differences and PyTorch; and the threaded small-plane conv schedules against the Reference.</summary>
public class Conv2dAffineTests
{
    /// <summary>A conv configuration with an affine epilogue, an optional residual and an optional ReLU.</summary>
    public sealed record AffineCase(Conv2dTests.ConvCase Conv, bool Residual, bool Relu, bool Threaded)
    {
        public Shape Output => new(Conv.N, Conv.G * Conv.CoutG,
            (Conv.H + 2 * Conv.Padding.H - Conv.Dilation.H * (Conv.KH - 1) - 1) / Conv.Stride.H + 1,
            (Conv.W + 2 * Conv.Padding.W - Conv.Dilation.W * (Conv.KW - 1) - 1) / Conv.Stride.W + 1);

        public Tensor[] Make(DType dtype)
        {
            var (s, cout) = (Conv.Seed, Conv.G * Conv.CoutG);
            Tensor[] t = [Values.Uniform(Conv.X, s, dtype, -1, 1), Values.Uniform(Conv.Weight, s + 1, dtype, -1, 1),
                Values.Uniform(new Shape(cout), s + 2, dtype, -2, 2), Values.Uniform(new Shape(cout), s + 3, dtype, -1, 1)];
            return Residual ? [.. t, Values.Uniform(Output, s + 4, dtype, -1, 1)] : t;
        }

        public Tensor Apply(Tensor[] t) => F.Conv2dAffine(t[0], t[1], t[2], t[3], t.Length > 4 ? t[4] : null, Relu,
            Conv.Stride, Conv.Padding, Conv.Dilation, Conv.G);

        /// <summary>The same function op by op.</summary>
        public Tensor Unfused(Tensor[] t)
        {
            var c = new[] { 1, Conv.G * Conv.CoutG, 1, 1 };
            var y = F.Conv2d(t[0], t[1], null, Conv.Stride, Conv.Padding, Conv.Dilation, Conv.G) * t[2].Reshape(c)
                + t[3].Reshape(c);
            if (t.Length > 4) y = y + t[4];
            return Relu ? F.Relu(y) : y;
        }

        public override string ToString() => $"{Conv} residual {Residual} relu {Relu} threaded {Threaded}";
    }

    public static class Arbs
    {
        public static Arbitrary<AffineCase> Cases() => Arb.From(
            from c in Conv2dTests.Arbs.Cases().Generator
            from residual in Gen.Elements(true, false)
            from relu in Gen.Elements(true, false)
            from threaded in Gen.Elements(true, false)
            select new AffineCase(c, residual, relu, threaded));
    }

    /// <summary>Runs <paramref name="body"/> with every conv above the threading threshold when asked.</summary>
    private static void Threaded(bool on, Action body)
    {
        var saved = ConvKernels.ParallelWork;
        try
        {
            if (on) ConvKernels.ParallelWork = 0;
            body();
        }
        finally
        {
            ConvKernels.ParallelWork = saved;
        }
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Fused_cpu_equals_the_unfused_ops_exactly(AffineCase c) => Threaded(c.Threaded, () =>
    {
        foreach (var dtype in new[] { DType.F32, DType.F64 })
        {
            using var _ = GradMode.Disable();
            var t = c.Make(dtype);
            Verify.Close(c.Unfused(t), c.Apply(t), 0, 0);
        }
    });

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Fused_cpu_matches_reference(AffineCase c) => Threaded(c.Threaded, () =>
    {
        using var _ = GradMode.Disable();
        foreach (var (dtype, tol) in new[] { (DType.F32, 1e-5), (DType.F64, 1e-12) })
        {
            var t = c.Make(dtype);
            var y = c.Apply(t);
            var r = c.Apply(t.Select(v => v.To(Device.Reference)).ToArray());
            Assert.Equal(Device.Reference, r.Device);
            Verify.Close(r.To(Device.Cpu), y, tol, tol);
        }
    });

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Gradients_match_finite_differences(AffineCase c) =>
        Verify.Gradients((c with { Relu = false }).Apply, c.Make(DType.F64));

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Conv2dTests.Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Threaded_conv_schedules_match_reference_with_gradients(Conv2dTests.ConvCase c) => Threaded(true, () =>
    {
        Verify.SameOnBackends(c.Apply, c.Make(DType.F64), 1e-11, 1e-11);
        Verify.SameOnBackends(c.Apply, c.Make(DType.F32), 1e-5, 1e-5);
    });

    [Theory]
    [InlineData(1, 8, 64, 3, 1, 1, 7)]
    [InlineData(1, 16, 40, 1, 1, 0, 5)]
    [InlineData(1, 12, 24, 1, 2, 0, 9)]
    [InlineData(3, 4, 20, 3, 2, 1, 8)]
    public void Small_planes_split_over_output_channels_match_reference(int n, int cin, int cout, int k, int stride,
        int pad, int size) => Threaded(true, () =>
    {
        var x = Values.Uniform(new Shape(n, cin, size, size), 3, DType.F64, -1, 1);
        var w = Values.Uniform(new Shape(cout, cin, k, k), 4, DType.F64, -1, 1);
        Verify.SameOnBackends(t => F.Conv2d(t[0], t[1], null, stride, pad), [x, w], 1e-11, 1e-11);
        var c = new AffineCase(new Conv2dTests.ConvCase(n, 1, cin, cout, size, size, k, k, stride, pad, 1, false, 5),
            true, true, true);
        using var _ = GradMode.Disable();
        var t = c.Make(DType.F32);
        Verify.Close(c.Unfused(t), c.Apply(t), 0, 0);
    });

    [Theory]
    [InlineData(DeviceKind.Cpu)]
    [InlineData(DeviceKind.Reference)]
    public void Matches_torch(DeviceKind kind)
    {
        var dev = kind == DeviceKind.Cpu ? Device.Cpu : Device.Reference;
        var x = Wave(new Shape(2, 2, 4, 5), 1, Math.Sin).To(dev);
        var w = Wave(new Shape(3, 2, 3, 3), 1, Math.Cos).To(dev);
        var s = Tensor.FromDoubles([0.5, -1.25, 2.0], new Shape(3), DType.F64, dev);
        var b = Tensor.FromDoubles([0.1, 0.2, -0.3], new Shape(3), DType.F64, dev);
        var r = (Wave(new Shape(2, 3, 2, 5), 0.7, Math.Sin) * 0.5).To(dev);
        using var _ = GradMode.Disable();
        var y = F.Conv2dAffine(x, w, s, b, r, relu: true, stride: (2, 1), padding: 1);
        // torch 1.13: x = sin(arange(40)).reshape(2,2,4,5); w = cos(arange(54)).reshape(3,2,3,3) (float64);
        // y = conv2d(x, w, None, (2, 1), 1); r = 0.5*sin(0.7*arange(60)).reshape(y.shape);
        // relu(y*s.view(1,3,1,1) + t.view(1,3,1,1) + r) with s = [0.5, -1.25, 2.0], t = [0.1, 0.2, -0.3]
        Verify.Values(y.To(Device.Cpu), new Shape(2, 3, 2, 5),
        [
            0.3080921321, 0.0000000000, 0.0000000000, 0.0000000000, 0.5222448953, 0.0000000000, 0.0000000000,
            0.0000000000, 0.0000000000, 0.1215279156, 1.3076836064, 3.4384223152, 3.0324292360, 0.2142053172,
            0.0000000000, 0.0000000000, 0.0000000000, 0.0000000000, 0.0239226516, 0.4770878386, 0.0000000000,
            0.0000000000, 0.0000000000, 3.0019805893, 1.1644682753, 0.0000000000, 0.0708219967, 0.1150285107,
            0.0000000000, 0.2658139694, 0.0000000000, 0.0000000000, 0.5084134966, 0.8172152116, 0.1757789963,
            0.0000000000, 0.2661064090, 0.4098025932, 0.4245353543, 0.3173161130, 1.5806674828, 0.0000000000,
            0.0000000000, 0.0000000000, 0.0000000000, 0.0000000000, 0.5038274219, 1.0855993694, 1.0768513854,
            0.7258044138, 0.0000000000, 3.4215464663, 2.8823710931, 0.0000000000, 0.0000000000, 0.6831772473,
            0.0000000000, 0.0000000000, 0.0000000000, 0.0000000000,
        ], 1e-9);
    }

    private static Tensor Wave(Shape s, double step, Func<double, double> f) =>
        Tensor.FromDoubles(Enumerable.Range(0, (int)s.Numel).Select(i => f(i * step)).ToArray(), s, DType.F64);

    [Fact]
    public void Bad_inputs_name_the_argument()
    {
        var x = Tensor.Zeros(new Shape(1, 2, 5, 5));
        var w = Tensor.Zeros(new Shape(3, 2, 3, 3));
        var (s, b) = (Tensor.Ones(new Shape(3)), Tensor.Zeros(new Shape(3)));
        var e = Assert.Throws<ShapeMismatchException>(() => F.Conv2dAffine(x, w, Tensor.Ones(new Shape(4)), b));
        Assert.Contains("scale", e.Message);
        e = Assert.Throws<ShapeMismatchException>(() => F.Conv2dAffine(x, w, s, Tensor.Ones(new Shape(2))));
        Assert.Contains("shift", e.Message);
        e = Assert.Throws<ShapeMismatchException>(() =>
            F.Conv2dAffine(x, w, s, b, Tensor.Zeros(new Shape(1, 3, 5, 5)), padding: 0));
        Assert.Contains("residual", e.Message);
        Assert.Contains("[1, 3, 3, 3]", e.Message);
        var d = Assert.Throws<DTypeMismatchException>(() => F.Conv2dAffine(x, w, s.To(DType.F64), b));
        Assert.Contains("scale", d.Message);
        Assert.Throws<ArgumentException>(() => F.Conv2dAffine(x, w, s, b, groups: 2));
    }
}
