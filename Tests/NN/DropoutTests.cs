using Scratch.NN;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.NN;

public class DropoutTests
{
    private static double P(ShapeCase c) => new[] { 0.1, 0.5, 0.8 }[c.Seed % 3];

    [TensorProperty]
    public void Gradients_match_finite_differences(ShapeCase c) =>
        Verify.Gradients(x => F.Dropout(x[0], P(c), true, new Generator(c.Seed)), c.Make());

    [TensorProperty]
    public void Cpu_matches_reference(ShapeCase c) =>
        Verify.SameOnBackends(x => F.Dropout(x[0], P(c), true, new Generator(c.Seed)), [c.Make(DType.F32)], 1e-6, 1e-6);

    [TensorProperty]
    public void Kept_values_are_scaled_and_the_rest_are_zero(ShapeCase c)
    {
        var p = P(c);
        var x = Values.AwayFromZero(c.Shape, c.Seed);
        var y = F.Dropout(x, p, true, new Generator(c.Seed)).ToDoubleArray();
        var xv = x.ToDoubleArray();
        for (var i = 0; i < xv.Length; i++)
            Assert.True(y[i] == 0 || Math.Abs(y[i] - xv[i] / (1 - p)) < 1e-12, $"element {i}: {y[i]} from {xv[i]}");
    }

    [Fact]
    public void Keep_rate_is_about_one_minus_p_and_identity_cases_hold()
    {
        var x = Tensor.Ones(new Shape(100, 100));
        var kept = F.Dropout(x, 0.3, true, new Generator(1)).ToDoubleArray().Count(v => v != 0);
        Assert.InRange(kept, 6700, 7300);
        Assert.Same(x, F.Dropout(x, 0.3, training: false));
        Assert.Same(x, F.Dropout(x, 0, true));
        Assert.All(F.Dropout(x, 1, true).ToDoubleArray(), v => Assert.Equal(0, v));
    }

    [Fact]
    public void Module_uses_its_generator_and_mode()
    {
        var x = Tensor.Ones(new Shape(4, 5));
        var a = new Dropout(0.5, new Generator(3)).Forward(x);
        var b = F.Dropout(x, 0.5, true, new Generator(3));
        Verify.Close(b, a, 0, 0);
        var m = new Dropout(0.5);
        m.Eval();
        Assert.Same(x, m.Forward(x));
        Assert.Empty(m.NamedParameters());
    }

    [Fact]
    public void Bad_p_is_rejected()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => F.Dropout(Tensor.Ones(new Shape(2)), 1.5));
        Assert.Equal("p", ex.ParamName);
        Assert.Contains("1.5", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(-0.1));
    }
}
