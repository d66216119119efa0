namespace Scratch.Eval;

/// <summary>Output of <see cref="CocoEval.Evaluate"/>: the accumulated precision/recall tables and the summary.</summary>
public sealed class CocoEvalResult
{
    internal CocoEvalResult(CocoEvalParams p, long[] categoryIds, double[,,,,] precision, double[,,,] recall, CocoStats stats, string[] lines)
    {
        Params = p;
        CategoryIds = categoryIds;
        Precision = precision;
        Recall = recall;
        Stats = stats;
        SummaryLines = lines;
    }

    /// <summary>The parameters used.</summary>
    public CocoEvalParams Params { get; }

    /// <summary>The category ids of the K axis (sorted).</summary>
    public long[] CategoryIds { get; }

    /// <summary>Interpolated precision [T, R, K, A, M]; −1 where the category has no non-ignored ground truth.</summary>
    public double[,,,,] Precision { get; }

    /// <summary>Final recall [T, K, A, M]; −1 where the category has no non-ignored ground truth.</summary>
    public double[,,,] Recall { get; }

    /// <summary>The 12 summary numbers.</summary>
    public CocoStats Stats { get; }

    /// <summary>The 12 summary lines in pycocotools' format, e.g.
    /// <c> Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.123</c>.</summary>
    public IReadOnlyList<string> SummaryLines { get; }
}
