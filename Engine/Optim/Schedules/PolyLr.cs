namespace Scratch.Optim.Schedules;

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
