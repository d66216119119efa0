namespace Scratch.Optim.Schedules;

/// <summary>The 1cycle policy (<c>torch.optim.lr_scheduler.OneCycleLR</c>, two phases, cosine annealing): from
/// maxLr/divFactor up to maxLr over the first pctStart·total steps, then down to
/// maxLr/(divFactor·finalDivFactor) at step total − 1.</summary>
/// <remarks>Phase 1 ends at step e₁ = pctStart·total − 1, phase 2 at e₂ = total − 1; within a phase from a to b
/// with fraction f of the way done: lr = b + (a − b)·(1 + cos(π·f))/2. Steps past total − 1 hold the final rate
/// (PyTorch raises there).</remarks>
public sealed class OneCycleLr : LrSchedule
{
    /// <summary>Creates the schedule.</summary>
    public OneCycleLr(double maxLr, long total, double pctStart = 0.3, double divFactor = 25, double finalDivFactor = 1e4)
    {
        RequireNonNegative(maxLr, nameof(maxLr), "OneCycleLr");
        RequirePositive(total, nameof(total), "OneCycleLr");
        if (pctStart is not (> 0 and < 1))
            throw new ArgumentOutOfRangeException(nameof(pctStart), pctStart, $"OneCycleLr: pctStart expected a value in (0, 1), got {pctStart}.");
        if (!(divFactor > 0)) throw new ArgumentOutOfRangeException(nameof(divFactor), divFactor, $"OneCycleLr: divFactor expected > 0, got {divFactor}.");
        if (!(finalDivFactor > 0)) throw new ArgumentOutOfRangeException(nameof(finalDivFactor), finalDivFactor, $"OneCycleLr: finalDivFactor expected > 0, got {finalDivFactor}.");
        (MaxLr, Total, PctStart) = (maxLr, total, pctStart);
        InitialLr = maxLr / divFactor;
        FinalLr = InitialLr / finalDivFactor;
    }

    /// <summary>The peak rate.</summary>
    public double MaxLr { get; }

    /// <summary>Total steps of the cycle.</summary>
    public long Total { get; }

    /// <summary>Fraction of the cycle spent increasing.</summary>
    public double PctStart { get; }

    /// <summary>The rate at step 0 (maxLr/divFactor).</summary>
    public double InitialLr { get; }

    /// <summary>The rate at the last step (initial/finalDivFactor).</summary>
    public double FinalLr { get; }

    /// <inheritdoc/>
    public override double LrAt(long step)
    {
        RequireStep(step, "OneCycleLr");
        double t = Math.Min(step, Total - 1);
        var end1 = PctStart * Total - 1;
        var end2 = Total - 1.0;
        return t <= end1
            ? Anneal(InitialLr, MaxLr, t / end1)
            : Anneal(MaxLr, FinalLr, (t - end1) / (end2 - end1));
    }

    private static double Anneal(double start, double end, double pct) =>
        end + (start - end) / 2 * (Math.Cos(Math.PI * pct) + 1);
}
