using FsCheck;
using FsCheck.Fluent;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Conv;

public class ConvTranspose2dTests
{
    /// <summary>Input [N, G·CinG, H, W], weight [G·CinG, CoutG, KH, KW].</summary>
    public sealed record TCase(int N, int G, int CinG, int CoutG, int H, int W, int KH, int KW,
        Size2 Stride, Size2 Padding, Size2 OutputPadding, Size2 Dilation, bool Bias, ulong Seed)
    {
        public Shape X => new(N, G * CinG, H, W);
        public Shape Weight => new(G * CinG, CoutG, KH, KW);

        public Tensor[] Make(DType dtype)
        {
            Tensor[] t = [Values.Uniform(X, Seed, dtype, -1, 1), Values.Uniform(Weight, Seed + 1, dtype, -1, 1)];
            return Bias ? [.. t, Values.Uniform(new Shape(G * CoutG), Seed + 2, dtype, -1, 1)] : t;
        }

        public Tensor Apply(Tensor[] t) =>
            F.ConvTranspose2d(t[0], t[1], t.Length > 2 ? t[2] : null, Stride, Padding, OutputPadding, G, Dilation);

        public override string ToString() =>
            $"x {X} w {Weight} stride {Stride} pad {Padding} outpad {OutputPadding} dil {Dilation} groups {G} bias {Bias}";
    }

    private static int Out(int h, int k, int s, int p, int d, int op) => (h - 1) * s - 2 * p + d * (k - 1) + op + 1;

    public static class Arbs
    {
        public static Arbitrary<TCase> Cases() => Arb.From(
            from n in Gen.Choose(1, 2)
            from g in Gen.Choose(1, 3)
            from cinG in Gen.Choose(1, 2)
            from coutG in Gen.Choose(1, 2)
            from h in Gen.Choose(1, 4)
            from w in Gen.Choose(1, 4)
            from kh in Gen.Choose(1, 3)
            from kw in Gen.Choose(1, 3)
            from sh in Gen.Choose(1, 2)
            from sw in Gen.Choose(1, 3)
            from ph in Gen.Choose(0, 1)
            from pw in Gen.Choose(0, 2)
            from dh in Gen.Choose(1, 2)
            from dw in Gen.Choose(1, 2)
            from oph in Gen.Choose(0, Math.Max(sh, dh) - 1)
            from opw in Gen.Choose(0, Math.Max(sw, dw) - 1)
            from bias in Gen.Elements(true, false)
            from seed in Gen.Choose(0, int.MaxValue)
            select new TCase(n, g, cinG, coutG, h, w, kh, kw, (sh, sw),
                (Out(h, kh, sh, ph, dh, oph) >= 1 ? ph : 0, Out(w, kw, sw, pw, dw, opw) >= 1 ? pw : 0),
                (oph, opw), (dh, dw), bias, (ulong)seed));
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Gradients_match_finite_differences(TCase c) => Verify.Gradients(c.Apply, c.Make(DType.F64));

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Cpu_matches_reference(TCase c)
    {
        Verify.SameOnBackends(c.Apply, c.Make(DType.F64), 1e-12, 1e-12);
        Verify.SameOnBackends(c.Apply, c.Make(DType.F32), 1e-5, 1e-5);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Is_the_adjoint_of_conv2d(TCase c)
    {
        // <conv_transpose(x, w), z> == <x, conv(z, w)> whenever conv maps the transposed output size back to H, W.
        var t = c.Make(DType.F64);
        var y = F.ConvTranspose2d(t[0], t[1], null, c.Stride, c.Padding, c.OutputPadding, c.G, c.Dilation);
        var z = Values.Uniform(y.Shape, c.Seed + 5, DType.F64, -1, 1);
        var back = F.Conv2d(z, t[1], null, c.Stride, c.Padding, c.Dilation, c.G);
        if (back.Shape != t[0].Shape) return;
        Verify.Close([(y * z).Sum().Item()], [(t[0] * back).Sum().Item()], 1e-10, 1e-10);
    }

    [Theory]
    [InlineData(DeviceKind.Cpu)]
    [InlineData(DeviceKind.Reference)]
    public void Matches_torch_with_output_padding_and_groups(DeviceKind kind)
    {
        var dev = new Device(kind);
        var x = Tensor.FromDoubles(Enumerable.Range(0, 24).Select(i => Math.Cos(i)).ToArray(), new Shape(1, 4, 3, 2), DType.F64).To(dev).RequiresGrad_();
        var w = Tensor.FromDoubles(Enumerable.Range(0, 72).Select(i => Math.Sin(i)).ToArray(), new Shape(4, 3, 2, 3), DType.F64).To(dev).RequiresGrad_();
        var b = Tensor.From(new[] { 0.1, -0.2, 0.3, -0.4, 0.5, -0.6 }, device: dev).RequiresGrad_();
        // torch 1.13: x = arange(24.).reshape(1,4,3,2).cos(); w = arange(72.).reshape(4,3,2,3).sin();
        // y = F.conv_transpose2d(x, w, b, stride=(2,3), padding=(1,0), output_padding=(1,2), groups=2); (y*y).sum().backward()
        var y = F.ConvTranspose2d(x, w, b, stride: (2, 3), padding: (1, 0), outputPadding: (1, 2), groups: 2);
        Assert.Equal(new Shape(1, 6, 5, 8), y.Shape);
        Verify.Close([1.0444519, -0.66530126, -1.67144, 0.80700404, -0.31557516, -1.0560765, 0.1, 0.1,
            0.20926867, -0.27198263, -0.41123481, 0.78424721, -0.86960762, -1.6320097, 0.1, 0.1], y.ToDoubleArray()[..16], 1e-7, 1e-6, "y");
        Verify.Close([-0.11021879, 0.74358255, 0.36210028, -0.10529097, 1.0604613, 0.69959313, -0.6, -0.6],
            y.ToDoubleArray()[200..208], 1e-7, 1e-6, "y[5, 0]");
        (y * y).Sum().Backward();
        Verify.Close([13.887286, 8.6975418, -8.8941385, -27.564996, -20.794963, 5.191623, 14.215965, 9.9048636,
            -7.0108496, -26.522471, -21.557998, 3.3182557, 10.227167, 12.916894, 7.6263201, -21.116321, -30.54169,
            -11.984148, 9.8733666, 13.337979, 9.4968765, -19.820569, -30.805333, -13.358074], x.Grad!.ToDoubleArray(), 1e-6, 1e-6, "dx");
        Verify.Close([-2.6266161, 2.8934145, 5.4266617, 5.6050258, -4.5676737, -10.584237, -2.9567166, 2.492625,
            6.3034415, 8.0365172, -1.558261, -9.633657, -5.8364861, -0.89192498, 3.8928935, 9.4580287, 1.2054865,
            -8.2854607], w.Grad!.ToDoubleArray()[..18], 1e-6, 1e-6, "dw");
        Verify.Close([1.3504842, -19.479974, 23.966781, -20.493442, 52.665063, -35.185325], b.Grad!.ToDoubleArray(), 1e-6, 1e-6, "db");
    }

    [Fact]
    public void Bad_inputs_name_the_argument()
    {
        var x = Tensor.Zeros(new Shape(1, 4, 3, 3));
        var e1 = Assert.Throws<ArgumentOutOfRangeException>(() => F.ConvTranspose2d(x, Tensor.Zeros(new Shape(4, 2, 3, 3)), stride: 2, outputPadding: 2));
        Assert.Contains("outputPadding", e1.Message);
        var e2 = Assert.Throws<ShapeMismatchException>(() => F.ConvTranspose2d(x, Tensor.Zeros(new Shape(3, 2, 3, 3))));
        Assert.Contains("weight", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => F.ConvTranspose2d(x, Tensor.Zeros(new Shape(4, 2, 3, 3)), groups: 3));
        Assert.Contains("groups", e3.Message);
        var e4 = Assert.Throws<ShapeMismatchException>(() => F.ConvTranspose2d(x, Tensor.Zeros(new Shape(4, 2, 3, 3)), Tensor.Zeros(new Shape(3))));
        Assert.Contains("bias", e4.Message);
        var e5 = Assert.Throws<ShapeMismatchException>(() => F.ConvTranspose2d(Tensor.Zeros(new Shape(4, 3, 3)), Tensor.Zeros(new Shape(4, 2, 3, 3))));
        Assert.Contains("input", e5.Message);
        var e6 = Assert.Throws<ShapeMismatchException>(() => F.ConvTranspose2d(Tensor.Zeros(new Shape(1, 4, 1, 1)), Tensor.Zeros(new Shape(4, 2, 1, 1)), padding: 1));
        Assert.Contains("output size", e6.Message);
    }
}
