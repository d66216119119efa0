using Scratch.Optim;
using Scratch.Optim.Schedules;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Optim;

public class ScheduleTests
{
    private static double[] Lrs(LrSchedule s, int n) => Enumerable.Range(0, n).Select(i => s.LrAt(i)).ToArray();

    [Fact]
    public void MultiStep_matches_torch()
    {
        // torch 1.13: MultiStepLR(SGD(lr=0.1), milestones=[3,6,6], gamma=0.5), lr read before each of 9 steps
        double[] expected = [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.0125, 0.0125, 0.0125];
        Verify.Close(expected, Lrs(new MultiStepLr(0.1, [3, 6, 6], 0.5), 9), 1e-15, 1e-12);
    }

    [Fact]
    public void Cosine_matches_torch()
    {
        // torch 1.13: CosineAnnealingLR(SGD(lr=0.1), T_max=8, eta_min=0.01), lr read before each of 9 steps
        double[] expected = [0.1, 0.0965745789630079, 0.08681980515339463, 0.07222075445642905, 0.055, 0.03777924554357096, 0.023180194846605363, 0.013425421036992097, 0.01];
        Verify.Close(expected, Lrs(new CosineLr(0.1, 8, 0.01), 9), 1e-15, 1e-12);
        Assert.Equal(0.01, new CosineLr(0.1, 8, 0.01).LrAt(100), 15);
    }

    [Fact]
    public void OneCycle_matches_torch()
    {
        // torch 1.13: OneCycleLR(SGD(lr=0.1), max_lr=0.1, total_steps=10, pct_start=0.3, div_factor=25, final_div_factor=1e4)
        double[] expected = [0.0040000000000000036, 0.052000000000000005, 0.1, 0.09504846320134738, 0.0811745653949763, 0.06112620219362893, 0.03887419780637107, 0.0188258346050237, 0.004951936798652629, 4e-07];
        Verify.Close(expected, Lrs(new OneCycleLr(0.1, 10, 0.3, 25, 1e4), 10), 1e-15, 1e-12);
    }

    [Fact]
    public void Poly_and_constant_follow_their_formulas()
    {
        var p = new PolyLr(0.1, 10, 2);
        Assert.Equal(0.1, p.LrAt(0), 15);
        Assert.Equal(0.1 * 0.25, p.LrAt(5), 15);
        Assert.Equal(0.0, p.LrAt(12), 15);
        Assert.Equal(0.3, new ConstantLr(0.3).LrAt(1000));
    }

    [Fact]
    public void Warmup_scales_like_detectron2()
    {
        var linear = new WarmupLr(new ConstantLr(1), 4, 0.2);
        // detectron2 _get_warmup_factor_at_iter("linear", it, 4, 0.2) = 0.2*(1 - it/4) + it/4
        Verify.Close([0.2, 0.4, 0.6, 0.8, 1, 1], Lrs(linear, 6), 1e-15, 1e-12);
        var constant = new WarmupLr(new MultiStepLr(0.1, [2], 0.1), 3, 0.5, WarmupMethod.Constant);
        Verify.Close([0.05, 0.05, 0.005, 0.01], Lrs(constant, 4), 1e-15, 1e-12);
    }

    [Fact]
    public void Apply_sets_every_group()
    {
        var a = Tensor.Zeros(new Shape(1)).RequiresGrad_();
        var b = Tensor.Zeros(new Shape(1)).RequiresGrad_();
        var opt = new Sgd([new ParamGroup([a]), new ParamGroup([b]) { Lr = 3 }], lr: 1);
        Assert.Equal(0.5, new CosineLr(1, 2).Apply(opt, 1), 15);
        Assert.All(opt.ParamGroups, g => Assert.Equal(0.5, g.Lr!.Value, 15));
    }

    [Fact]
    public void Bad_arguments_throw_naming_them()
    {
        Assert.Contains("total", Assert.Throws<ArgumentOutOfRangeException>(() => new CosineLr(0.1, 0)).Message, StringComparison.Ordinal);
        Assert.Contains("pctStart", Assert.Throws<ArgumentOutOfRangeException>(() => new OneCycleLr(0.1, 10, 1.5)).Message, StringComparison.Ordinal);
        Assert.Contains("step", Assert.Throws<ArgumentOutOfRangeException>(() => new ConstantLr(0.1).LrAt(-1)).Message, StringComparison.Ordinal);
        Assert.Contains("warmupSteps", Assert.Throws<ArgumentOutOfRangeException>(() => new WarmupLr(new ConstantLr(1), -1)).Message, StringComparison.Ordinal);
    }
}
