namespace Scratch.Optim.Schedules;

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
