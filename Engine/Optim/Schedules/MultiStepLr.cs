namespace Scratch.Optim.Schedules;

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
