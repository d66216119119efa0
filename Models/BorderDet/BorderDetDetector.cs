using Scratch.Data;
using Scratch.Models.Common.Detection;
using Scratch.Models.Common.Necks;
using Scratch.Models.Fcos;
using Scratch.NN;

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

/// <summary>cvpods' <c>BorderHead</c> as one module (key <c>head</c>): the FCOS head's towers and predictors,
/// the border part (<see cref="BorderHead"/>) and the per-level scales, in cvpods' key order.</summary>
public sealed class BorderDetHead : Module
{
    /// <summary>Registers the children of <paramref name="fcos"/> and <paramref name="border"/> under one
    /// prefix.</summary>
    public BorderDetHead(FcosHead fcos, BorderHead border)
    {
        ArgumentNullException.ThrowIfNull(fcos);
        ArgumentNullException.ThrowIfNull(border);
        (Fcos, Border) = (fcos, border);
        var rest = new List<(string, Module)>();
        foreach (var (name, child) in fcos.NamedChildren())
            if (name == "scales") rest.Add((name, child));
            else Add(name, child);
        foreach (var (name, child) in border.NamedChildren()) Add(name, child);
        foreach (var (name, child) in rest) Add(name, child);
    }

    /// <summary>The FCOS part.</summary>
    public FcosHead Fcos { get; }

    /// <summary>The border part.</summary>
    public BorderHead Border { get; }
}

/// <summary>BorderDet (Qiu et al. 2020) as cvpods' <c>meta_arch/borderdet.py</c>: FCOS (ResNet-FPN P3–P7, shared
/// head, centre-sampled assignment, focal / GIoU / centerness losses) plus border branches on both towers that
/// BorderAlign-pool the coarse boxes, with border classification (focal) and border regression (L1) losses and
/// combined inference scores. Keys <c>backbone.*</c> and <c>head.*</c> as cvpods.</summary>
public sealed class BorderDetDetector : Detector
{
    private readonly FcosDetector _fcos;

    /// <summary>Builds the detector from <paramref name="options"/>, initialised from <paramref name="g"/>.</summary>
    public BorderDetDetector(BorderDetOptions options, Generator? g = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _fcos = new FcosDetector(options.Fcos, g);
        var border = new BorderHead(options.Fcos.FpnChannels, options.Fcos.NumClasses, options.ClsBorderChannels,
            options.RegBorderChannels, options.Fcos.PriorProb, options.PoolSize, g);
        Backbone = Add("backbone", _fcos.Backbone);
        Head = Add("head", new BorderDetHead(_fcos.Head, border));
    }

    /// <summary>Builds the detector of a zoo spec (seeded by <see cref="DetectorSpec.Seed"/>).</summary>
    public BorderDetDetector(DetectorSpec spec) : this(BorderDetOptions.FromSpec(spec), new Generator(spec.Seed))
    {
    }

    /// <summary>The options.</summary>
    public BorderDetOptions Options { get; }

    /// <inheritdoc/>
    public override int NumClasses => Options.Fcos.NumClasses;

    /// <inheritdoc/>
    public override float[] PixelMean => _fcos.PixelMean;

    /// <inheritdoc/>
    public override float[] PixelStd => _fcos.PixelStd;

    /// <summary>ResNet-FPN (key <c>backbone</c>).</summary>
    public ResNetFpn Backbone { get; }

    /// <summary>FCOS and border heads (key <c>head</c>).</summary>
    public BorderDetHead Head { get; }

    /// <summary>Backbone, FPN, FCOS head and border head on [0, 1] images [N, C, H, W].</summary>
    public BorderDetForward RunNetwork(Tensor images)
    {
        var fwd = _fcos.RunNetwork(images);
        var strides = Options.Fcos.LevelStrides;
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
                Options.BorderIouThreshold, Options.BorderBboxStd);
        }
        return (F.Cat(labels, 0), F.Cat(deltas, 0));
    }

    /// <inheritdoc/>
    /// <remarks>Keys <c>loss_cls</c>, <c>loss_box_reg</c>, <c>loss_centerness</c> (<see cref="FcosLoss"/>),
    /// <c>loss_border_cls</c> and <c>loss_border_reg</c> (<see cref="BorderLoss"/>).</remarks>
    public override IReadOnlyDictionary<string, Tensor> Losses(DetectionBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var fwd = RunNetwork(batch.Images);
        var losses = FcosLoss.Compute(fwd.Fcos.Head, _fcos.Assign(fwd.Fcos.Shifts, batch), Options.Fcos.Loss);
        var (labels, targets) = BorderTargetsOf(fwd, batch);
        var lossOptions = Options.Fcos.Loss ?? new FcosLossOptions();
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
        var fwd = RunNetwork(batch.Images);
        var o = Options.Fcos.Postprocess ?? new FcosPostprocessOptions();
        var head = fwd.Fcos.Head;
        static Tensor Rows(Tensor map, int i) => map.Select(0, i).Permute(1, 2, 0).Reshape(-1, map.Size(1));
        return [.. Enumerable.Range(0, batch.Count).Select(i => BorderPostprocess.Single(
            [.. Enumerable.Range(0, head.Levels).Select(l => new BorderLevelOutputs(Rows(head.ClsLogits[l], i),
                Rows(head.Centerness[l], i), Rows(fwd.BorderLogits[l], i), Rows(fwd.BorderDeltas[l], i),
                fwd.CoarseBoxes[l].Select(0, i)))],
            batch.ImageSizes[i], o.ScoreThreshold, o.TopKPerLevel, o.NmsThreshold, o.MaxDetections, Options.BorderBboxStd))];
    }
}
