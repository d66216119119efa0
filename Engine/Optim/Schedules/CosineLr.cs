namespace Scratch.Optim.Schedules;

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
