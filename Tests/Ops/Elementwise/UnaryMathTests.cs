using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Elementwise;

public class UnaryMathTests
{
    /// <summary>Op, input range and points where it is not smooth (kept away from in gradchecks).</summary>
    public static readonly (string Name, Func<Tensor, Tensor> F, double Lo, double Hi, double[] Kinks)[] Ops =
    [
        ("Sqrt", F.Sqrt, 0.2, 3, []),
        ("Rsqrt", F.Rsqrt, 0.2, 3, []),
        ("Log1p", F.Log1p, -0.8, 3, []),
        ("Abs", F.Abs, -3, 3, [0]),
        ("Sin", F.Sin, -4, 4, []),
        ("Cos", F.Cos, -4, 4, []),
        ("Erf", F.Erf, -4, 4, []),
        ("Pow 2.5", x => F.Pow(x, 2.5), 0.2, 3, []),
        ("Pow 3", x => F.Pow(x, 3), -3, 3, []),
        ("Pow -1.5", x => F.Pow(x, -1.5), 0.2, 3, []),
        ("Pow 0", x => F.Pow(x, 0), -3, 3, []),
    ];

    [FsCheck.Xunit.Property(Arbitrary = [typeof(ElementwiseArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Gradients_match_finite_differences(SmallCase c)
    {
        foreach (var (name, f, lo, hi, kinks) in Ops)
            Elementwise.Named(name, () =>
                Verify.Gradients(x => f(x[0]), Elementwise.Avoiding(c.Shape, c.Seed, DType.F64, lo, hi, kinks)));
    }

    [TensorProperty]
    public void Cpu_matches_reference(ShapeCase c)
    {
        foreach (var (name, f, lo, hi, kinks) in Ops)
            Elementwise.Named(name, () =>
            {
                Verify.SameOnBackends(x => f(x[0]), [Elementwise.Avoiding(c.Shape, c.Seed, DType.F64, lo, hi, kinks)], 1e-12, 1e-12);
                Verify.SameOnBackends(x => f(x[0]), [Elementwise.Avoiding(c.Shape, c.Seed, DType.F32, lo, hi, kinks)], 1e-6, 1e-5);
            });
    }

    [TensorProperty]
    public void Strided_views_match_contiguous_copies(ViewCase v)
    {
        var x = v.Make();
        foreach (var (name, f, _, _, _) in Ops)
            Elementwise.Named(name, () => Verify.Close(f(x.Contiguous()), f(x), 1e-15, 1e-14));
    }

    [Fact]
    public void Known_values_match_torch()
    {
        double[] pos = [1e-10, 0.01, 0.3, 1.0, 2.5, 100.0];
        double[] x = [-3.0, -1.5, -0.5, -0.01, 0.0, 0.3, 1.0, 2.5, 25.0];
        // torch 1.13: torch.sqrt(pos), and the gradient of its sum
        Elementwise.Golden(F.Sqrt, pos,
            [1e-05, 0.1, 0.5477225575051661, 1.0, 1.5811388300841898, 10.0],
            [49999.99999999999, 5.0, 0.9128709291752769, 0.5, 0.31622776601683794, 0.05]);
        // torch 1.13: torch.rsqrt(pos)
        Elementwise.Golden(F.Rsqrt, pos,
            [99999.99999999999, 10.0, 1.8257418583505538, 1.0, 0.6324555320336759, 0.1],
            [-499999999999999.75, -500.0, -3.0429030972509232, -0.5, -0.1264911064067352, -0.0005000000000000001]);
        // torch 1.13: torch.log1p(pos)
        Elementwise.Golden(F.Log1p, pos,
            [9.999999999500001e-11, 0.009950330853168083, 0.26236426446749106, 0.6931471805599453, 1.252762968495368, 4.61512051684126],
            [0.9999999999, 0.9900990099009901, 0.7692307692307692, 0.5, 0.2857142857142857, 0.009900990099009901]);
        // torch 1.13: torch.abs(x)
        Elementwise.Golden(F.Abs, x,
            [3.0, 1.5, 0.5, 0.01, 0.0, 0.3, 1.0, 2.5, 25.0],
            [-1.0, -1.0, -1.0, -1.0, 0.0, 1.0, 1.0, 1.0, 1.0]);
        // torch 1.13: torch.sin(x)
        Elementwise.Golden(F.Sin, x,
            [-0.1411200080598672, -0.9974949866040544, -0.479425538604203, -0.009999833334166664, 0.0, 0.29552020666133955, 0.8414709848078965, 0.5984721441039564, -0.13235175009777303],
            [-0.9899924966004454, 0.0707372016677029, 0.8775825618903728, 0.9999500004166653, 1.0, 0.955336489125606, 0.5403023058681398, -0.8011436155469337, 0.9912028118634736]);
        // torch 1.13: torch.cos(x)
        Elementwise.Golden(F.Cos, x,
            [-0.9899924966004454, 0.0707372016677029, 0.8775825618903728, 0.9999500004166653, 1.0, 0.955336489125606, 0.5403023058681398, -0.8011436155469337, 0.9912028118634736],
            [0.1411200080598672, 0.9974949866040544, 0.479425538604203, 0.009999833334166664, -0.0, -0.29552020666133955, -0.8414709848078965, -0.5984721441039564, 0.13235175009777303]);
        // torch 1.13: torch.erf(x)
        Elementwise.Golden(F.Erf, x,
            [-0.9999779095030014, -0.9661051464753108, -0.5204998778130465, -0.011283415555849618, 0.0, 0.3286267594591274, 0.8427007929497149, 0.999593047982555, 1.0],
            [0.00013925305194674786, 0.11893028922362936, 0.8787825789354448, 1.1282663348205109, 1.1283791670955126, 1.031260909618963, 0.4151074974205947, 0.00217828423035271, 4.1534010636398965e-272]);
        // torch 1.13: torch.pow(pos, 2.5)
        Elementwise.Golden(t => F.Pow(t, 2.5), pos,
            [1e-25, 1e-05, 0.049295030175464945, 1.0, 9.882117688026186, 100000.0],
            [2.5000000000000004e-15, 0.0025, 0.4107919181288745, 2.5, 9.882117688026185, 2500.0]);
        // torch 1.13: torch.pow(x, 3)
        Elementwise.Golden(t => F.Pow(t, 3), x,
            [-27.0, -3.375, -0.125, -1.0000000000000002e-06, 0.0, 0.027, 1.0, 15.625, 15625.0],
            [27.0, 6.75, 0.75, 0.00030000000000000003, 0.0, 0.27, 3.0, 18.75, 1875.0]);
        // torch 1.13: torch.pow(pos, -1.5)
        Elementwise.Golden(t => F.Pow(t, -1.5), pos,
            [1000000000000000.0, 1000.0, 6.0858061945018465, 1.0, 0.25298221281347033, 0.001],
            [-1.4999999999999998e+25, -150000.0, -30.42903097250923, -1.5, -0.1517893276880822, -1.5000000000000002e-05]);
    }

    [Fact]
    public void Erf_is_accurate_across_its_range()
    {
        // torch 1.13: torch.erf(torch.tensor([0.01, -3.0, 1e-5, -1e-300, 0.5, 1.2, 2.0, 3.5, 5.9, 6.5, -4.2, 2.49, 2.51], dtype=torch.float64))
        double[] x = [0.01, -3.0, 1e-5, -1e-300, 0.5, 1.2, 2.0, 3.5, 5.9, 6.5, -4.2, 2.49, 2.51];
        double[] expected = [0.011283415555849618, -0.9999779095030014, 1.1283791670579e-05, -1.1283791670955126e-300, 0.5204998778130465, 0.9103139782296354, 0.9953222650189527, 0.9999992569016276, 0.9999999999999999, 1.0, -0.9999999971445058, 0.9995707121322661, 0.9996142945182758];
        for (var i = 0; i < x.Length; i++)
            Assert.True(Math.Abs(Scratch.Ops.ErfMath.Erf(x[i]) - expected[i]) < 1e-15 + 1e-14 * Math.Abs(expected[i]), $"erf({x[i]})");
        Assert.Equal(1.0, Scratch.Ops.ErfMath.Erf(double.PositiveInfinity));
        Assert.Equal(-1.0, Scratch.Ops.ErfMath.Erf(double.NegativeInfinity));
        Assert.True(double.IsNaN(Scratch.Ops.ErfMath.Erf(double.NaN)));
        // torch 1.13: torch.erf(torch.tensor(0.7, dtype=torch.float32))
        Assert.Equal(0.6778011918067932, F.Erf(Tensor.From(new float[] { 0.7f })).ToDoubleArray()[0], 7);
    }

    [Fact]
    public void Erfc_keeps_relative_accuracy_in_the_tail()
    {
        // torch 1.13: torch.erfc(torch.tensor([-1.0, 0.5, 2.6, 3.0, 5.0, 10.0, 26.0], dtype=torch.float64))
        double[] x = [-1.0, 0.5, 2.6, 3.0, 5.0, 10.0, 26.0];
        double[] expected = [1.8427007929497148, 0.4795001221869535, 0.00023603441652934908, 2.209049699858544e-05, 1.537459794428035e-12, 2.088487583762545e-45, 5.663192408856143e-296];
        for (var i = 0; i < x.Length; i++)
            Assert.True(Math.Abs(Scratch.Ops.ErfMath.Erfc(x[i]) - expected[i]) <= 1e-13 * expected[i], $"erfc({x[i]})");
        Assert.Equal(0.0, Scratch.Ops.ErfMath.Erfc(30));
    }

    [Fact]
    public void Float_erf_is_within_float_rounding_of_double_erf()
    {
        for (var i = -700; i <= 700; i++)
        {
            var x = (float)(i * 0.01);
            var exact = Scratch.Ops.ErfMath.Erf((double)x);
            var single = Scratch.Ops.ErfMath.Erf(x);
            Assert.True(Math.Abs(single - exact) <= 1e-12 + 1.5e-7 * Math.Abs(exact), $"erf({x}): {single} vs {exact}");
        }
    }

    [Fact]
    public void Erf_is_odd_and_monotone()
    {
        var prev = -1.0;
        for (var x = -7.0; x <= 7.0; x += 0.001)
        {
            var e = Scratch.Ops.ErfMath.Erf(x);
            Assert.Equal(-e, Scratch.Ops.ErfMath.Erf(-x));
            Assert.True(e >= prev, $"erf decreases at {x}");
            prev = e;
        }
    }

    [Fact]
    public void Log1p_keeps_tiny_arguments_exact()
    {
        var y = F.Log1p(Tensor.From(new double[] { 1e-20, -1e-17, -1, -2 })).ToDoubleArray();
        Assert.Equal(1e-20, y[0]);
        Assert.Equal(-1e-17, y[1]);
        Assert.Equal(double.NegativeInfinity, y[2]);
        Assert.True(double.IsNaN(y[3]));
    }

    [Fact]
    public void Pow_with_zero_exponent_has_zero_gradient()
    {
        var x = Tensor.From(new double[] { 0, 2 }).RequiresGrad_();
        var y = F.Pow(x, 0);
        y.Sum().Backward();
        Assert.Equal([1.0, 1.0], y.ToDoubleArray());
        Assert.Equal([0.0, 0.0], x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Integer_input_is_rejected()
    {
        foreach (var (name, f, _, _, _) in Ops)
        {
            var ex = Assert.Throws<DTypeMismatchException>(() => f(Tensor.Arange(3)));
            Assert.Contains("input", ex.Message);
            Assert.Contains("int64", ex.Message);
            _ = name;
        }
    }
}
