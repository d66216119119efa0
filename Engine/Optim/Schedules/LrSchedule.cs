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
