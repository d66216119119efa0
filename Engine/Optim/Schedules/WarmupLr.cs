namespace Scratch.Optim.Schedules;

/// <summary>How <see cref="WarmupLr"/> ramps the factor.</summary>
public enum WarmupMethod
{
    /// <summary>factor = w·(1 − α) + α with α = t/warmupSteps: from w to 1.</summary>
    Linear,

    /// <summary>factor = w throughout the warmup.</summary>
    Constant,
}

/// <summary>Multiplies an inner schedule by a warmup factor over the first <c>warmupSteps</c> steps, as detectron2's
/// <c>WarmupMultiStepLR</c>: lr(t) = inner(t)·factor(t), factor = 1 from <c>warmupSteps</c> on.</summary>
public sealed class WarmupLr : LrSchedule
{
    /// <summary>Wraps <paramref name="inner"/> with <paramref name="warmupSteps"/> of warmup starting at factor
    /// <paramref name="warmupFactor"/>.</summary>
    public WarmupLr(LrSchedule inner, long warmupSteps, double warmupFactor = 0.001, WarmupMethod method = WarmupMethod.Linear)
    {
        ArgumentNullException.ThrowIfNull(inner);
        if (warmupSteps < 0)
            throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, $"WarmupLr: warmupSteps expected >= 0, got {warmupSteps}.");
        RequireNonNegative(warmupFactor, nameof(warmupFactor), "WarmupLr");
        (Inner, WarmupSteps, WarmupFactor, Method) = (inner, warmupSteps, warmupFactor, method);
    }

    /// <summary>The wrapped schedule.</summary>
    public LrSchedule Inner { get; }

    /// <summary>Length of the warmup.</summary>
    public long WarmupSteps { get; }

    /// <summary>The factor at step 0.</summary>
    public double WarmupFactor { get; }

    /// <summary>Linear or constant warmup.</summary>
    public WarmupMethod Method { get; }

    /// <summary>The multiplier at <paramref name="step"/>.</summary>
    public double FactorAt(long step)
    {
        RequireStep(step, "WarmupLr");
        if (step >= WarmupSteps) return 1;
        if (Method == WarmupMethod.Constant) return WarmupFactor;
        var alpha = (double)step / WarmupSteps;
        return WarmupFactor * (1 - alpha) + alpha;
    }

    /// <inheritdoc/>
    public override double LrAt(long step) => Inner.LrAt(step) * FactorAt(step);
}
