using Scratch.Data;
using Scratch.Models.Common.Detection;
using Scratch.Models.Fcos;

namespace Scratch.Models.BorderDet;

/// <summary>Everything a BorderDet detector is built from: the FCOS part and the border part (cvpods BorderDet
/// config by default).</summary>
/// <param name="Fcos">Backbone, FPN, FCOS head, assignment, FCOS losses and thresholds.</param>
/// <param name="ClsBorderChannels">Cb of the classification border branch (256).</param>
/// <param name="RegBorderChannels">Cb of the regression border branch (128).</param>
/// <param name="PoolSize">BorderAlign pool size (10).</param>
/// <param name="BorderIouThreshold">Border positives: IoU(coarse, gt) ≥ this (MODEL.BORDER.IOU_THRESH = 0.6).</param>
/// <param name="BorderBboxStd">Border delta normaliser (MODEL.BORDER.BBOX_STD = 0.5).</param>
public sealed record BorderDetOptions(FcosOptions Fcos, int ClsBorderChannels = 256, int RegBorderChannels = 128,
    int PoolSize = 10, double BorderIouThreshold = 0.6, double BorderBboxStd = 0.5)
{
    /// <summary>Options from a zoo spec (other fields default).</summary>
    public static BorderDetOptions FromSpec(DetectorSpec spec) => new(FcosOptions.FromSpec(spec));
}

/// <summary>One forward pass: the FCOS pass, and per level the coarse boxes [N, Hi·Wi, 4] (input pixels),
/// border logits [N, K, Hi, Wi] and border deltas [N, 4, Hi, Wi].</summary>
public sealed record BorderDetForward(FcosForward Fcos, IReadOnlyList<Tensor> CoarseBoxes,
    IReadOnlyList<Tensor> BorderLogits, IReadOnlyList<Tensor> BorderDeltas);

/// <summary>cvpods' <c>BorderHead</c> (key <c>head</c>): the FCOS head (towers, predictors, per-level scales)
/// with the border part (<see cref="BorderHead"/>: <c>border_cls_subnet</c>, <c>border_bbox_subnet</c>,
/// <c>border_cls_score</c>, <c>border_bbox_pred</c>) registered beside them under the same prefix.</summary>
/// <remarks>Keys equal cvpods'; the state-dict order differs only in that <c>scales</c> comes before the border
/// keys (cvpods registers it last).</remarks>
public sealed class BorderDetHead : FcosHead
{
    /// <summary>Builds the FCOS head from <paramref name="options"/>, then the border part.</summary>
    public BorderDetHead(FcosHeadOptions options, int clsBorderChannels = 256, int regBorderChannels = 128,
        int poolSize = 10, Generator? g = null) : base(options, g)
    {
        Border = new BorderHead(options.InChannels, options.NumClasses, clsBorderChannels, regBorderChannels,
            options.PriorProb, poolSize, g);
        foreach (var (name, child) in Border.NamedChildren()) Add(name, child);
    }

    /// <summary>The border part (its modules are registered on this head).</summary>
    public BorderHead Border { get; }
}

/// <summary>BorderDet (Qiu et al. 2020) as cvpods' <c>meta_arch/borderdet.py</c>: FCOS (ResNet-FPN P3–P7, shared
/// head, centre-sampled assignment, focal / GIoU / centerness losses) plus border branches on both towers that
/// BorderAlign-pool the coarse boxes, with border classification (focal) and border regression (L1) losses and
/// combined inference scores. Keys <c>backbone.*</c> and <c>head.*</c> as cvpods.</summary>
public sealed class BorderDetDetector : FcosDetector
{
    /// <summary>Builds the detector from <paramref name="options"/>, initialised from <paramref name="g"/>.</summary>
    public BorderDetDetector(BorderDetOptions options, Generator? g = null)
        : base((options ?? throw new ArgumentNullException(nameof(options))).Fcos,
            o => new BorderDetHead(o, options.ClsBorderChannels, options.RegBorderChannels, options.PoolSize, g), g) =>
        BorderOptions = options;

    /// <summary>Builds the detector of a zoo spec (seeded by <see cref="DetectorSpec.Seed"/>).</summary>
    public BorderDetDetector(DetectorSpec spec) : this(BorderDetOptions.FromSpec(spec), new Generator(spec.Seed))
    {
    }

    /// <summary>The options (FCOS part in <see cref="FcosDetector.Options"/>).</summary>
    public BorderDetOptions BorderOptions { get; }

    /// <summary>FCOS and border heads (key <c>head</c>).</summary>
    public new BorderDetHead Head => (BorderDetHead)base.Head;

    /// <summary>Backbone, FPN, FCOS head and border head on [0, 1] images [N, C, H, W].</summary>
    public BorderDetForward RunBorderNetwork(Tensor images)
    {
        var fwd = RunNetwork(images);
        var strides = Options.LevelStrides;
        var levels = fwd.Head.Levels;
        var (coarse, logits, deltas) = (new Tensor[levels], new Tensor[levels], new Tensor[levels]);
        for (var l = 0; l < levels; l++)
        {
            var box = fwd.Head.BoxRegression[l];
            coarse[l] = BorderHead.CoarseBoxes(box, fwd.Shifts[l]);
            var align = BorderHead.AlignBoxes(coarse[l], strides[l], box.Size(2), box.Size(3));
            (logits[l], deltas[l]) = Head.Border.Forward(fwd.Head.ClsTower[l], fwd.Head.BoxTower[l], align);
        }
        return new BorderDetForward(fwd, coarse, logits, deltas);
    }

    /// <summary>Border labels int64 [N·R] and deltas [N·R, 4] (rows ordered image, level, location, as
    /// <see cref="FcosLoss.FlattenLevels"/>) of <paramref name="batch"/> for the coarse boxes of a forward pass.
    /// </summary>
    public (Tensor Labels, Tensor Deltas) BorderTargetsOf(BorderDetForward forward, DetectionBatch batch)
    {
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(batch);
        var n = batch.Count;
        var (labels, deltas) = (new Tensor[n], new Tensor[n]);
        for (var i = 0; i < n; i++)
        {
            var pre = F.Cat([.. forward.CoarseBoxes.Select(c => c.Select(0, i))], 0);
            (labels[i], deltas[i]) = BorderTargets.Assign(pre, batch.Boxes[i], batch.Labels[i], NumClasses,
                BorderOptions.BorderIouThreshold, BorderOptions.BorderBboxStd);
        }
        return (F.Cat(labels, 0), F.Cat(deltas, 0));
    }

    /// <inheritdoc/>
    /// <remarks>Keys <c>loss_cls</c>, <c>loss_box_reg</c>, <c>loss_centerness</c> (<see cref="FcosLoss"/>),
    /// <c>loss_border_cls</c> and <c>loss_border_reg</c> (<see cref="BorderLoss"/>).</remarks>
    public override IReadOnlyDictionary<string, Tensor> Losses(DetectionBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var fwd = RunBorderNetwork(batch.Images);
        var losses = FcosLoss.Compute(fwd.Fcos.Head, Assign(fwd.Fcos.Shifts, batch), Options.Loss);
        var (labels, targets) = BorderTargetsOf(fwd, batch);
        var lossOptions = Options.Loss ?? new FcosLossOptions();
        var (cls, reg) = BorderLoss.Compute(FcosLoss.FlattenLevels(fwd.BorderLogits),
            FcosLoss.FlattenLevels(fwd.BorderDeltas), labels, targets, lossOptions.FocalAlpha, lossOptions.FocalGamma);
        losses["loss_border_cls"] = cls;
        losses["loss_border_reg"] = reg;
        return losses;
    }

    /// <inheritdoc/>
    /// <remarks>Per image <see cref="BorderPostprocess.Single"/> with the FCOS thresholds (score, top-k per level,
    /// NMS, detections per image).</remarks>
    public override IReadOnlyList<Detections> Detect(DetectionBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var fwd = RunBorderNetwork(batch.Images);
        var o = Options.Postprocess ?? new FcosPostprocessOptions();
        var head = fwd.Fcos.Head;
        static Tensor Rows(Tensor map, int i) => map.Select(0, i).Permute(1, 2, 0).Reshape(-1, map.Size(1));
        return [.. Enumerable.Range(0, batch.Count).Select(i => BorderPostprocess.Single(
            [.. Enumerable.Range(0, head.Levels).Select(l => new BorderLevelOutputs(Rows(head.ClsLogits[l], i),
                Rows(head.Centerness[l], i), Rows(fwd.BorderLogits[l], i), Rows(fwd.BorderDeltas[l], i),
                fwd.CoarseBoxes[l].Select(0, i)))],
            batch.ImageSizes[i], o.ScoreThreshold, o.TopKPerLevel, o.NmsThreshold, o.MaxDetections, BorderOptions.BorderBboxStd))];
    }
}
