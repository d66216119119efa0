using FsCheck;
using FsCheck.Fluent;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Conv;

/// <summary>The specialised Cpu conv paths (direct depthwise kernels, pointwise GEMM, blocked im2col with channel
/// chunks) against the Reference loops, PyTorch and finite differences.</summary>
public class ConvCpuPathTests
{
    /// <summary>A depthwise conv: x [N, C, H, W], weight [C, 1, K, K].</summary>
    public sealed record DepthwiseCase(int N, int C, int H, int W, int K, Size2 Stride, Size2 Padding, Size2 Dilation,
        bool Bias, ulong Seed)
    {
        public Tensor[] Make(DType dtype)
        {
            Tensor[] t = [Values.Uniform(new Shape(N, C, H, W), Seed, dtype, -1, 1),
                Values.Uniform(new Shape(C, 1, K, K), Seed + 1, dtype, -1, 1)];
            return Bias ? [.. t, Values.Uniform(new Shape(C), Seed + 2, dtype, -1, 1)] : t;
        }

        public Tensor Apply(Tensor[] t) =>
            F.Conv2d(t[0], t[1], t.Length > 2 ? t[2] : null, Stride, Padding, Dilation, C);

        public override string ToString() =>
            $"x [{N}, {C}, {H}, {W}] k {K} stride {Stride} pad {Padding} dil {Dilation} bias {Bias}";
    }

    /// <summary>A 1×1 stride-1 unpadded conv: x [N, G·CinG, H, W], weight [G·CoutG, CinG, 1, 1].</summary>
    public sealed record PointwiseCase(int N, int G, int CinG, int CoutG, int H, int W, ulong Seed)
    {
        public Tensor[] Make(DType dtype) =>
        [
            Values.Uniform(new Shape(N, G * CinG, H, W), Seed, dtype, -1, 1),
            Values.Uniform(new Shape(G * CoutG, CinG, 1, 1), Seed + 1, dtype, -1, 1),
        ];

        public Tensor Apply(Tensor[] t) => F.Conv2d(t[0], t[1], groups: G);

        public override string ToString() => $"x [{N}, {G * CinG}, {H}, {W}] groups {G} cout {G * CoutG}";
    }

    public static class Arbs
    {
        public static Arbitrary<DepthwiseCase> Depthwise() => Arb.From(
            from n in Gen.Choose(1, 3)
            from c in Gen.Choose(1, 4)
            from k in Gen.Elements(3, 5)
            from sh in Gen.Choose(1, 2)
            from sw in Gen.Choose(1, 2)
            from ph in Gen.Choose(0, 2)
            from pw in Gen.Choose(0, 2)
            from dh in Gen.Frequency((3, Gen.Constant(1)), (1, Gen.Constant(2)))
            from dw in Gen.Frequency((3, Gen.Constant(1)), (1, Gen.Constant(2)))
            from h in Gen.Choose(1, 9)
            from w in Gen.Choose(1, 21)
            from bias in Gen.Elements(true, false)
            from seed in Gen.Choose(0, int.MaxValue)
            select new DepthwiseCase(n, c, Math.Max(h, dh * (k - 1) + 1 - 2 * ph), Math.Max(w, dw * (k - 1) + 1 - 2 * pw),
                k, (sh, sw), (ph, pw), (dh, dw), bias, (ulong)seed));

        public static Arbitrary<PointwiseCase> Pointwise() => Arb.From(
            from n in Gen.Choose(1, 3)
            from g in Gen.Choose(1, 3)
            from cin in Gen.Choose(1, 4)
            from cout in Gen.Choose(1, 4)
            from h in Gen.Choose(1, 6)
            from w in Gen.Choose(1, 9)
            from seed in Gen.Choose(0, int.MaxValue)
            select new PointwiseCase(n, g, cin, cout, h, w, (ulong)seed));
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Depthwise_cpu_matches_reference(DepthwiseCase c)
    {
        Verify.SameOnBackends(c.Apply, c.Make(DType.F64), 1e-12, 1e-12);
        Verify.SameOnBackends(c.Apply, c.Make(DType.F32), 1e-5, 1e-5);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Depthwise_gradients_match_finite_differences(DepthwiseCase c) =>
        Verify.Gradients(c.Apply, c.Make(DType.F64));

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Pointwise_cpu_matches_reference(PointwiseCase c)
    {
        Verify.SameOnBackends(c.Apply, c.Make(DType.F64), 1e-12, 1e-12);
        Verify.SameOnBackends(c.Apply, c.Make(DType.F32), 1e-5, 1e-5);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Pointwise_gradients_match_finite_differences(PointwiseCase c) =>
        Verify.Gradients(c.Apply, c.Make(DType.F64));

    [Theory]
    [InlineData(1L << 19)]
    [InlineData(7L)]
    [InlineData(100L)]
    public void Blocked_lowering_matches_reference_for_any_block_size(long budget)
    {
        var (saved, savedWeight) = (Scratch.Ops.ConvKernels.ColumnBudget, Scratch.Ops.ConvKernels.WeightGradBudget);
        try
        {
            (Scratch.Ops.ConvKernels.ColumnBudget, Scratch.Ops.ConvKernels.WeightGradBudget) = (budget, budget);
            // Large enough to run in parallel tasks: grouped, dilated, strided, batch > 1.
            var x = Values.Uniform(new Shape(2, 8, 19, 17), 31, DType.F64, -1, 1);
            var w = Values.Uniform(new Shape(12, 4, 3, 3), 32, DType.F64, -1, 1);
            var b = Values.Uniform(new Shape(12), 33, DType.F64, -1, 1);
            Verify.SameOnBackends(t => F.Conv2d(t[0], t[1], t[2], (1, 2), (2, 1), (2, 1), 2), [x, w, b], 1e-11, 1e-11);
            Verify.SameOnBackends(t => F.Conv2d(t[0], t[1].Reshape(6, 8, 3, 3)), [x, w], 1e-11, 1e-11);
            // A batch split unevenly over the threads for the weight gradient.
            var x5 = Values.Uniform(new Shape(5, 8, 16, 15), 36, DType.F32, -1, 1);
            var w5 = Values.Uniform(new Shape(8, 8, 3, 3), 37, DType.F32, -1, 1);
            Verify.SameOnBackends(t => F.Conv2d(t[0], t[1], null, (1, 2), 1), [x5, w5], 1e-4, 1e-4);
            // A single small image: one task, the GEMM itself threaded.
            var x1 = Values.Uniform(new Shape(1, 3, 9, 8), 34, DType.F32, -1, 1);
            var w1 = Values.Uniform(new Shape(5, 3, 2, 3), 35, DType.F32, -1, 1);
            Verify.SameOnBackends(t => F.Conv2d(t[0], t[1], padding: 1), [x1, w1], 1e-5, 1e-5);
            Verify.SameOnBackends(t => F.ConvTranspose2d(t[0], t[1].Reshape(8, 6, 3, 3), null, 2, 1, 1),
                [x, w], 1e-11, 1e-11);
        }
        finally
        {
            (Scratch.Ops.ConvKernels.ColumnBudget, Scratch.Ops.ConvKernels.WeightGradBudget) = (saved, savedWeight);
        }
    }

    [Theory]
    [InlineData(DType.F32)]
    [InlineData(DType.F64)]
    public void Large_depthwise_and_pointwise_run_in_parallel_and_match_reference(DType dtype)
    {
        double tol = dtype == DType.F32 ? 1e-4 : 1e-11;
        var x = Values.Uniform(new Shape(2, 16, 24, 75), 41, dtype, -1, 1);
        var dw = Values.Uniform(new Shape(16, 1, 5, 5), 42, dtype, -1, 1);
        var pw = Values.Uniform(new Shape(32, 16, 1, 1), 43, dtype, -1, 1);
        Verify.SameOnBackends(t => F.Conv2d(t[0], t[1], null, 2, 2, 1, 16), [x, dw], tol, tol);
        Verify.SameOnBackends(t => F.Conv2d(t[0], t[1], null, 1, 2, 1, 16), [x, dw], tol, tol);
        Verify.SameOnBackends(t => F.Conv2d(t[0], t[1].Narrow(2, 1, 3).Narrow(3, 1, 3), null, 1, 1, 1, 16), [x, dw], tol, tol);
        Verify.SameOnBackends(t => F.Conv2d(t[0], t[1]), [x, pw], tol, tol);
        Verify.SameOnBackends(t => F.ConvTranspose2d(t[0], t[1], null, 2, 2, 1, 16), [x, dw], tol, tol);
    }

    private static Tensor Sin(Shape s) =>
        Tensor.FromDoubles(Enumerable.Range(0, (int)s.Numel).Select(i => Math.Sin(i)).ToArray(), s, DType.F64);

    private static Tensor Cos(Shape s) =>
        Tensor.FromDoubles(Enumerable.Range(0, (int)s.Numel).Select(i => Math.Cos(i)).ToArray(), s, DType.F64);

    [Theory]
    [InlineData(DeviceKind.Cpu)]
    [InlineData(DeviceKind.Reference)]
    public void Depthwise_5x5_stride_2_matches_torch(DeviceKind kind)
    {
        var dev = new Device(kind);
        var x = Sin(new Shape(2, 3, 9, 11)).To(dev).RequiresGrad_();
        var w = Cos(new Shape(3, 1, 5, 5)).To(dev).RequiresGrad_();
        // torch 1.13 (float64): x = arange(594.).reshape(2,3,9,11).sin(); w = arange(75.).reshape(3,1,5,5).cos();
        // y = F.conv2d(x, w, stride=2, padding=2, groups=3); (y*y).sum().backward()
        var y = F.Conv2d(x, w, null, 2, 2, 1, 3);
        Assert.Equal(new Shape(2, 3, 5, 6), y.Shape);
        Verify.Close([1.299816413257353, 5.01000456017527, -6.351054345449459, 0.2759377890202787, 6.121393069480256,
            -3.239060151766079, -3.8229464506175534, -5.755787950983542, 11.284737656259091, -3.6364278028497266,
            -8.258161803283112, 6.252463675286226], y.ToDoubleArray()[..12], 1e-10, 1e-10, "y");
        Verify.Close([-0.9951484602133049, 7.375069553156392, -4.864983443368331, -3.3259746135324812, 7.633171071083623,
            -1.5705660225085605], y.ToDoubleArray()[^6..], 1e-10, 1e-10, "y tail");
        (y * y).Sum().Backward();
        Verify.Close([-14.543555680606994, 3.753019573601672, 51.82653901406352, 32.627122650067946, -18.952282819782692,
            -37.79719708015883, -39.78586322013988, -1.1687546595539717, 39.97419063220264, 34.18848419794233,
            1.799360663832472, -17.35705813490416, -17.819771194345464, 14.152676334411279, 42.12614851015851,
            38.423420081252125], x.Grad!.ToDoubleArray()[..16], 1e-9, 1e-10, "dx");
        Verify.Close([341.07129063469415, 34.6136143417072, -340.11355914908694, -359.14585903165306, -82.5146391718774,
            179.37244396250375, 383.2517438424277, 260.03584252253404, -134.13308381457966, -374.1866644499547,
            -383.62284814436214, -15.744434464235635], w.Grad!.ToDoubleArray()[..12], 1e-9, 1e-10, "dw");
    }

    [Theory]
    [InlineData(DeviceKind.Cpu)]
    [InlineData(DeviceKind.Reference)]
    public void Grouped_pointwise_matches_torch(DeviceKind kind)
    {
        var dev = new Device(kind);
        var x = Sin(new Shape(1, 4, 6, 7)).To(dev).RequiresGrad_();
        var w = Cos(new Shape(6, 2, 1, 1)).To(dev).RequiresGrad_();
        // torch 1.13 (float64): x = arange(168.).reshape(1,4,6,7).sin(); w = arange(12.).reshape(6,2,1,1).cos();
        // y = F.conv2d(x, w, groups=2); (y*y).sum().backward()
        var y = F.Conv2d(x, w, groups: 2);
        Verify.Close([-0.4951987057166537, 0.39206117340278634, 0.9188618177784418, 0.6008651444369787,
            -0.2695641716682569, -0.8921574315005673, -0.6945052632060498, 0.1416718412049912, 0.8475965081653333,
            0.7742448544100349], y.ToDoubleArray()[..10], 1e-10, 1e-10, "y");
        (y * y).Sum().Backward();
        Verify.Close([-1.4057068101971815, 1.4177005932842401, 2.937680609361391, 1.7567706209999223,
            -1.0393061745460672, -2.879849666220393, -2.0726726558788746, 0.6401100356579987, 2.7643785124295825,
            2.347090133458084], x.Grad!.ToDoubleArray()[..10], 1e-10, 1e-10, "dx");
        Verify.Close([31.99470700364358, 6.628673615396328, -0.6684560953100751, -35.55116634436944, -31.438355224775705,
            22.960337204144835, 28.35174392785264, 15.97085086266645, 8.269059948093364, -35.30485648027743,
            -35.23403020508811, 13.413157815370216], w.Grad!.ToDoubleArray(), 1e-10, 1e-10, "dw");
    }

    [Fact]
    public void Depthwise_bad_groups_name_the_argument()
    {
        var x = Tensor.Zeros(new Shape(1, 4, 5, 5));
        var e = Assert.Throws<ShapeMismatchException>(() => F.Conv2d(x, Tensor.Zeros(new Shape(4, 2, 3, 3)), groups: 4));
        Assert.Contains("weight", e.Message);
        var e2 = Assert.Throws<ArgumentException>(() => F.Conv2d(x, Tensor.Zeros(new Shape(6, 1, 3, 3)), groups: 4));
        Assert.Contains("groups", e2.Message);
    }

    /// <summary>The col2im input gradient that multiplies every image at once (small planes, batch > 1), over
    /// strides, padding, dilation and groups, against Reference in float64 and float32; each case checks that the
    /// path is the one taken.</summary>
    [FsCheck.Xunit.Property(MaxTest = 60, QuietOnSuccess = true)]
    public void Input_gradient_across_images_matches_reference(PositiveInt seed)
    {
        var r = new Random(seed.Get);
        int n = r.Next(2, 5), groups = r.Next(1, 3), cin = groups * r.Next(1, 7), cout = groups * r.Next(1, 9);
        int k = r.Next(1, 4), s = r.Next(1, 3), p = r.Next(0, k), d = r.Next(1, 3), h = r.Next(d * (k - 1) + 1, 9);
        var w = r.Next(d * (k - 1) + 1, 11);
        Func<Tensor[], Tensor> f = t => F.Conv2d(t[0], t[1], null, s, p, d, groups);
        var x0 = Values.Uniform(new Shape(n, cin, h, w), (ulong)seed.Get, DType.F64, -1, 1);
        var w0 = Values.Uniform(new Shape(cout, cin / groups, k, k), (ulong)seed.Get + 1, DType.F64, -1, 1);
        var g = F.Conv2dGeometry("Conv2d", x0, w0, null, s, p, d, groups);
        // Pointwise, depthwise and stride-1 convs with a flipped-filter geometry take other paths.
        if (g.IsPointwise || cin == groups || (s == 1 && p <= d * (k - 1))) return;
        Assert.True(Scratch.Ops.ConvKernels.InputGradAcrossImages(g, Environment.ProcessorCount), g.ToString());
        Verify.SameOnBackends(f, [x0, w0], 1e-11, 1e-11);
        Verify.SameOnBackends(f, [x0.To(DType.F32), w0.To(DType.F32)], 1e-4, 1e-4);
    }
}
