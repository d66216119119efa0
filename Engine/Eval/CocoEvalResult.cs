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

    /// <summary>AP@[.50:.95] (area all, largest maxDets) of each category in <see cref="CategoryIds"/> order: the mean
    /// of its precision entries that are not −1; −1 for a category without non-ignored ground truth.</summary>
    public double[] PerCategoryAP()
    {
        int T = Precision.GetLength(0), R = Precision.GetLength(1), K = Precision.GetLength(2), M = Precision.GetLength(4);
        var r = new double[K];
        for (var k = 0; k < K; k++)
        {
            double sum = 0;
            long n = 0;
            for (var t = 0; t < T; t++)
                for (var q = 0; q < R; q++)
                {
                    var v = Precision[t, q, k, 0, M - 1];
                    if (v > -1) { sum += v; n++; }
                }
            r[k] = n == 0 ? -1 : sum / n;
        }
        return r;
    }

    /// <summary>The 12 summary lines in pycocotools' format, e.g.
    /// <c> Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.123</c>.</summary>
    public IReadOnlyList<string> SummaryLines { get; }
}
