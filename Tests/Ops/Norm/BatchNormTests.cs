using Scratch.Autograd;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Norm;

public class BatchNormTests
{
    private static int[] BnShape(ShapeCase c)
    {
        var d = c.Dims.Select(v => Math.Clamp(v, 1, 3)).ToArray();
        var n = d.Length > 0 ? d[0] : 2;
        return [n + 1, d.Length > 1 ? d[1] : 2, .. d.Skip(2).Take(2)];
    }

    [TensorProperty]
    public void Gradients_match_finite_differences(ShapeCase c)
    {
        var s = BnShape(c);
        var x = Values.Uniform(new Shape(s), c.Seed, DType.F64, -2, 2);
        var w = Values.Uniform(new Shape(s[1]), c.Seed + 1, DType.F64, 0.5, 2);
        var b = Values.Uniform(new Shape(s[1]), c.Seed + 2, DType.F64, -1, 1);
        Verify.Gradients(t => F.BatchNorm(t[0], null, null, t[1], t[2], training: true), x, w, b);
        var rm = Values.Uniform(new Shape(s[1]), c.Seed + 3, DType.F64, -1, 1);
        var rv = Values.Uniform(new Shape(s[1]), c.Seed + 4, DType.F64, 0.5, 2);
        Verify.Gradients(t => F.BatchNorm(t[0], rm, rv, t[1], t[2], training: false), x.Detach().Clone(), w.Detach().Clone(), b.Detach().Clone());
    }

    [TensorProperty]
    public void Cpu_matches_reference(ShapeCase c)
    {
        var s = BnShape(c);
        var x = Values.Uniform(new Shape(s), c.Seed, DType.F32, -2, 2);
        var w = Values.Uniform(new Shape(s[1]), c.Seed + 1, DType.F32, 0.5, 2);
        Verify.SameOnBackends(t => F.BatchNorm(t[0], null, null, t[1], null, training: true), [x, w], 1e-3, 1e-3);
    }

    [TensorProperty]
    public void Eval_is_the_affine_of_the_running_stats(ShapeCase c)
    {
        var s = BnShape(c);
        var ch = s[1];
        var x = Values.Uniform(new Shape(s), c.Seed, DType.F64, -2, 2);
        var rm = Values.Uniform(new Shape(ch), c.Seed + 3, DType.F64, -1, 1);
        var rv = Values.Uniform(new Shape(ch), c.Seed + 4, DType.F64, 0.5, 2);
        var w = Values.Uniform(new Shape(ch), c.Seed + 1, DType.F64, -2, 2);
        var b = Values.Uniform(new Shape(ch), c.Seed + 2, DType.F64, -1, 1);
        var scale = rv.ToDoubleArray().Select((v, i) => w.ToDoubleArray()[i] / Math.Sqrt(v + 1e-5)).ToArray();
        var shift = scale.Select((sc, i) => b.ToDoubleArray()[i] - rm.ToDoubleArray()[i] * sc).ToArray();
        var view = Enumerable.Repeat(1, s.Length).ToArray();
        view[1] = ch;
        var expected = x * Tensor.FromDoubles(scale, new Shape(view), DType.F64) + Tensor.FromDoubles(shift, new Shape(view), DType.F64);
        var before = rm.ToDoubleArray();
        Verify.Close(expected, F.BatchNorm(x, rm, rv, w, b, training: false), 1e-12, 1e-12);
        Assert.Equal(before, rm.ToDoubleArray());
    }

    [Fact]
    public void Training_matches_torch_and_updates_running_stats_in_place()
    {
        var x = SeqValues.Of(0, 3, 2, 2);
        var rm = Tensor.From(new[] { 0.1, -0.2 });
        var rv = Tensor.From(new[] { 1.0, 0.5 });
        var w = Tensor.From(new[] { 1.5, -0.5 });
        var b = Tensor.From(new[] { 0.25, 0.75 });
        var storage = rm.Storage;
        // torch 1.13: F.batch_norm(seq(3,2,2), rm, rv, w, b, training=True, momentum=0.1, eps=1e-5)
        Verify.Values(F.BatchNorm(x, rm, rv, w, b, training: true), new Shape(3, 2, 2),
            [-2.0055727151, -0.2593228712, 0.1067354736, 1.2324483948, 0.1772395898, 1.9234894338, 1.0716322632, 0.4283677368, 2.3600518948, -0.6958853322, 0.2675516052, 1.3932645264], 1e-9);
        // torch 1.13: rm, rv after that call (unbiased variance in the update)
        Verify.Values(rm, new Shape(2), [0.0955555556, -0.2133333333], 1e-9);
        Verify.Values(rv, new Shape(2), [1.0574074074, 0.5788888889], 1e-9);
        Assert.Same(storage, rm.Storage);
        // torch 1.13: F.batch_norm(seq(3,2,2), rm, rv, w, b, training=False) with the updated stats
        Verify.Values(F.BatchNorm(x, rm, rv, w, b), new Shape(3, 2, 2),
            [-2.3205656794, -0.3756231729, -0.04734959, 1.4860150062, 0.1106124537, 2.0555549602, 1.266962921, 0.3907545803, 2.5417905868, -0.8618587995, 0.1717024951, 1.7050670914], 1e-9);
    }

    [Fact]
    public void Bad_input_is_rejected()
    {
        var x = Tensor.Zeros(new Shape(4, 3));
        var ex = Assert.Throws<ShapeMismatchException>(() => F.BatchNorm(x, Tensor.Zeros(new Shape(2)), Tensor.Ones(new Shape(3))));
        Assert.Contains("runningMean", ex.Message);
        var one = Assert.Throws<ArgumentException>(() => F.BatchNorm(Tensor.Zeros(new Shape(1, 3)), null, null, training: true));
        Assert.Contains("more than 1 value per channel", one.Message);
        Assert.Throws<ShapeMismatchException>(() => F.BatchNorm(Tensor.Zeros(new Shape(3)), null, null));
        using (GradMode.Disable())
            Assert.Throws<DTypeMismatchException>(() => F.BatchNorm(x, Tensor.Zeros(new Shape(3), DType.F64), null));
    }
}
