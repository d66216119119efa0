namespace Scratch;

/// <summary>How <see cref="F.SoftNms"/> decays the score of a box overlapping a selected one by IoU o.</summary>
public enum SoftNmsMethod
{
    /// <summary>s ← s·(1 − o) when o &gt; threshold, unchanged otherwise (Bodla et al. 2017, eq. 2).</summary>
    Linear,

    /// <summary>s ← s·exp(−o²/σ) for every o (Bodla et al. 2017, eq. 3).</summary>
    Gaussian,

    /// <summary>s ← 0 when o &gt; threshold: plain NMS with a score floor.</summary>
    Hard,
}
