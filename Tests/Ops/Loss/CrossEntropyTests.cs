using FsCheck;
using FsCheck.Fluent;
using Scratch.Tests.Ops.Norm;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Loss;

public class CrossEntropyTests
{
    /// <summary>Input [N, C, extra...], index targets (some ignored), options.</summary>
    public sealed record LossCase(int[] Input, long[] Target, bool Weighted, double Smoothing, Reduction Reduction, ulong Seed)
    {
        public override string ToString() => $"{new Shape(Input)} t=[{string.Join(",", Target)}] w={Weighted} ls={Smoothing} {Reduction}";

        public Tensor X(DType dtype = DType.F64) => Values.Uniform(new Shape(Input), Seed, dtype, -2, 2);

        public Tensor T => Tensor.From(Target, new Shape(Input.Where((_, i) => i != (Input.Length == 1 ? 0 : 1)).ToArray()));

        public Tensor? W(DType dtype = DType.F64) => Weighted ? Values.Uniform(new Shape(Input[Input.Length == 1 ? 0 : 1]), Seed + 1, dtype, 0.2, 2) : null;
    }

    public static class Arbs
    {
        public static Arbitrary<LossCase> Cases() => Arb.From(
            from n in Gen.Choose(1, 4)
            from c in Gen.Choose(1, 5)
            from extra in Gen.Choose(0, 2).SelectMany(r => Gen.ArrayOf(Gen.Choose(1, 3), r))
            from unbatched in Gen.Frequency((1, Gen.Constant(true)), (6, Gen.Constant(false)))
            from seed in Gen.Choose(0, int.MaxValue)
            from weighted in Gen.Elements(true, false)
            from smoothing in Gen.Elements(0.0, 0.1, 0.35)
            from reduction in Gen.Elements(Reduction.None, Reduction.Mean, Reduction.Sum)
            let shape = unbatched ? new[] { c } : new[] { n, c }.Concat(extra).ToArray()
            let count = (int)(new Shape(shape).Numel / c)
            from target in Gen.ArrayOf(Gen.Frequency((5, Gen.Choose(0, c - 1)), (1, Gen.Constant(-100))), count)
            select new LossCase(shape, target.Select(v => (long)v).ToArray(), weighted, smoothing, reduction, (ulong)seed));
    }

    private static Tensor Ce(Tensor[] x, LossCase c) => F.CrossEntropy(x[0], x[1], x.Length > 2 ? x[2] : null, -100, c.Smoothing, c.Reduction);

    private static Tensor[] Inputs(LossCase c, DType dtype = DType.F64) =>
        c.W(dtype) is { } w ? [c.X(dtype), c.T, w] : [c.X(dtype), c.T];

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Gradients_match_finite_differences(LossCase c)
    {
        var inputs = Inputs(c);
        if (inputs.Length > 2) inputs[2].RequiresGrad = false;
        if (c.Reduction == Reduction.Mean && c.Target.All(t => t == -100)) return;
        inputs[0].RequiresGrad = true;
        var r = Scratch.Autograd.Gradcheck.Check(t => Ce(t, c), inputs);
        Assert.True(r.Passed, r.Report);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Cpu_matches_reference(LossCase c)
    {
        Verify.SameOnBackends(t => Ce(t, c), Inputs(c), 1e-12, 1e-10);
        Verify.SameOnBackends(t => Ce(t, c), Inputs(c, DType.F32), 1e-5, 1e-4);
    }

    /// <summary>PyTorch 1.13's cross_entropy_loss_label_smoothing written from differentiable primitives.</summary>
    private static Tensor Composed(Tensor x, Tensor target, Tensor? w, double eps, Reduction reduction)
    {
        var dim = x.Rank == 1 ? 0 : 1;
        var classes = x.Shape[dim];
        var logp = F.LogSoftmax(x, dim);
        var nll = F.NllLoss(logp, target, w, -100, reduction);
        var view = Enumerable.Repeat(1, x.Rank).ToArray();
        view[dim] = classes;
        var smooth = -F.Sum(w is null ? logp : logp * w.Reshape(view), [dim]);
        var t = target.ToArray<long>();
        var keep = t.Select(v => v == -100 ? 0.0 : 1.0).ToArray();
        var denom = t.Where(v => v != -100).Sum(v => w?.ToDoubleArray()[v] ?? 1.0);
        smooth = smooth * Tensor.FromDoubles(keep, target.Shape, x.DType);
        var reduced = reduction switch
        {
            Reduction.None => smooth,
            Reduction.Sum => smooth.Sum(),
            _ => smooth.Sum() / denom,
        };
        return nll * (1 - eps) + reduced * (eps / classes);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Fused_kernel_matches_the_composed_definition(LossCase c)
    {
        var x1 = c.X().RequiresGrad_();
        var x2 = c.X().RequiresGrad_();
        var fused = F.CrossEntropy(x1, c.T, c.W(), -100, c.Smoothing, c.Reduction);
        var composed = Composed(x2, c.T, c.W(), c.Smoothing, c.Reduction);
        Verify.Close(composed, fused, 1e-12, 1e-10);
        if (c.Reduction == Reduction.Mean && c.Target.All(t => t == -100)) return;
        var g = Values.Uniform(fused.Shape, c.Seed + 5, DType.F64, -1, 1);
        (fused * g).Sum().Backward();
        (composed * g).Sum().Backward();
        Verify.Close(x2.Grad!, x1.Grad!, 1e-12, 1e-10, "grad");
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Equals_nll_of_log_softmax_without_smoothing(LossCase c)
    {
        var x = c.X();
        var dim = x.Rank == 1 ? 0 : 1;
        var expected = F.NllLoss(F.LogSoftmax(x, dim), c.T, c.W(), -100, c.Reduction);
        Verify.Close(expected, F.CrossEntropy(x, c.T, c.W(), -100, 0, c.Reduction), 1e-12, 1e-12);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Probability_targets_match_one_hot_index_targets(LossCase c)
    {
        if (c.Target.Any(t => t == -100) || c.Reduction == Reduction.Mean && c.Weighted) return;
        var x = c.X();
        var classDim = x.Rank == 1 ? 0 : 1;
        var classes = x.Shape[classDim];
        var oneHot = new double[x.Numel];
        var idx = 0;
        // Flat index walk over [outer, C, inner] with the target in target order.
        var outer = x.Rank == 1 ? 1 : x.Shape[0];
        var inner = (int)(x.Numel / Math.Max(1, outer * classes));
        for (var o = 0; o < outer; o++)
            for (var i = 0; i < inner; i++, idx++)
                oneHot[(o * classes + c.Target[idx]) * inner + i] = 1;
        var p = Tensor.FromDoubles(oneHot, x.Shape, DType.F64);
        Verify.Close(F.CrossEntropy(x, c.T, c.W(), -100, c.Smoothing, c.Reduction),
            F.CrossEntropy(x, p, c.W(), -100, c.Smoothing, c.Reduction), 1e-10, 1e-10);
    }

    [Fact]
    public void Matches_torch_with_weight_ignore_index_and_label_smoothing()
    {
        var x = SeqValues.Of(0, 4, 3).RequiresGrad_();
        var t = Tensor.From(new long[] { 0, 2, -100, 1 });
        var w = Tensor.From(new[] { 0.2, 1.0, 0.5 });
        // torch 1.13: F.cross_entropy(seq(4,3), t, weight=w, ignore_index=-100, label_smoothing=0.1, reduction="mean")
        var loss = F.CrossEntropy(x, t, w, -100, 0.1);
        Verify.Values(loss, new Shape(), [0.6826385788], 1e-9);
        // torch 1.13: same with reduction="sum" and "none"
        Verify.Values(F.CrossEntropy(x, t, w, -100, 0.1, Reduction.Sum), new Shape(), [1.160485584], 1e-9);
        Verify.Values(F.CrossEntropy(x, t, w, -100, 0.1, Reduction.None), new Shape(4), [0.6102621131, 0.2078850871, 0.0, 0.3423383838], 1e-9);
        loss.Backward();
        // torch 1.13: x.grad after the mean loss's backward
        Verify.Values(x.Grad!, new Shape(4, 3), [-0.1025476563, 0.0079200174, 0.094627639, 0.011612971, 0.0393250413, -0.0509380123, 0.0, 0.0, 0.0, 0.105104865, -0.1354095269, 0.0303046619], 1e-9);
    }

    [Fact]
    public void Matches_torch_for_spatial_and_probability_targets()
    {
        var w = Tensor.From(new[] { 0.2, 1.0, 0.5 });
        var x3 = SeqValues.Of(0, 2, 3, 2);
        var t3 = Tensor.From(new long[] { 0, 1, 2, -100 }, new Shape(2, 2));
        // torch 1.13: F.cross_entropy(seq(2,3,2), [[0,1],[2,-100]], weight=w, label_smoothing=0.2)
        Verify.Values(F.CrossEntropy(x3, t3, w, labelSmoothing: 0.2), new Shape(), [2.2312236424], 1e-9);
        // torch 1.13: F.cross_entropy(seq(2,3,2), [[0,1],[2,-100]], label_smoothing=0.2, reduction="none")
        Verify.Values(F.CrossEntropy(x3, t3, labelSmoothing: 0.2, reduction: Reduction.None), new Shape(2, 2), [2.7405878877, 2.6520307564, 1.4072545544, 0.0], 1e-9);
        var p = F.Softmax(SeqValues.Of(3, 4, 3), 1);
        // torch 1.13: F.cross_entropy(seq(4,3), softmax(seq(4,3,k=3),1), weight=w, label_smoothing=0.1)
        Verify.Values(F.CrossEntropy(SeqValues.Of(0, 4, 3), p, w, labelSmoothing: 0.1), new Shape(), [0.6643006472], 1e-9);
    }

    [Fact]
    public void Parallel_cpu_path_matches_reference_on_large_inputs()
    {
        var x = Values.Uniform(new Shape(60, 300, 2), 3, DType.F32, -5, 5);
        var t = Tensor.Randint(0, 300, new Shape(60, 2), new Generator(4));
        var w = Values.Uniform(new Shape(300), 5, DType.F32, 0.5, 2);
        Verify.SameOnBackends(a => F.CrossEntropy(a[0], a[1], a[2], labelSmoothing: 0.1), [x, t, w], 1e-5, 1e-4);
        Verify.SameOnBackends(a => F.CrossEntropy(a[0], a[1], reduction: Reduction.None), [x, t], 1e-5, 1e-4);
    }

    [Fact]
    public void All_ignored_mean_is_nan()
    {
        var x = SeqValues.Of(0, 2, 3);
        var t = Tensor.From(new long[] { -100, -100 });
        Assert.True(double.IsNaN(F.CrossEntropy(x, t).Item()));
        Assert.True(double.IsNaN(F.CrossEntropy(x, t, labelSmoothing: 0.1).Item()));
        Assert.Equal(0, F.CrossEntropy(x, t, reduction: Reduction.Sum).Item());
    }

    [Fact]
    public void Bad_input_is_rejected()
    {
        var x = Tensor.Zeros(new Shape(2, 3));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => F.CrossEntropy(x, Tensor.From(new long[] { 0, 3 })));
        Assert.Contains("target", ex.Message);
        Assert.Contains("3", ex.Message);
        Assert.Contains("[0, 2]", ex.Message);
        Assert.Equal("target", ex.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => F.CrossEntropy(x, Tensor.From(new long[] { -1, 0 })));
        var sh = Assert.Throws<ShapeMismatchException>(() => F.CrossEntropy(x, Tensor.From(new long[] { 0, 1, 2 })));
        Assert.Contains("target", sh.Message);
        var ws = Assert.Throws<ShapeMismatchException>(() => F.CrossEntropy(x, Tensor.From(new long[] { 0, 1 }), Tensor.Ones(new Shape(2))));
        Assert.Contains("weight", ws.Message);
        var dt = Assert.Throws<DTypeMismatchException>(() => F.CrossEntropy(x, Tensor.From(new[] { 0, 1 })));
        Assert.Contains("target", dt.Message);
        var ls = Assert.Throws<ArgumentOutOfRangeException>(() => F.CrossEntropy(x, Tensor.From(new long[] { 0, 1 }), labelSmoothing: 1.5));
        Assert.Contains("labelSmoothing", ls.Message);
    }
}
