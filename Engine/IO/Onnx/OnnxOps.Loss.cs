namespace Scratch.IO.Onnx;

internal static partial class OnnxOps
{
    /// <summary>Losses: NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (reduction none, sum or mean;
    /// optional class weights and ignore_index).</summary>
    private static void AddLoss(Dictionary<string, OnnxKernel> d)
    {
        d["NegativeLogLikelihoodLoss"] = c => One(Nll(c, c.X(0), c.X(1), c.Opt(2)));
        d["SoftmaxCrossEntropyLoss"] = c =>
        {
            var x = c.X(0);
            var logp = F.LogSoftmax(x, 1);
            return [Nll(c, logp, c.X(1), c.Opt(2)), logp];
        };
    }

    /// <summary>loss[n, d…] = −w[t]·logp[n, t, d…] with t = target[n, d…] (0 where t = ignore_index); "mean"
    /// divides the sum by Σ w[t] over the kept elements.</summary>
    private static Tensor Nll(OnnxContext c, Tensor logp, Tensor target, Tensor? weight)
    {
        if (logp.Rank < 2 || target.Rank != logp.Rank - 1)
            throw new OnnxFormatException($"ONNX: {c.Node.OpType} expected input [N, C, ...] and target [N, ...], got {logp.Shape} and {target.Shape}.");
        var reduction = c.Str("reduction", "mean");
        if (reduction is not ("none" or "sum" or "mean")) throw new OnnxFormatException($"ONNX: {c.Node.OpType} reduction '{reduction}' is not none, sum or mean.");
        var ignore = c.Attr("ignore_index") is { } ig ? ig.I : (long?)null;
        int n = logp.Shape[0], classes = logp.Shape[1];
        var inner = logp.Numel / Math.Max(1L, (long)n * classes);
        var x = logp.ToDoubleArray();
        var t = OnnxContext.Longs(target);
        var w = weight?.ToDoubleArray();
        var loss = new double[t.Length];
        double weightSum = 0;
        for (long i = 0; i < t.Length; i++)
        {
            var cls = t[i];
            if (ignore is { } skip && cls == skip) continue;
            if (cls < 0 || cls >= classes) throw new OnnxFormatException($"ONNX: {c.Node.OpType} target {cls} outside [0, {classes}).");
            var wi = w is null ? 1 : w[cls];
            long b = i / inner, q = i % inner;
            loss[i] = -x[(b * classes + cls) * inner + q] * wi;
            weightSum += wi;
        }
        if (reduction == "none") return FromDoubles(loss, target.Shape, logp.DType);
        var total = loss.Sum();
        return FromDoubles([reduction == "sum" ? total : total / weightSum], new Shape(), logp.DType);
    }
}
