using FsCheck;
using FsCheck.Fluent;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Conv;

public class Conv2dTests
{
    /// <summary>A valid conv configuration: input [N, G·CinG, H, W], weight [G·CoutG, CinG, KH, KW].</summary>
    public sealed record ConvCase(int N, int G, int CinG, int CoutG, int H, int W, int KH, int KW,
        Size2 Stride, Size2 Padding, Size2 Dilation, bool Bias, ulong Seed)
    {
        public Shape X => new(N, G * CinG, H, W);
        public Shape Weight => new(G * CoutG, CinG, KH, KW);

        public Tensor[] Make(DType dtype)
        {
            Tensor[] t = [Values.Uniform(X, Seed, dtype, -1, 1), Values.Uniform(Weight, Seed + 1, dtype, -1, 1)];
            return Bias ? [.. t, Values.Uniform(new Shape(G * CoutG), Seed + 2, dtype, -1, 1)] : t;
        }

        public Tensor Apply(Tensor[] t) =>
            F.Conv2d(t[0], t[1], t.Length > 2 ? t[2] : null, Stride, Padding, Dilation, G);

        public override string ToString() =>
            $"x {X} w {Weight} stride {Stride} pad {Padding} dil {Dilation} groups {G} bias {Bias}";
    }

    public static class Arbs
    {
        public static Arbitrary<ConvCase> Cases() => Arb.From(
            from n in Gen.Choose(1, 2)
            from depthwise in Gen.Frequency((1, Gen.Constant(true)), (3, Gen.Constant(false)))
            from g in Gen.Choose(1, 3)
            from cinG in depthwise ? Gen.Constant(1) : Gen.Choose(1, 2)
            from coutG in Gen.Choose(1, 2)
            from kh in Gen.Choose(1, 3)
            from kw in Gen.Choose(1, 3)
            from sh in Gen.Choose(1, 2)
            from sw in Gen.Choose(1, 3)
            from ph in Gen.Choose(0, 2)
            from pw in Gen.Choose(0, 1)
            from dh in Gen.Choose(1, 2)
            from dw in Gen.Choose(1, 2)
            from eh in Gen.Choose(0, 3)
            from ew in Gen.Choose(0, 3)
            from bias in Gen.Elements(true, false)
            from seed in Gen.Choose(0, int.MaxValue)
            select new ConvCase(n, g, cinG, coutG,
                Math.Clamp(dh * (kh - 1) + 1 - 2 * ph + eh, 1, 7), Math.Clamp(dw * (kw - 1) + 1 - 2 * pw + ew, 1, 7),
                kh, kw, (sh, sw), (ph, pw), (dh, dw), bias, (ulong)seed)
            into c
            where c.H + 2 * c.Padding.H >= c.Dilation.H * (c.KH - 1) + 1 && c.W + 2 * c.Padding.W >= c.Dilation.W * (c.KW - 1) + 1
            select c);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Gradients_match_finite_differences(ConvCase c) => Verify.Gradients(c.Apply, c.Make(DType.F64));

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Cpu_matches_reference(ConvCase c)
    {
        Verify.SameOnBackends(c.Apply, c.Make(DType.F64), 1e-12, 1e-12);
        Verify.SameOnBackends(c.Apply, c.Make(DType.F32), 1e-5, 1e-5);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Is_linear_in_the_input(ConvCase c)
    {
        var t = c.Make(DType.F64);
        var x2 = Values.Uniform(c.X, c.Seed + 9, DType.F64, -1, 1);
        var lhs = F.Conv2d(t[0] + x2, t[1], null, c.Stride, c.Padding, c.Dilation, c.G);
        var rhs = F.Conv2d(t[0], t[1], null, c.Stride, c.Padding, c.Dilation, c.G) + F.Conv2d(x2, t[1], null, c.Stride, c.Padding, c.Dilation, c.G);
        Verify.Close(lhs, rhs, 1e-12, 1e-12);
    }

    [Fact]
    public void Pointwise_conv_matches_reference_on_larger_batches()
    {
        var x = Values.Uniform(new Shape(3, 4, 5, 6), 3, DType.F64, -1, 1);
        var w = Values.Uniform(new Shape(6, 2, 1, 1), 4, DType.F64, -1, 1);
        Verify.SameOnBackends(t => F.Conv2d(t[0], t[1], groups: 2), [x, w], 1e-12, 1e-12);
        Verify.SameOnBackends(t => F.Conv2d(t[0], t[1].Reshape(3, 4, 1, 1)), [x, w], 1e-12, 1e-12);
    }

    [Fact]
    public void Non_contiguous_and_empty_inputs_work_on_both_backends()
    {
        var x = Values.Uniform(new Shape(2, 3, 6, 5), 11, DType.F64, -1, 1).Transpose(2, 3);
        var w = Values.Uniform(new Shape(3, 2, 3, 2), 12, DType.F64, -1, 1).Transpose(0, 1);
        Assert.False(x.IsContiguous);
        Verify.SameOnBackends(t => F.Conv2d(t[0], t[1], stride: 2, padding: (0, 1)), [x, w], 1e-12, 1e-12);
        Verify.Close(F.Conv2d(x.Contiguous(), w.Contiguous(), stride: 2, padding: (0, 1)), F.Conv2d(x, w, stride: 2, padding: (0, 1)), 0, 0);
        var big = Values.Uniform(new Shape(3 * 6 * 5 + 7), 13, DType.F64, -1, 1);
        var offsetX = new Tensor(big.Storage, new Shape(1, 3, 6, 5), new Shape(1, 3, 6, 5).ContiguousStrides(), 7);
        var offsetW = new Tensor(big.Storage, new Shape(2, 3, 2, 2), new Shape(2, 3, 2, 2).ContiguousStrides(), 3);
        Assert.True(offsetX.IsContiguous);
        Verify.SameOnBackends(t => F.Conv2d(t[0], t[1], padding: 1), [offsetX, offsetW], 1e-12, 1e-12);
        Verify.Close(F.Conv2d(offsetX.Clone(), offsetW.Clone(), padding: 1), F.Conv2d(offsetX, offsetW, padding: 1), 0, 0);
        var empty = Tensor.Zeros(new Shape(0, 3, 5, 5), DType.F64).RequiresGrad_();
        var y = F.Conv2d(empty, w.Contiguous().RequiresGrad_());
        Assert.Equal(new Shape(0, 2, 3, 4), y.Shape);
        y.Sum().Backward();
        Assert.Equal(empty.Shape, empty.Grad!.Shape);
    }

    [Fact]
    public void Parallel_and_chunked_paths_match_reference()
    {
        var x = Values.Uniform(new Shape(6, 4, 14, 13), 21, DType.F64, -1, 1);
        var w = Values.Uniform(new Shape(8, 2, 3, 3), 22, DType.F64, -1, 1);
        var b = Values.Uniform(new Shape(8), 23, DType.F64, -1, 1);
        var (budget, weightBudget) = (Scratch.Ops.ConvKernels.ColumnBudget, Scratch.Ops.ConvKernels.WeightGradBudget);
        try
        {
            // Column blocks much narrower than an image; the batch work is above the parallel threshold.
            Scratch.Ops.ConvKernels.ColumnBudget = 2 * 18 * 182;
            Scratch.Ops.ConvKernels.WeightGradBudget = 36 * 40;
            Verify.SameOnBackends(t => F.Conv2d(t[0], t[1], t[2], padding: 1, groups: 2), [x, w, b], 1e-11, 1e-11);
            Verify.SameOnBackends(t => F.ConvTranspose2d(t[0], t[1].Reshape(4, 4, 3, 3), null, 2, 1, 1), [x, w],
                1e-11, 1e-11);
        }
        finally
        {
            (Scratch.Ops.ConvKernels.ColumnBudget, Scratch.Ops.ConvKernels.WeightGradBudget) = (budget, weightBudget);
        }
    }

    private static Tensor Sin(Shape s) =>
        Tensor.FromDoubles(Enumerable.Range(0, (int)s.Numel).Select(i => Math.Sin(i)).ToArray(), s, DType.F64);

    private static Tensor Cos(Shape s) =>
        Tensor.FromDoubles(Enumerable.Range(0, (int)s.Numel).Select(i => Math.Cos(i)).ToArray(), s, DType.F64);

    [Theory]
    [InlineData(DeviceKind.Cpu)]
    [InlineData(DeviceKind.Reference)]
    public void Matches_torch_with_groups_dilation_stride_and_asymmetric_padding(DeviceKind kind)
    {
        var dev = new Device(kind);
        var x = Sin(new Shape(2, 4, 5, 6)).To(dev).RequiresGrad_();
        var w = Cos(new Shape(6, 2, 3, 2)).To(dev).RequiresGrad_();
        var b = Tensor.From(new[] { 0.1, -0.2, 0.3, -0.4, 0.5, -0.6 }, device: dev).RequiresGrad_();
        // torch 1.13: x = arange(240.).reshape(2,4,5,6).sin(); w = arange(72.).reshape(6,2,3,2).cos();
        // y = F.conv2d(x, w, b, stride=(2,1), padding=(1,2), dilation=(1,2), groups=2); (y*y).sum().backward()
        var y = F.Conv2d(x, w, b, stride: (2, 1), padding: (1, 2), dilation: (1, 2), groups: 2);
        Assert.Equal(new Shape(2, 6, 3, 8), y.Shape);
        Verify.Close([0.91657659, -0.18140489, 0.13790619, -1.0104384, -1.137851, -0.12718914, 0.068352105, 1.3480869,
            0.35117378, 0.34999293, 0.37942332, 0.55805874, 0.31555707, -0.12512678, -0.5620513, -0.4492753],
            y.ToDoubleArray()[..16], 1e-7, 1e-6, "y");
        Verify.Close([0.26624824, -0.79745814, -0.64946664, -1.2442312, -0.60311575, 0.68444103, 0.94720573, 1.6033],
            y.ToDoubleArray()[144..152], 1e-7, 1e-6, "y[1]");
        (y * y).Sum().Backward();
        Verify.Close([-5.3047949, 0.33874852, 2.0750722, 6.4763849, 3.8477065, -1.1455848, 4.0142951, 10.745131, 7.7522299,
            -0.31386593, -2.362973, -9.8094424, -0.34791253, -1.4791239, -1.821911, -2.1335928, -0.24199631, 1.2307784,
            -10.418191, -7.0972491, -4.086231, 4.889628, 10.882671, 7.8725397, -0.12027005, 0.87753178, 6.4133786,
            3.7406202, -0.34869524, -4.3202254], x.Grad!.ToDoubleArray()[..30], 1e-6, 1e-6, "dx");
        Verify.Close([11.9916, -7.747047, -1.6379525, -6.3546863, -13.053338, 1.8776098, 7.7729629, -1.5954539,
            -0.15021403, -9.0818565, -6.8088843, -9.7703309], w.Grad!.ToDoubleArray()[..12], 1e-6, 1e-6, "dw");
        Verify.Close([7.3059694, -19.920891, 29.877377, -40.919285, 44.89887, -60.314517], b.Grad!.ToDoubleArray(), 1e-6, 1e-6, "db");
    }

    [Fact]
    public void Bad_inputs_name_the_argument()
    {
        var x = Tensor.Zeros(new Shape(1, 4, 5, 5));
        var w = Tensor.Zeros(new Shape(6, 2, 3, 3));
        var e1 = Assert.Throws<ShapeMismatchException>(() => F.Conv2d(Tensor.Zeros(new Shape(4, 5, 5)), w));
        Assert.Contains("Conv2d", e1.Message);
        Assert.Contains("input", e1.Message);
        var e2 = Assert.Throws<ShapeMismatchException>(() => F.Conv2d(x, w));
        Assert.Contains("weight", e2.Message);
        Assert.Contains("[6, 2, 3, 3]", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => F.Conv2d(x, Tensor.Zeros(new Shape(6, 4, 3, 3)), groups: 3));
        Assert.Contains("groups", e3.Message);
        var e4 = Assert.Throws<ShapeMismatchException>(() => F.Conv2d(x, Tensor.Zeros(new Shape(2, 4, 7, 3))));
        Assert.Contains("dilated kernel 7x3", e4.Message);
        var e5 = Assert.Throws<ShapeMismatchException>(() => F.Conv2d(x, Tensor.Zeros(new Shape(3, 2, 3, 3)), Tensor.Zeros(new Shape(2)), groups: 2));
        Assert.Contains("bias", e5.Message);
        var e6 = Assert.Throws<ArgumentOutOfRangeException>(() => F.Conv2d(x, Tensor.Zeros(new Shape(2, 4, 3, 3)), stride: (1, 0)));
        Assert.Contains("stride", e6.Message);
        Assert.Throws<DTypeMismatchException>(() => F.Conv2d(x, Tensor.Zeros(new Shape(2, 4, 3, 3), DType.F64)));
        Assert.Throws<DTypeMismatchException>(() => F.Conv2d(Tensor.Zeros(new Shape(1, 4, 5, 5), DType.I64), w));
    }
}
