namespace Scratch.Models.Fcos;

/// <summary>Loss hyper-parameters of FCOS (cvpods defaults for the BorderDet baseline).</summary>
/// <param name="FocalAlpha">Sigmoid focal loss α (0.25).</param>
/// <param name="FocalGamma">Sigmoid focal loss γ (2).</param>
/// <param name="IouLoss">Box loss kind (GIoU).</param>
public sealed record FcosLossOptions(double FocalAlpha = 0.25, double FocalGamma = 2.0, IouLossKind IouLoss = IouLossKind.Giou);

/// <summary>FCOS losses, as cvpods' <c>FCOS.losses</c> on a single device.</summary>
public static class FcosLoss
{
    /// <summary>Names of the three losses.</summary>
    public const string Cls = "loss_cls", BoxReg = "loss_box_reg", Centerness = "loss_centerness";

    /// <summary>Flattens per-level maps [N, K, Hi, Wi] into [N·R, K] rows ordered image, level, row, column (cvpods'
    /// <c>permute_to_N_HWA_K</c> + concat over levels).</summary>
    public static Tensor FlattenLevels(IReadOnlyList<Tensor> maps)
    {
        ArgumentNullException.ThrowIfNull(maps);
        var k = maps[0].Size(1);
        var n = maps[0].Size(0);
        var flat = maps.Select(m => m.Permute(0, 2, 3, 1).Reshape(n, -1, k)).ToArray();
        return (flat.Length == 1 ? flat[0] : F.Cat(flat, 1)).Reshape(-1, k);
    }

    /// <summary>The three losses of a batch:
    /// <c>loss_cls</c> = Σ sigmoid-focal(logits, one-hot) / max(1, num_fg) over all locations and classes;
    /// <c>loss_box_reg</c> = Σ_fg IoU-loss(pred ltrb, target ltrb)·ctr_target / max(1, Σ_fg ctr_target);
    /// <c>loss_centerness</c> = Σ_fg BCE-with-logits(ctr logit, ctr_target) / max(1, num_fg).</summary>
    /// <param name="head">Head outputs (cls [N, C, Hi, Wi], box [N, 4, Hi, Wi] in pixels, centerness).</param>
    /// <param name="targets">Targets of the same locations (<see cref="FcosAssigner.Assign"/>).</param>
    /// <param name="options">Loss options (defaults when null).</param>
    /// <returns>Differentiable scalars keyed <see cref="Cls"/>, <see cref="BoxReg"/>, <see cref="Centerness"/>.</returns>
    /// <exception cref="ShapeMismatchException">The targets do not cover the head's locations.</exception>
    public static Dictionary<string, Tensor> Compute(FcosHeadOutput head, FcosTargets targets, FcosLossOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(targets);
        options ??= new FcosLossOptions();
        var logits = FlattenLevels(head.ClsLogits);
        var box = FlattenLevels(head.BoxRegression);
        var ctr = FlattenLevels(head.Centerness).Reshape(-1);
        var rows = logits.Size(0);
        var c = logits.Size(1);
        if (targets.Classes.Numel != rows)
            throw new ShapeMismatchException("FcosLoss", "targets", $"{rows} locations (N·R)", targets.Classes.Shape.ToString());
        var cls = targets.Classes.ToArray<long>();
        var oneHot = new float[(long)rows * c];
        var fgIdx = new List<long>();
        for (var i = 0; i < rows; i++)
        {
            if (cls[i] < 0 || cls[i] >= c) continue;
            oneHot[(long)i * c + cls[i]] = 1;
            fgIdx.Add(i);
        }
        var numFg = fgIdx.Count;
        var target = Tensor.From(oneHot, new Shape(rows, c)).To(logits.DType);
        var lossCls = F.SigmoidFocalLoss(logits, target, options.FocalAlpha, options.FocalGamma, Reduction.Sum) / Math.Max(1.0, numFg);
        if (numFg == 0)
        {
            var zero = box.Sum() * 0 + ctr.Sum() * 0;
            return new() { [Cls] = lossCls, [BoxReg] = zero, [Centerness] = zero };
        }
        var idx = Tensor.From(fgIdx.ToArray());
        var ctrT = targets.Centerness.Reshape(-1).IndexSelect(0, idx).To(box.DType);
        var deltaT = targets.Deltas.Reshape(-1, 4).IndexSelect(0, idx).To(box.DType);
        var boxFg = box.IndexSelect(0, idx);
        var ctrFg = ctr.IndexSelect(0, idx);
        var norm = Math.Max(1.0, ctrT.Sum().Item());
        var lossBox = F.IouLoss(boxFg, deltaT, options.IouLoss, ltrb: true, weight: ctrT, reduction: Reduction.Sum) / norm;
        var lossCtr = F.BinaryCrossEntropyWithLogits(ctrFg, ctrT, reduction: Reduction.Sum) / Math.Max(1.0, numFg);
        return new() { [Cls] = lossCls, [BoxReg] = lossBox, [Centerness] = lossCtr };
    }
}
