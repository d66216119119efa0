using Scratch.Data;
using Scratch.Models.Common.Backbones;
using Scratch.Models.Common.Detection;
using Scratch.Models.Common.Necks;

namespace Scratch.Models.Fcos;

/// <summary>Everything an FCOS detector is built from (cvpods FCOS config of the BorderDet baseline by default).
/// </summary>
/// <param name="NumClasses">Foreground classes C.</param>
/// <param name="Backbone">resnet18, resnet34, resnet50, resnet101 or resnet152.</param>
/// <param name="FpnChannels">FPN and head width (256; 64 or 128 train quickly on a CPU).</param>
/// <param name="NumConvs">Convs per head tower (4).</param>
/// <param name="HeadNorm">Tower normalisation (GroupNorm).</param>
/// <param name="GroupNormGroups">GroupNorm groups (32).</param>
/// <param name="Strides">Level strides of P3–P7 (8, 16, 32, 64, 128).</param>
/// <param name="FreezeAt">cvpods FREEZE_AT: 2 freezes the stem and res2.</param>
/// <param name="TopBlock">P6/P7 from P5 (current cvpods) or C5.</param>
/// <param name="BackboneNorm">ResNet normalisation (FrozenBatchNorm, as detection fine-tuning).</param>
/// <param name="StrideInOneByOne">MSRA-style stride on the first 1×1 conv of bottlenecks.</param>
/// <param name="InChannels">Image channels.</param>
/// <param name="ShiftOffset">Location offset in strides (cvpods FCOS/BorderDet: 0).</param>
/// <param name="CenternessOnReg">Centerness on the box tower (true).</param>
/// <param name="NormRegTargets">Box output ReLU(x)·stride (true).</param>
/// <param name="PriorProb">Initial classification prior (0.01).</param>
/// <param name="Targets">Assignment options.</param>
/// <param name="Loss">Loss options.</param>
/// <param name="Postprocess">Inference options.</param>
public sealed record FcosOptions(int NumClasses, string Backbone = "resnet50", int FpnChannels = 256, int NumConvs = 4,
    FcosHeadNorm HeadNorm = FcosHeadNorm.GroupNorm, int GroupNormGroups = 32, IReadOnlyList<int>? Strides = null,
    int FreezeAt = 2, P6P7Source TopBlock = P6P7Source.P5, ResNetNorm BackboneNorm = ResNetNorm.FrozenBatchNorm,
    bool StrideInOneByOne = false, int InChannels = 3, double ShiftOffset = 0.0, bool CenternessOnReg = true,
    bool NormRegTargets = true, double PriorProb = 0.01, FcosTargetOptions? Targets = null, FcosLossOptions? Loss = null,
    FcosPostprocessOptions? Postprocess = null)
{
    /// <summary>The strides in effect.</summary>
    public IReadOnlyList<int> LevelStrides => Strides ?? [8, 16, 32, 64, 128];

    /// <summary>ResNet depth parsed from <see cref="Backbone"/> (<c>resnet50</c> → 50).</summary>
    /// <exception cref="ArgumentException">The name is not resnet&lt;depth&gt;.</exception>
    public int BackboneDepth => Backbone.StartsWith("resnet", StringComparison.OrdinalIgnoreCase) &&
        int.TryParse(Backbone.AsSpan(6), out var d) ? d
        : throw new ArgumentException($"FcosOptions: Backbone expected resnet18/34/50/101/152, got '{Backbone}'.", nameof(Backbone));

    /// <summary>The head options these imply.</summary>
    public FcosHeadOptions HeadOptions => new(FpnChannels, NumClasses, LevelStrides, NumConvs, HeadNorm, GroupNormGroups,
        PriorProb, CenternessOnReg, NormRegTargets);

    /// <summary>Options from a zoo spec: its set fields override, the others default.</summary>
    public static FcosOptions FromSpec(DetectorSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var o = new FcosOptions(spec.NumClasses, spec.Backbone, InChannels: spec.InChannels);
        return o with
        {
            FpnChannels = spec.FpnChannels ?? o.FpnChannels,
            NumConvs = spec.NumConvs ?? o.NumConvs,
            BackboneNorm = spec.BackboneNorm ?? o.BackboneNorm,
            FreezeAt = spec.FreezeAt ?? o.FreezeAt,
        };
    }
}

/// <summary>One forward pass of the network: P3–P7 features, the head outputs and each level's locations.</summary>
/// <param name="Features">FPN maps [N, Ch, Hi, Wi], highest resolution first.</param>
/// <param name="Head">Head outputs.</param>
/// <param name="Shifts">Per level [Hi·Wi, 2] (x, y) locations in input pixels.</param>
public sealed record FcosForward(IReadOnlyList<Tensor> Features, FcosHeadOutput Head, IReadOnlyList<Tensor> Shifts);

/// <summary>FCOS (Tian et al. 2019) as in cvpods: ResNet-FPN P3–P7, the shared <see cref="FcosHead"/>, centre-sampled
/// assignment (<see cref="FcosAssigner"/>), focal / GIoU / centerness losses (<see cref="FcosLoss"/>) and
/// <see cref="FcosPostprocess"/>. Keys <c>backbone.*</c> (<see cref="ResNetFpn"/>) and <c>head.*</c>.</summary>
/// <remarks>Built for reuse: detectors that extend FCOS (BorderDet) call <see cref="RunNetwork"/>,
/// <see cref="Assign"/>, <see cref="DecodeBoxes"/>, <see cref="FcosLoss.Compute"/> and may override
/// <see cref="Losses"/> / <see cref="Detect"/>.</remarks>
public class FcosDetector : Detector
{
    /// <summary>Builds the detector from <paramref name="options"/>, initialised from <paramref name="g"/>.</summary>
    public FcosDetector(FcosOptions options, Generator? g = null) : this(options, o => new FcosHead(o, g), g)
    {
    }

    /// <summary>Builds the detector with a head made by <paramref name="makeHead"/> from the head options (a
    /// subclass of <see cref="FcosHead"/>, e.g. BorderDet's), registered as <c>head</c> after the backbone.</summary>
    protected FcosDetector(FcosOptions options, Func<FcosHeadOptions, FcosHead> makeHead, Generator? g = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(makeHead);
        Options = options;
        var config = new ResNetConfig(options.BackboneDepth, NumClasses: 0, StrideInOneByOne: options.StrideInOneByOne,
            Norm: options.BackboneNorm, InChannels: options.InChannels);
        if (options.LevelStrides.Count != 5)
            throw new ArgumentException($"FcosDetector: Strides expected 5 levels (P3-P7), got {options.LevelStrides.Count}.", nameof(options));
        Backbone = Add("backbone", new ResNetFpn(config, options.FpnChannels, options.TopBlock, options.FreezeAt, g));
        Head = Add("head", makeHead(options.HeadOptions));
    }

    /// <summary>Builds the detector of a zoo spec (seeded by <see cref="DetectorSpec.Seed"/>).</summary>
    public FcosDetector(DetectorSpec spec) : this(FcosOptions.FromSpec(spec), new Generator(spec.Seed))
    {
    }

    /// <summary>The options.</summary>
    public FcosOptions Options { get; }

    /// <inheritdoc/>
    public override int NumClasses => Options.NumClasses;

    /// <summary>ResNet-FPN (key <c>backbone</c>).</summary>
    public ResNetFpn Backbone { get; }

    /// <summary>The head (key <c>head</c>).</summary>
    public FcosHead Head { get; }

    /// <summary>(images − mean) / std per channel, for [0, 1] images [N, C, H, W].</summary>
    public Tensor Normalize(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var c = images.Size(1);
        if (c != PixelMean.Length) return images;
        var mean = Tensor.From(PixelMean, new Shape(1, c, 1, 1), images.Device).To(images.DType);
        var std = Tensor.From(PixelStd, new Shape(1, c, 1, 1), images.Device).To(images.DType);
        return (images - mean) / std;
    }

    /// <summary>Backbone, FPN and head on [0, 1] images [N, C, H, W], and the locations of every level.</summary>
    public virtual FcosForward RunNetwork(Tensor images)
    {
        var features = Backbone.Features(Normalize(images));
        var head = Head.Forward(features);
        var shifts = FcosAssigner.Shifts([.. features.Select(f => (f.Size(2), f.Size(3)))], Options.LevelStrides, Options.ShiftOffset);
        return new FcosForward(features, head, shifts);
    }

    /// <summary>FCOS targets of <paramref name="batch"/> for the locations <paramref name="shifts"/>.</summary>
    public FcosTargets Assign(IReadOnlyList<Tensor> shifts, DetectionBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return FcosAssigner.Assign(shifts, Options.LevelStrides, batch.Boxes, batch.Labels, NumClasses, Options.Targets);
    }

    /// <summary>Boxes decoded from the head: per level [N, Hi·Wi, 4] xyxy = (x − l, y − t, x + r, y + b) in input
    /// pixels (differentiable; detach for BorderDet's coarse boxes).</summary>
    public static Tensor[] DecodeBoxes(FcosHeadOutput head, IReadOnlyList<Tensor> shifts)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(shifts);
        var outs = new Tensor[head.Levels];
        for (var l = 0; l < head.Levels; l++)
        {
            var reg = head.BoxRegression[l];
            var n = reg.Size(0);
            var ltrb = reg.Permute(0, 2, 3, 1).Reshape(n, -1, 4);
            var pts = shifts[l].To(reg.DType).Unsqueeze(0).Expand(n, -1, 2);
            outs[l] = F.DecodeLtrb(pts, ltrb);
        }
        return outs;
    }

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, Tensor> Losses(DetectionBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var fwd = RunNetwork(batch.Images);
        var targets = Assign(fwd.Shifts, batch);
        return FcosLoss.Compute(fwd.Head, targets, Options.Loss);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<Detections> Detect(DetectionBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var fwd = RunNetwork(batch.Images);
        return [.. Enumerable.Range(0, batch.Count).Select(i =>
            FcosPostprocess.Run(fwd.Head, fwd.Shifts, i, batch.ImageSizes[i], Options.Postprocess))];
    }
}
