using Scratch.Autograd;

namespace Scratch.Models.BorderDet;

/// <summary>Border-branch losses of BorderDet as cvpods' <c>BorderDet.losses</c> (the normaliser of
/// <c>meta_arch/borderdet.py</c>, without the BorderDet repository's double all-reduce).</summary>
public static class BorderLoss
{
    /// <summary><c>loss_border_cls</c> and <c>loss_border_reg</c> of one batch.</summary>
    /// <remarks>
    /// valid = labels ≥ 0, fg = valid ∧ labels ≠ K, n = max(1, |fg|).
    /// loss_border_cls = Σ_valid sigmoid focal(logits, one-hot(labels)) / n (α, γ; background rows have an all-zero
    /// target); loss_border_reg = Σ_fg |deltas − targets| / n (cvpods' smooth-L1 with β = 0), 0 without
    /// foreground. Differentiable in logits and deltas.
    /// </remarks>
    /// <param name="logits">Border logits [M, K] (all locations of all levels and images).</param>
    /// <param name="deltas">Border deltas [M, 4], logits' dtype.</param>
    /// <param name="labels">int64 [M]: class in [0, K), K = background, −1 = ignored.</param>
    /// <param name="targetDeltas">[M, 4] from <see cref="BorderTargets.Assign"/> (only foreground rows read).</param>
    /// <param name="alpha">Focal α (0.25).</param>
    /// <param name="gamma">Focal γ (2).</param>
    /// <exception cref="ShapeMismatchException">a shape is not as documented.</exception>
    public static (Tensor Cls, Tensor Reg) Compute(Tensor logits, Tensor deltas, Tensor labels, Tensor targetDeltas,
        double alpha = 0.25, double gamma = 2)
    {
        const string op = "BorderLoss";
        if (logits.Rank != 2)
            throw new ShapeMismatchException(op, nameof(logits), "[M, K]", logits.Shape.ToString());
        var (m, k) = (logits.Shape[0], logits.Shape[1]);
        if (deltas.Shape != new Shape(m, 4))
            throw new ShapeMismatchException(op, nameof(deltas), $"[{m}, 4]", deltas.Shape.ToString());
        if (labels.Shape != new Shape(m) || labels.DType != DType.I64)
            throw new ShapeMismatchException(op, nameof(labels), $"int64 [{m}]", $"{labels.DType} {labels.Shape}");
        if (targetDeltas.Shape != new Shape(m, 4))
            throw new ShapeMismatchException(op, nameof(targetDeltas), $"[{m}, 4]", targetDeltas.Shape.ToString());
        var lab = labels.ToArray<long>();
        var valid = new List<long>(m);
        var fg = new List<long>();
        for (var i = 0; i < m; i++)
        {
            if (lab[i] < 0) continue;
            valid.Add(i);
            if (lab[i] != k) fg.Add(i);
        }
        var norm = Math.Max(1.0, fg.Count);
        var onehot = new double[valid.Count * k];
        for (var i = 0; i < valid.Count; i++)
        {
            var l = lab[valid[i]];
            if (l < k) onehot[i * k + l] = 1;
        }
        var device = logits.Device;
        var validLogits = valid.Count == m ? logits : logits.IndexSelect(0, Index(valid, device));
        var target = Tensor.FromDoubles(onehot, new Shape(valid.Count, k), logits.DType, device);
        var cls = F.SigmoidFocalLoss(validLogits, target, alpha, gamma, Reduction.Sum) / norm;
        Tensor reg;
        if (fg.Count == 0) reg = deltas.Sum() * 0.0;
        else
        {
            var idx = Index(fg, device);
            Tensor t;
            using (GradMode.Disable()) t = targetDeltas.Detach().IndexSelect(0, idx).To(deltas.DType);
            reg = F.Abs(deltas.IndexSelect(0, idx) - t).Sum() / norm;
        }
        return (cls, reg);
    }

    private static Tensor Index(List<long> rows, Device device) =>
        Tensor.From(rows.ToArray(), new Shape(rows.Count), device);
}
