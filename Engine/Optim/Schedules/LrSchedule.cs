namespace Scratch.Optim.Schedules;

/// <summary>A learning-rate schedule as a pure function of the optimizer step (0-based, counting steps already
/// taken): the same step always gives the same rate, so resuming needs only the step count.</summary>
public abstract class LrSchedule
{
    /// <summary>The learning rate to use for step <paramref name="step"/> (≥ 0).</summary>
    public abstract double LrAt(long step);

    /// <summary>Sets every group of <paramref name="optimizer"/> to <see cref="LrAt"/>(<paramref name="step"/>) and
    /// returns the rate.</summary>
    public double Apply(Optimizer optimizer, long step)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var lr = LrAt(step);
        optimizer.Lr = lr;
        return lr;
    }

    /// <summary>Throws for a negative step.</summary>
    protected static void RequireStep(long step, string schedule)
    {
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, $"{schedule}.LrAt: step expected >= 0, got {step}.");
    }

    /// <summary>Throws unless <paramref name="value"/> is finite and ≥ 0.</summary>
    protected static void RequireNonNegative(double value, string arg, string schedule)
    {
        if (!double.IsFinite(value) || value < 0)
            throw new ArgumentOutOfRangeException(arg, value, $"{schedule}: {arg} expected a finite value >= 0, got {value}.");
    }

    /// <summary>Throws unless <paramref name="value"/> &gt; 0.</summary>
    protected static void RequirePositive(long value, string arg, string schedule)
    {
        if (value <= 0) throw new ArgumentOutOfRangeException(arg, value, $"{schedule}: {arg} expected > 0, got {value}.");
    }
}

/// <summary>lr(t) = lr.</summary>
public sealed class ConstantLr : LrSchedule
{
    /// <summary>A constant rate <paramref name="lr"/>.</summary>
    public ConstantLr(double lr)
    {
        RequireNonNegative(lr, nameof(lr), "ConstantLr");
        Lr = lr;
    }

    /// <summary>The rate.</summary>
    public double Lr { get; }

    /// <inheritdoc/>
    public override double LrAt(long step)
    {
        RequireStep(step, "ConstantLr");
        return Lr;
    }
}

/// <summary>lr(t) = baseLr·γ^k with k the number of milestones ≤ t (<c>torch.optim.lr_scheduler.MultiStepLR</c>).
/// </summary>
public sealed class MultiStepLr : LrSchedule
{
    private readonly long[] _milestones;

    /// <summary>Decays by <paramref name="gamma"/> at each of <paramref name="milestones"/> (repeats count twice,
    /// as in PyTorch).</summary>
    public MultiStepLr(double baseLr, IEnumerable<long> milestones, double gamma = 0.1)
    {
        RequireNonNegative(baseLr, nameof(baseLr), "MultiStepLr");
        RequireNonNegative(gamma, nameof(gamma), "MultiStepLr");
        BaseLr = baseLr;
        Gamma = gamma;
        _milestones = milestones.Order().ToArray();
    }

    /// <summary>The rate before the first milestone.</summary>
    public double BaseLr { get; }

    /// <summary>The decay factor.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    public override double LrAt(long step)
    {
        RequireStep(step, "MultiStepLr");
        var k = _milestones.Count(m => m <= step);
        return BaseLr * Math.Pow(Gamma, k);
    }
}

/// <summary>Cosine annealing from baseLr to minLr over <c>total</c> steps:
/// lr(t) = minLr + (baseLr − minLr)·(1 + cos(π·t/total))/2, held at minLr after total
/// (the closed form of <c>torch.optim.lr_scheduler.CosineAnnealingLR</c> with T_max = total).</summary>
public sealed class CosineLr : LrSchedule
{
    /// <summary>Anneals <paramref name="baseLr"/> to <paramref name="minLr"/> over <paramref name="total"/> steps.</summary>
    public CosineLr(double baseLr, long total, double minLr = 0)
    {
        RequireNonNegative(baseLr, nameof(baseLr), "CosineLr");
        RequireNonNegative(minLr, nameof(minLr), "CosineLr");
        RequirePositive(total, nameof(total), "CosineLr");
        (BaseLr, Total, MinLr) = (baseLr, total, minLr);
    }

    /// <summary>The rate at step 0.</summary>
    public double BaseLr { get; }

    /// <summary>Steps to reach <see cref="MinLr"/>.</summary>
    public long Total { get; }

    /// <summary>The final rate.</summary>
    public double MinLr { get; }

    /// <inheritdoc/>
    public override double LrAt(long step)
    {
        RequireStep(step, "CosineLr");
        var t = Math.Min(step, Total);
        return MinLr + (BaseLr - MinLr) * (1 + Math.Cos(Math.PI * t / Total)) / 2;
    }
}

/// <summary>Polynomial decay: lr(t) = baseLr·(1 − t/total)^power, 0 after total
/// (<c>torch.optim.lr_scheduler.PolynomialLR</c>'s closed form).</summary>
public sealed class PolyLr : LrSchedule
{
    /// <summary>Decays <paramref name="baseLr"/> to 0 over <paramref name="total"/> steps.</summary>
    public PolyLr(double baseLr, long total, double power = 1)
    {
        RequireNonNegative(baseLr, nameof(baseLr), "PolyLr");
        RequireNonNegative(power, nameof(power), "PolyLr");
        RequirePositive(total, nameof(total), "PolyLr");
        (BaseLr, Total, Power) = (baseLr, total, power);
    }

    /// <summary>The rate at step 0.</summary>
    public double BaseLr { get; }

    /// <summary>Steps to reach 0.</summary>
    public long Total { get; }

    /// <summary>The exponent.</summary>
    public double Power { get; }

    /// <inheritdoc/>
    public override double LrAt(long step)
    {
        RequireStep(step, "PolyLr");
        var t = Math.Min(step, Total);
        return BaseLr * Math.Pow(1 - (double)t / Total, Power);
    }
}
