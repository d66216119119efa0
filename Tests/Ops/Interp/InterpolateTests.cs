using FsCheck;
using FsCheck.Fluent;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Interp;

public class InterpolateTests
{
    public sealed record InterpCase(int N, int C, int H, int W, InterpolateMode Mode, Size2? Size, Scale2? Scale, bool? Align, ulong Seed)
    {
        public Shape X => new(N, C, H, W);

        public Tensor Apply(Tensor x) => F.Interpolate(x, Size, Scale, Mode, Align);

        public override string ToString() => $"x {X} {Mode} size {Size} scale {Scale} align {Align}";
    }

    public static class Arbs
    {
        private static readonly double[] Scales = [0.5, 0.6, 1.0, 1.1, 1.5, 1.7, 2.0, 2.3, 3.0];

        public static Arbitrary<InterpCase> Cases() => Arb.From(
            from n in Gen.Choose(1, 2)
            from c in Gen.Choose(1, 3)
            from h in Gen.Choose(1, 5)
            from w in Gen.Choose(1, 5)
            from mode in Gen.Elements(InterpolateMode.Nearest, InterpolateMode.Bilinear)
            from useScale in Gen.Elements(true, false)
            from oh in Gen.Choose(1, 7)
            from ow in Gen.Choose(1, 7)
            from sh in Gen.Elements(Scales)
            from sw in Gen.Elements(Scales)
            from align in Gen.Elements(true, false)
            from seed in Gen.Choose(0, int.MaxValue)
            where !useScale || (Math.Floor(h * sh) >= 1 && Math.Floor(w * sw) >= 1)
            select new InterpCase(n, c, h, w, mode, useScale ? null : (oh, ow), useScale ? (sh, sw) : null,
                mode == InterpolateMode.Bilinear ? align : null, (ulong)seed));
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Gradients_match_finite_differences(InterpCase c) =>
        Verify.Gradients(t => c.Apply(t[0]), Values.Uniform(c.X, c.Seed, DType.F64, -1, 1));

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Cpu_matches_reference(InterpCase c)
    {
        Verify.SameOnBackends(t => c.Apply(t[0]), [Values.Uniform(c.X, c.Seed, DType.F64, -1, 1)], 1e-12, 1e-12);
        Verify.SameOnBackends(t => c.Apply(t[0]), [Values.Uniform(c.X, c.Seed, DType.F32, -1, 1)], 1e-6, 1e-6);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Preserves_constants_and_is_the_identity_at_the_same_size(InterpCase c)
    {
        var y = c.Apply(Tensor.Full(c.X, -0.75, DType.F64));
        Assert.All(y.ToDoubleArray(), v => Assert.Equal(-0.75, v, 12));
        var x = Values.Uniform(c.X, c.Seed, DType.F64, -1, 1);
        Verify.Close(x, F.Interpolate(x, (c.H, c.W), mode: c.Mode, alignCorners: c.Align), 0, 0);
    }

    private static Tensor X(DeviceKind kind) =>
        Tensor.FromDoubles(Enumerable.Range(0, 24).Select(i => Math.Sin(0.9 * i)).ToArray(), new Shape(1, 2, 3, 4), DType.F64)
            .To(new Device(kind)).RequiresGrad_();

    [Theory]
    [InlineData(DeviceKind.Cpu)]
    [InlineData(DeviceKind.Reference)]
    public void Bilinear_matches_torch_with_and_without_align_corners(DeviceKind kind)
    {
        // torch 1.13: x = arange(24.).reshape(1,2,3,4).mul(0.9).sin();
        // y = F.interpolate(x, size=(5,7), mode='bilinear', align_corners=False); (y*y).sum().backward()
        var x = X(kind);
        var y = F.Interpolate(x, (5, 7), mode: InterpolateMode.Bilinear, alignCorners: false);
        Assert.Equal(new Shape(1, 2, 5, 7), y.Shape);
        Verify.Close([0, 0.27975961, 0.72737499, 0.87858727, 0.93481422, 0.62254693, 0.42737988, -0.17700818, -0.085582364,
            0.060698936, 0.17709344, 0.27434212, 0.26745681, 0.26315349], y.ToDoubleArray()[..14], 1e-7, 1e-6, "y");
        (y * y).Sum().Backward();
        Verify.Close([0.19037391, 2.5664687, 3.5859231, 2.3343452, -1.6313134, -2.7328563, -2.130446, -0.36441001, 3.4024762,
            3.4524503, 1.1062307, -1.5317584, -3.683942, -3.0197118, -0.13110706, 2.3909599, 2.6456467, 1.1733736,
            -1.3836591, -2.7319402, -2.1429041, 0.435441, 3.1785166, 3.6259416], x.Grad!.ToDoubleArray(), 1e-6, 1e-6, "dx");

        // torch 1.13: same x, F.interpolate(x, size=(5,7), mode='bilinear', align_corners=True)
        x.Grad = null;
        y = F.Interpolate(x, (5, 7), mode: InterpolateMode.Bilinear, alignCorners: true);
        Verify.Close([0, 0.39166345, 0.78332691, 0.87858727, 0.97384763, 0.70061376, 0.42737988, -0.22126022, -0.15918091,
            -0.097101604, 0.0017199838, 0.10054157, 0.16131923, 0.22209689], y.ToDoubleArray()[..14], 1e-7, 1e-6, "y aligned");
        (y * y).Sum().Backward();
        Verify.Close([0.090812777, 2.6610725, 3.7089575, 1.85813, -1.6774047, -3.7229824, -2.9431202, -0.36212298, 2.6876267,
            3.5056451, 1.1660026, -1.2583125], x.Grad!.ToDoubleArray()[..12], 1e-6, 1e-6, "dx aligned");

        // torch 1.13: same x, F.interpolate(x, scale_factor=(1.5, 0.6), mode='bilinear', align_corners=False)
        Verify.Values(F.Interpolate(x, scaleFactor: (1.5, 0.6), mode: InterpolateMode.Bilinear), new Shape(1, 2, 4, 2),
            [0.26110897, 0.97384763, -0.17987402, 0.10054157, -0.37531275, -0.57528399, 0.60686426, 0.21463799, -0.90795201,
             0.033623047, -0.065966653, -0.21939947, 0.56604049, -0.2580727, -0.27387238, 0.59932445], 1e-7);
    }

    [Theory]
    [InlineData(DeviceKind.Cpu)]
    [InlineData(DeviceKind.Reference)]
    public void Nearest_matches_torch_for_sizes_and_scale_factors(DeviceKind kind)
    {
        var x = X(kind);
        // torch 1.13: x = arange(24.).reshape(1,2,3,4).mul(0.9).sin(); F.interpolate(x, size=(2,9), mode='nearest')
        var y = F.Interpolate(x, (2, 9));
        Verify.Values(y, new Shape(1, 2, 2, 9), [0, 0, 0, 0.78332691, 0.78332691, 0.97384763, 0.97384763, 0.42737988, 0.42737988,
            -0.44252044, -0.44252044, -0.44252044, -0.97753012, -0.97753012, -0.77276449, -0.77276449, 0.0168139, 0.0168139,
            -0.98093623, -0.98093623, -0.98093623, -0.76198358, -0.76198358, 0.033623047, 0.033623047, 0.80378443, 0.80378443,
            0.96565778, 0.96565778, 0.96565778, 0.39674057, 0.39674057, -0.47242199, -0.47242199, -0.98406501, -0.98406501], 1e-7);
        // torch 1.13: y = F.interpolate(x, scale_factor=(1.7, 2.3), mode='nearest'); (y*y).sum().backward()
        // (the kernel keeps the given factor: source column floor(o / 2.3), not floor(o * 4 / 9))
        y = F.Interpolate(x, scaleFactor: (1.7, 2.3));
        Assert.Equal(new Shape(1, 2, 5, 9), y.Shape);
        Verify.Close([0, 0, 0, 0.78332691, 0.78332691, 0.97384763, 0.97384763, 0.42737988, 0.42737988, 0, 0, 0, 0.78332691,
            0.78332691, 0.97384763, 0.97384763, 0.42737988, 0.42737988, -0.44252044], y.ToDoubleArray()[..19], 1e-7, 1e-6, "y");
        (y * y).Sum().Backward();
        Verify.Close([0, 6.2666153, 7.790781, 3.419039, -5.3102453, -7.8202409, -6.1821159, 0.1345112, 4.7620072, 3.8795592,
            1.6484739, -1.8301436, -11.771235, -6.0958687, 0.26898438, 6.4302754, 11.587893, 3.1739246, -3.7793759, -7.87252,
            -4.5059235, 0.20169075, 3.254695, 3.8446109], x.Grad!.ToDoubleArray(), 1e-6, 1e-6, "dx");
        // torch 1.13: F.interpolate(arange(5.).reshape(1,1,1,5), scale_factor=1.7) vs size=(1,8)
        var r = Tensor.Arange(5, DType.F32).Reshape(1, 1, 1, 5);
        Assert.Equal([0f, 0, 1, 1, 2, 2, 3, 4], F.Interpolate(r, scaleFactor: 1.7).ToArray<float>());
        Assert.Equal([0f, 0, 1, 1, 2, 3, 3, 4], F.Interpolate(r, (1, 8)).ToArray<float>());
    }

    [Fact]
    public void Bad_inputs_name_the_argument()
    {
        var x = Tensor.Zeros(new Shape(1, 1, 4, 4));
        Assert.Contains("size", Assert.Throws<ArgumentException>(() => F.Interpolate(x)).Message);
        Assert.Contains("size", Assert.Throws<ArgumentException>(() => F.Interpolate(x, 2, 2.0)).Message);
        Assert.Contains("alignCorners", Assert.Throws<ArgumentException>(() => F.Interpolate(x, 2, alignCorners: true)).Message);
        Assert.Contains("scaleFactor", Assert.Throws<ArgumentOutOfRangeException>(() => F.Interpolate(x, scaleFactor: -1.0)).Message);
        Assert.Contains("scaleFactor", Assert.Throws<ArgumentOutOfRangeException>(() => F.Interpolate(x, scaleFactor: 0.1)).Message);
        Assert.Contains("size", Assert.Throws<ArgumentOutOfRangeException>(() => F.Interpolate(x, (0, 3))).Message);
        Assert.Contains("input", Assert.Throws<ShapeMismatchException>(() => F.Interpolate(Tensor.Zeros(new Shape(4, 4)), 2)).Message);
        Assert.Throws<DTypeMismatchException>(() => F.Interpolate(Tensor.Zeros(new Shape(1, 1, 2, 2), DType.I64), 4));
    }
}
