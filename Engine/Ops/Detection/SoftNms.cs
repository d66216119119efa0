using System.Numerics;

namespace Scratch;

public static partial class F
{
    /// <summary>Soft-NMS (Bodla et al., ICCV 2017; mmcv's <c>soft_nms</c> semantics, as used by ThunderNet's test
    /// stage): repeatedly select the remaining box with the highest current score, then decay the score of every
    /// remaining box by its IoU o with the selected one (<see cref="SoftNmsMethod"/>); boxes whose score falls below
    /// <paramref name="scoreThreshold"/> are dropped.</summary>
    /// <remarks>Ties in the current score go to the lower original index (mmcv breaks them by its in-place swap
    /// order). IoU as in <see cref="Nms"/>, computed in the boxes' dtype. With <see cref="SoftNmsMethod.Hard"/> and
    /// scoreThreshold ≤ min score the kept set equals <see cref="Nms"/>'s. O(K²), sequential; one kernel serves both
    /// devices. Not differentiable (index selection).</remarks>
    /// <param name="boxes">xyxy boxes [K, 4] (float).</param>
    /// <param name="scores">[K] initial scores, boxes' dtype and device.</param>
    /// <param name="iouThreshold">Overlap above which Linear and Hard decay a score (default 0.3, as mmcv).</param>
    /// <param name="sigma">Gaussian width σ &gt; 0 (default 0.5).</param>
    /// <param name="scoreThreshold">Boxes whose decayed score is below this are discarded (default 0.001).</param>
    /// <param name="method">Linear (default), Gaussian or Hard.</param>
    /// <returns>Kept: int64 indices in selection order; Scores: their decayed scores (boxes' dtype).</returns>
    /// <exception cref="ShapeMismatchException">boxes is not [K, 4] or scores is not [K].</exception>
    /// <exception cref="ArgumentOutOfRangeException">sigma is not positive (Gaussian).</exception>
    public static (Tensor Kept, Tensor Scores) SoftNms(Tensor boxes, Tensor scores, double iouThreshold = 0.3,
        double sigma = 0.5, double scoreThreshold = 0.001, SoftNmsMethod method = SoftNmsMethod.Linear)
    {
        const string op = "SoftNms";
        RequireBoxes(boxes, op, "boxes", rank2: true);
        RequireSame(boxes, scores, op, "scores");
        var k = boxes.Shape[0];
        if (scores.Shape != new Shape(k))
            throw new ShapeMismatchException(op, "scores", $"[{k}]", scores.Shape.ToString());
        if (method == SoftNmsMethod.Gaussian && !(sigma > 0))
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, $"{op}: sigma expected > 0, got {sigma}.");
        if (method is not (SoftNmsMethod.Linear or SoftNmsMethod.Gaussian or SoftNmsMethod.Hard))
            throw new ArgumentOutOfRangeException(nameof(method), method,
                $"{op}: method expected Linear, Gaussian or Hard, got {method}.");
        if (boxes.DType == DType.F32)
        {
            var (kept, s) = SoftNmsKernel(boxes.ToArray<float>(), scores.ToArray<float>(), iouThreshold, sigma,
                scoreThreshold, method);
            return (Tensor.From(kept, device: boxes.Device), Tensor.From(s, device: boxes.Device));
        }
        var (kept64, s64) = SoftNmsKernel(boxes.ToArray<double>(), scores.ToArray<double>(), iouThreshold, sigma,
            scoreThreshold, method);
        return (Tensor.From(kept64, device: boxes.Device), Tensor.From(s64, device: boxes.Device));
    }

    private static (long[] Kept, T[] Scores) SoftNmsKernel<T>(T[] b, T[] s0, double iouThreshold, double sigma,
        double scoreThreshold, SoftNmsMethod method) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var s = (T[])s0.Clone();
        var (floor, sig) = (T.CreateChecked(scoreThreshold), T.CreateChecked(sigma));
        var alive = new List<int>();
        for (var i = 0; i < s.Length; i++)
            if (!(s[i] < floor)) alive.Add(i);
        var kept = new List<long>();
        var keptScores = new List<T>();
        while (alive.Count > 0)
        {
            var at = 0;
            for (var q = 1; q < alive.Count; q++)
                if (s[alive[q]] > s[alive[at]] || (s[alive[q]] == s[alive[at]] && alive[q] < alive[at])) at = q;
            var best = alive[at];
            alive.RemoveAt(at);
            kept.Add(best);
            keptScores.Add(s[best]);
            var next = new List<int>(alive.Count);
            foreach (var j in alive)
            {
                var o = NmsPairIou(b, best, j);
                var w = method switch
                {
                    SoftNmsMethod.Linear => double.CreateChecked(o) > iouThreshold ? T.One - o : T.One,
                    SoftNmsMethod.Gaussian => T.Exp(-(o * o) / sig),
                    _ => double.CreateChecked(o) > iouThreshold ? T.Zero : T.One,
                };
                s[j] *= w;
                if (!(s[j] < floor)) next.Add(j);
            }
            alive = next;
        }
        return ([.. kept], [.. keptScores]);
    }
}
