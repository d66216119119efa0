using Scratch.Tests.Ops.Norm;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Loss;

public class NllLossTests
{
    private static Tensor Nll(Tensor[] x, CrossEntropyTests.LossCase c) =>
        F.NllLoss(x[0], x[1], x.Length > 2 ? x[2] : null, -100, c.Reduction);

    private static Tensor[] Inputs(CrossEntropyTests.LossCase c, DType dtype = DType.F64) =>
        c.W(dtype) is { } w ? [c.X(dtype), c.T, w] : [c.X(dtype), c.T];

    [FsCheck.Xunit.Property(Arbitrary = [typeof(CrossEntropyTests.Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Gradients_match_finite_differences(CrossEntropyTests.LossCase c)
    {
        if (c.Reduction == Reduction.Mean && c.Target.All(t => t == -100)) return;
        var inputs = Inputs(c);
        inputs[0].RequiresGrad = true;
        var r = Scratch.Autograd.Gradcheck.Check(t => Nll(t, c), inputs);
        Assert.True(r.Passed, r.Report);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(CrossEntropyTests.Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Cpu_matches_reference(CrossEntropyTests.LossCase c)
    {
        Verify.SameOnBackends(t => Nll(t, c), Inputs(c), 1e-12, 1e-12);
        Verify.SameOnBackends(t => Nll(t, c), Inputs(c, DType.F32), 1e-6, 1e-5);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(CrossEntropyTests.Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Sum_is_the_sum_of_none_and_mean_divides_by_weights(CrossEntropyTests.LossCase c)
    {
        var x = c.X();
        var none = F.NllLoss(x, c.T, c.W(), -100, Reduction.None);
        Verify.Close(none.Sum(), F.NllLoss(x, c.T, c.W(), -100, Reduction.Sum), 1e-12, 1e-12);
        var w = c.W()?.ToDoubleArray();
        var denom = c.Target.Where(t => t != -100).Sum(t => w?[t] ?? 1.0);
        Verify.Close([none.Sum().Item() / denom], [F.NllLoss(x, c.T, c.W(), -100).Item()], 1e-12, 1e-12);
    }

    [Fact]
    public void Matches_torch()
    {
        var lp = F.LogSoftmax(SeqValues.Of(0, 4, 3), 1);
        var t = Tensor.From(new long[] { 0, 2, -100, 1 });
        var w = Tensor.From(new[] { 0.2, 1.0, 0.5 });
        // torch 1.13: F.nll_loss(F.log_softmax(seq(4,3),1), t, weight=w)
        Verify.Values(F.NllLoss(lp, t, w), new Shape(), [0.6132242079], 1e-9);
        // torch 1.13: F.nll_loss(..., weight=w, reduction="none")
        Verify.Values(F.NllLoss(lp, t, w, reduction: Reduction.None), new Shape(4), [0.5908318326, 0.1437462482, 0.0, 0.3079030725], 1e-9);
        // torch 1.13: F.nll_loss(..., torch.tensor([1,1,0,2]), ignore_index=1, reduction="sum")
        Verify.Values(F.NllLoss(lp, Tensor.From(new long[] { 1, 1, 0, 2 }), ignoreIndex: 1, reduction: Reduction.Sum), new Shape(), [5.595395569], 1e-9);
        // torch 1.13: F.nll_loss(..., torch.tensor([-100]*4)) is nan
        Assert.True(double.IsNaN(F.NllLoss(lp, Tensor.From(new long[] { -100, -100, -100, -100 })).Item()));
    }

    [Fact]
    public void Bad_input_is_rejected()
    {
        var lp = Tensor.Zeros(new Shape(2, 3, 2));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => F.NllLoss(lp, Tensor.From(new long[] { 0, 1, 5, 2 }, new Shape(2, 2))));
        Assert.Equal("target", ex.ParamName);
        Assert.Contains("5", ex.Message);
        Assert.Contains("[0, 2]", ex.Message);
        var sh = Assert.Throws<ShapeMismatchException>(() => F.NllLoss(lp, Tensor.From(new long[] { 0, 1 })));
        Assert.Contains("target", sh.Message);
    }
}
