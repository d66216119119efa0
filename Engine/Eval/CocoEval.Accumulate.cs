using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Scratch.Eval;

public static partial class CocoEval
{
    /// <summary>numpy's <c>np.spacing(1)</c> = 2⁻⁵², added to the precision denominator.</summary>
    private const double Eps = 2.220446049250313e-16;

    /// <summary>pycocotools' evaluateImg for one image, category and area range. <paramref name="dtAll"/> is already in
    /// stable score order; <paramref name="ious"/> is [D, G] with G in file order.</summary>
    private static ImageEval EvaluateImage(List<Gt> gtList, Dt[] dtAll, double[,] ious, (double Lo, double Hi) range,
        int maxDet, double[] iouThrs)
    {
        var G = gtList.Count;
        var gIgnore = new bool[G];
        for (var g = 0; g < G; g++) gIgnore[g] = gtList[g].Crowd || gtList[g].Area < range.Lo || gtList[g].Area > range.Hi;
        // Stable: regular ground truths first, then ignored ones, each in file order.
        var order = Enumerable.Range(0, G).Where(g => !gIgnore[g]).Concat(Enumerable.Range(0, G).Where(g => gIgnore[g])).ToArray();
        var D = Math.Min(dtAll.Length, maxDet);
        var T = iouThrs.Length;
        var gtMatched = new bool[T, G];
        var matched = new bool[T, D];
        var ignored = new bool[T, D];
        var gtIg = new bool[G];
        var crowd = new bool[G];
        for (var j = 0; j < G; j++) { gtIg[j] = gIgnore[order[j]]; crowd[j] = gtList[order[j]].Crowd; }
        if (D > 0 && G > 0)
        {
            for (var t = 0; t < T; t++)
                for (var d = 0; d < D; d++)
                {
                    var best = Math.Min(iouThrs[t], 1 - 1e-10);
                    var m = -1;
                    for (var j = 0; j < G; j++)
                    {
                        if (gtMatched[t, j] && !crowd[j]) continue;
                        if (m > -1 && !gtIg[m] && gtIg[j]) break;
                        var iou = ious[d, order[j]];
                        if (iou < best) continue;
                        best = iou;
                        m = j;
                    }
                    if (m == -1) continue;
                    ignored[t, d] = gtIg[m];
                    matched[t, d] = gtList[order[m]].Id != 0;
                    gtMatched[t, m] = true;
                }
        }
        var scores = new double[D];
        for (var d = 0; d < D; d++)
        {
            scores[d] = dtAll[d].Score;
            var outside = dtAll[d].Area < range.Lo || dtAll[d].Area > range.Hi;
            if (!outside) continue;
            for (var t = 0; t < T; t++)
                if (!matched[t, d]) ignored[t, d] = true;
        }
        return new ImageEval(scores, matched, ignored, gtIg);
    }

    private static Span<double> Flat(Array a) =>
        MemoryMarshal.CreateSpan(ref Unsafe.As<byte, double>(ref MemoryMarshal.GetArrayDataReference(a)), a.Length);

    /// <summary>pycocotools' accumulate and summarize.</summary>
    private static CocoEvalResult Accumulate(CocoEvalParams p, int[] maxDets, long[] catIds, ImageEval?[,,] evalImgs)
    {
        int T = p.IouThresholds.Length, R = p.RecallThresholds.Length, K = catIds.Length, A = p.AreaRanges.Length,
            M = maxDets.Length, I = evalImgs.GetLength(2);
        var precision = new double[T, R, K, A, M];
        var recall = new double[T, K, A, M];
        Flat(precision).Fill(-1);
        Flat(recall).Fill(-1);
        var rcThr = p.RecallThresholds;
        for (var k = 0; k < K; k++)
            for (var a = 0; a < A; a++)
                for (var m = 0; m < M; m++)
                {
                    var maxDet = maxDets[m];
                    var es = new List<ImageEval>();
                    for (var i = 0; i < I; i++) if (evalImgs[k, a, i] is { } e) es.Add(e);
                    if (es.Count == 0) continue;
                    var pool = new List<(double Score, ImageEval E, int D)>();
                    foreach (var e in es)
                        for (var d = 0; d < Math.Min(maxDet, e.Scores.Length); d++) pool.Add((e.Scores[d], e, d));
                    var npig = es.Sum(e => e.GtIgnore.Count(ig => !ig));
                    if (npig == 0) continue;
                    var sorted = StableByScore(pool, x => x.Score).ToArray();
                    var nd = sorted.Length;
                    var rc = new double[nd];
                    var pr = new double[nd];
                    for (var t = 0; t < T; t++)
                    {
                        long tp = 0, fp = 0;
                        for (var j = 0; j < nd; j++)
                        {
                            var (_, e, d) = sorted[j];
                            if (!e.Ignored[t, d])
                            {
                                if (e.Matched[t, d]) tp++;
                                else fp++;
                            }
                            rc[j] = (double)tp / npig;
                            pr[j] = tp / (fp + (double)tp + Eps);
                        }
                        recall[t, k, a, m] = nd > 0 ? rc[nd - 1] : 0;
                        for (var j = nd - 1; j > 0; j--)
                            if (pr[j] > pr[j - 1]) pr[j - 1] = pr[j];
                        var idx = 0;
                        for (var r = 0; r < R; r++)
                        {
                            while (idx < nd && rc[idx] < rcThr[r]) idx++;
                            if (idx >= nd)
                            {
                                for (var rr = r; rr < R; rr++) precision[t, rr, k, a, m] = 0;
                                break;
                            }
                            precision[t, r, k, a, m] = pr[idx];
                        }
                    }
                }
        return Summarize(p, maxDets, catIds, precision, recall);
    }

    private static CocoEvalResult Summarize(CocoEvalParams p, int[] maxDets, long[] catIds, double[,,,,] precision, double[,,,] recall)
    {
        var t50 = Array.IndexOf(p.IouThresholds, 0.5);
        var t75 = Array.IndexOf(p.IouThresholds, 0.75);
        var lines = new List<string>();
        double Ap(int t, int a, int m)
        {
            double sum = 0;
            long n = 0;
            if (a >= 0 && m >= 0 && (t >= 0 || t == -1))
                for (var ti = 0; ti < precision.GetLength(0); ti++)
                {
                    if (t >= 0 && ti != t) continue;
                    for (var r = 0; r < precision.GetLength(1); r++)
                        for (var k = 0; k < precision.GetLength(2); k++)
                        {
                            var v = precision[ti, r, k, a, m];
                            if (v > -1) { sum += v; n++; }
                        }
                }
            var mean = n == 0 ? -1 : sum / n;
            lines.Add(Summary(p, true, t, Math.Max(a, 0), Math.Max(m, 0), mean));
            return mean;
        }
        double Ar(int a, int m)
        {
            double sum = 0;
            long n = 0;
            if (a >= 0 && m >= 0)
                for (var ti = 0; ti < recall.GetLength(0); ti++)
                    for (var k = 0; k < recall.GetLength(1); k++)
                    {
                        var v = recall[ti, k, a, m];
                        if (v > -1) { sum += v; n++; }
                    }
            var mean = n == 0 ? -1 : sum / n;
            lines.Add(Summary(p, false, -1, Math.Max(a, 0), Math.Max(m, 0), mean));
            return mean;
        }
        int AreaIdx(string label) => Array.IndexOf(p.AreaLabels, label);
        int MaxIdx(int i) => i < maxDets.Length ? i : -1;
        var m2 = MaxIdx(2);
        var stats = new CocoStats(
            Ap(-1, AreaIdx("all"), m2), t50 < 0 ? NoThreshold() : Ap(t50, AreaIdx("all"), m2), t75 < 0 ? NoThreshold() : Ap(t75, AreaIdx("all"), m2),
            Ap(-1, AreaIdx("small"), m2), Ap(-1, AreaIdx("medium"), m2), Ap(-1, AreaIdx("large"), m2),
            Ar(AreaIdx("all"), MaxIdx(0)), Ar(AreaIdx("all"), MaxIdx(1)), Ar(AreaIdx("all"), m2),
            Ar(AreaIdx("small"), m2), Ar(AreaIdx("medium"), m2), Ar(AreaIdx("large"), m2));
        return new CocoEvalResult(p, catIds, precision, recall, stats, [.. lines]);

        double NoThreshold()
        {
            lines.Add(Summary(p, true, -1, 0, 0, -1));
            return -1;
        }
    }
}
