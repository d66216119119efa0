using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Elementwise;

public class ActivationTests
{
    /// <summary>Op, input range and points where it is not smooth (kept away from in gradchecks).</summary>
    public static readonly (string Name, Func<Tensor, Tensor> F, double Lo, double Hi, double[] Kinks)[] Ops =
    [
        ("Relu", F.Relu, -3, 3, [0]),
        ("LeakyRelu", x => F.LeakyRelu(x), -3, 3, [0]),
        ("LeakyRelu 0.2", x => F.LeakyRelu(x, 0.2), -3, 3, [0]),
        ("Sigmoid", F.Sigmoid, -6, 6, []),
        ("Tanh", F.Tanh, -4, 4, []),
        ("Softplus", x => F.Softplus(x), -6, 6, []),
        ("Softplus beta 2 threshold 1", x => F.Softplus(x, 2, 1), -3, 3, [0.5]),
        ("Gelu", x => F.Gelu(x), -4, 4, []),
        ("Gelu tanh", x => F.Gelu(x, "tanh"), -4, 4, []),
        ("Silu", F.Silu, -6, 6, []),
        ("Clamp", x => F.Clamp(x, -0.5, 1), -3, 3, [-0.5, 1]),
        ("Clamp min", x => F.Clamp(x, min: 0.3), -3, 3, [0.3]),
        ("Clamp max", x => F.Clamp(x, max: -0.2), -3, 3, [-0.2]),
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

    [TensorProperty]
    public void Relu_is_idempotent_and_sigmoid_is_symmetric(ShapeCase c)
    {
        var x = c.Make(lo: -5, hi: 5);
        Verify.Close(F.Relu(x), F.Relu(F.Relu(x)), 0, 0);
        Verify.Close(1 - F.Sigmoid(x), F.Sigmoid(-x), 1e-15, 1e-12);
        Verify.Close(F.Tanh(x), 2 * F.Sigmoid(2 * x) - 1, 1e-15, 1e-12);
        Verify.Close(F.Silu(x), x * F.Sigmoid(x), 1e-15, 1e-12);
        Verify.Close(F.Relu(x) - F.Relu(-x), x, 0, 0);
    }

    [Fact]
    public void Known_values_match_torch()
    {
        double[] x = [-3.0, -1.5, -0.5, -0.01, 0.0, 0.3, 1.0, 2.5, 25.0];
        // torch 1.13: torch.relu(x), and the gradient of its sum
        Elementwise.Golden(F.Relu, x,
            [0.0, 0.0, 0.0, 0.0, 0.0, 0.3, 1.0, 2.5, 25.0],
            [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0]);
        // torch 1.13: F.leaky_relu(x, 0.01)
        Elementwise.Golden(t => F.LeakyRelu(t), x,
            [-0.03, -0.015, -0.005, -0.0001, 0.0, 0.3, 1.0, 2.5, 25.0],
            [0.01, 0.01, 0.01, 0.01, 0.01, 1.0, 1.0, 1.0, 1.0]);
        // torch 1.13: F.leaky_relu(x, 0.2)
        Elementwise.Golden(t => F.LeakyRelu(t, 0.2), x,
            [-0.6000000000000001, -0.30000000000000004, -0.1, -0.002, 0.0, 0.3, 1.0, 2.5, 25.0],
            [0.2, 0.2, 0.2, 0.2, 0.2, 1.0, 1.0, 1.0, 1.0]);
        // torch 1.13: torch.sigmoid(x)
        Elementwise.Golden(F.Sigmoid, x,
            [0.04742587317756678, 0.18242552380635635, 0.3775406687981454, 0.49750002083312506, 0.5, 0.574442516811659, 0.7310585786300049, 0.9241418199787566, 0.999999999986112],
            [0.04517665973091214, 0.14914645207033286, 0.2350037122015945, 0.2499937501041652, 0.25, 0.24445831169074586, 0.19661193324148185, 0.07010371654510807, 1.3888001859448131e-11], 1e-10);
        // torch 1.13: torch.tanh(x)
        Elementwise.Golden(F.Tanh, x,
            [-0.9950547536867305, -0.9051482536448664, -0.46211715726000974, -0.00999966667999946, 0.0, 0.2913126124515909, 0.7615941559557649, 0.9866142981514303, 1.0],
            [0.009866037165440166, 0.1807066389236486, 0.7864477329659274, 0.9999000066662889, 1.0, 0.9151369618266292, 0.41997434161402614, 0.02659222668316057, 0.0], 1e-10);
        // torch 1.13: F.softplus(x)
        Elementwise.Golden(t => F.Softplus(t), x,
            [0.04858735157374206, 0.2014132779827524, 0.4740769841801067, 0.6881596805078624, 0.6931471805599453, 0.8543552444685272, 1.3132616875182228, 2.5788897342925496, 25.0],
            [0.04742587317756679, 0.18242552380635632, 0.37754066879814546, 0.497500020833125, 0.5, 0.574442516811659, 0.7310585786300049, 0.9241418199787564, 1.0]);
        // torch 1.13: F.softplus(x, beta=2, threshold=3)
        Elementwise.Golden(t => F.Softplus(t, 2, 3), x,
            [0.0012378425688652247, 0.02429367578687103, 0.15663084375911143, 0.3415985898633171, 0.34657359027997264, 0.5187439752429428, 1.0634640055214863, 2.5, 25.0],
            [0.0024726231566347748, 0.04742587317756679, 0.2689414213699951, 0.49500016666000024, 0.5, 0.6456563062257954, 0.8807970779778824, 1.0, 1.0]);
        // torch 1.13: F.gelu(x)
        Elementwise.Golden(t => F.Gelu(t), x,
            [-0.00404969409489031, -0.10021080190328704, -0.15426876936299344, -0.004960106436853684, 0.0, 0.1853734266566858, 0.841344746068543, 2.4844758366855597, 25.0],
            [-0.01194564720418392, -0.1274691922299796, 0.13250487534383712, 0.49202142034750757, 0.5, 0.7323277668271099, 1.0833154705876864, 1.037611085908145, 1.0], 1e-11);
        // torch 1.13: F.gelu(x, approximate="tanh")
        Elementwise.Golden(t => F.Gelu(t, "tanh"), x,
            [-0.0036373920817729943, -0.10042842301976707, -0.15428599017485606, -0.0049601064401444276, 0.0, 0.18537092354275922, 0.8411919906082768, 2.484915733910001, 25.0],
            [-0.011584166630969648, -0.12771079315143308, 0.13263009646535764, 0.49202142166375923, 0.5, 0.7322954516388018, 1.0829640838457826, 1.037951576212666, 1.0], 1e-11);
        // torch 1.13: F.silu(x)
        Elementwise.Golden(F.Silu, x,
            [-0.14227761953270035, -0.2736382857095345, -0.1887703343990727, -0.00497500020833125, 0.0, 0.1723327550434977, 0.7310585786300049, 2.3103545499468914, 24.9999999996528],
            [-0.08810410601516962, -0.041294154299142946, 0.2600388126973482, 0.49500008333208345, 0.5, 0.6477800103188829, 0.9276705118714869, 1.0994011113415267, 1.000000000333312]);
        // torch 1.13: torch.clamp(x, min=-0.5, max=1.0)
        Elementwise.Golden(t => F.Clamp(t, -0.5, 1.0), x,
            [-0.5, -0.5, -0.5, -0.01, 0.0, 0.3, 1.0, 1.0, 1.0],
            [0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0]);
        // torch 1.13: torch.clamp(x, min=0.3)
        Elementwise.Golden(t => F.Clamp(t, min: 0.3), x,
            [0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 1.0, 2.5, 25.0],
            [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0]);
    }

    [Fact]
    public void Nan_propagates_and_clamp_with_min_above_max_gives_max()
    {
        foreach (var device in new[] { Device.Cpu, Device.Reference })
        {
            var x = Tensor.FromDoubles([double.NaN, 1, 5], new Shape(3), DType.F32, device);
            Assert.True(double.IsNaN(F.Relu(x).ToDoubleArray()[0]));
            Assert.True(double.IsNaN(F.Clamp(x, 0, 1).ToDoubleArray()[0]));
            // torch 1.13: torch.clamp(torch.tensor([1., 5.]), min=3, max=2)
            Assert.Equal([2.0, 2.0], F.Clamp(x, 3, 2).ToDoubleArray()[1..]);
        }
    }

    [Fact]
    public void Nan_and_infinities_agree_across_backends_in_vectorised_lengths()
    {
        var v = Enumerable.Range(0, 67).Select(i => (i % 7) switch
        {
            0 => double.NaN,
            1 => double.PositiveInfinity,
            2 => double.NegativeInfinity,
            _ => i * 0.37 - 12,
        }).ToArray();
        foreach (var dtype in new[] { DType.F32, DType.F64 })
        {
            var x = Tensor.FromDoubles(v, new Shape(67), dtype);
            foreach (var (name, f, _, _, _) in Ops.Concat(UnaryMathTests.Ops))
                Elementwise.Named(name, () => Verify.SameOnBackends(t => f(t[0]).Detach(), [x], 1e-6, 1e-6));
            var reversed = Tensor.FromDoubles(v.Reverse().ToArray(), new Shape(67), dtype);
            Verify.SameOnBackends(t => F.Maximum(t[0], t[1]).Detach(), [x, reversed], 0, 0);
            Verify.SameOnBackends(t => F.Minimum(t[0], t[1]).Detach(), [x, reversed], 0, 0);
        }
    }

    [Fact]
    public void Large_inputs_stay_finite()
    {
        var x = Tensor.From(new double[] { -800, 800 });
        Assert.Equal([0.0, 1.0], F.Sigmoid(x).ToDoubleArray());
        Assert.Equal([0.0, 800.0], F.Softplus(x).ToDoubleArray());
        Assert.Equal([0.0, 800.0], F.Silu(x).ToDoubleArray());
        Assert.Equal([0.0, 800.0], F.Gelu(x).ToDoubleArray());
    }

    [Fact]
    public void Bad_arguments_name_the_argument()
    {
        var x = Tensor.Zeros(new Shape(2));
        Assert.Contains("approximate", Assert.Throws<ArgumentException>(() => F.Gelu(x, "fast")).Message);
        Assert.Contains("beta", Assert.Throws<ArgumentOutOfRangeException>(() => F.Softplus(x, 0)).Message);
        Assert.Contains("min", Assert.Throws<ArgumentException>(() => F.Clamp(x)).Message);
        Assert.Contains("max", Assert.Throws<ArgumentOutOfRangeException>(() => F.Clamp(x, 0, double.NaN)).Message);
        foreach (var (name, f, _, _, _) in Ops)
        {
            var ex = Assert.Throws<DTypeMismatchException>(() => f(Tensor.Arange(3)));
            Assert.Contains(name.Split(' ')[0], ex.Message);
            Assert.Contains("input", ex.Message);
        }
    }

    [Theory]
    [InlineData(DType.F32)]
    [InlineData(DType.F64)]
    public void Relu_gradient_passes_dy_only_where_x_is_positive_across_vector_tails(DType dtype)
    {
        // 37 elements: two 512-bit float vectors and a ragged tail; zeros, negative zero and NaN take gradient 0.
        var v = Enumerable.Range(0, 37).Select(i => i % 5 == 0 ? 0.0 : i % 7 == 0 ? double.NaN : i % 3 == 0 ? -i : i / 4.0)
            .ToArray();
        v[1] = -0.0;
        var x = Tensor.FromDoubles(v, new Shape(37), dtype).RequiresGrad_();
        var dy = Tensor.FromDoubles(Enumerable.Range(0, 37).Select(i => i + 0.5).ToArray(), new Shape(37), dtype);
        F.Relu(x).Backward(dy);
        var expected = v.Select((xi, i) => xi > 0 ? i + 0.5 : 0.0).ToArray();
        Assert.Equal(expected, x.Grad!.ToDoubleArray());
    }
}
