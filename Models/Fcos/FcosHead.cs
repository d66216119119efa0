using Scratch.NN;

namespace Scratch.Models.Fcos;

/// <summary>Normalisation inside the FCOS towers.</summary>
public enum FcosHeadNorm
{
    /// <summary>GroupNorm after every tower conv (cvpods FCOS).</summary>
    GroupNorm,

    /// <summary>No normalisation (conv → ReLU).</summary>
    None,
}

/// <summary>Hyper-parameters of <see cref="FcosHead"/> (cvpods <c>MODEL.FCOS.*</c>).</summary>
/// <param name="InChannels">Channels of every FPN level (also the tower width).</param>
/// <param name="NumClasses">Foreground classes C.</param>
/// <param name="Strides">Strides of the levels (8, 16, 32, 64, 128): one <see cref="FcosScale"/> each.</param>
/// <param name="NumConvs">Convs per tower (4).</param>
/// <param name="Norm">Tower normalisation (GroupNorm).</param>
/// <param name="GroupNormGroups">GroupNorm groups (32).</param>
/// <param name="PriorProb">Initial foreground probability of <c>cls_score</c> (0.01).</param>
/// <param name="CenternessOnReg">Centerness from the box tower (true, the BorderDet config) or the cls tower.</param>
/// <param name="NormRegTargets">Box output ReLU(scale·x)·stride (true) or exp(scale·x).</param>
public sealed record FcosHeadOptions(int InChannels, int NumClasses, IReadOnlyList<int> Strides, int NumConvs = 4,
    FcosHeadNorm Norm = FcosHeadNorm.GroupNorm, int GroupNormGroups = 32, double PriorProb = 0.01,
    bool CenternessOnReg = true, bool NormRegTargets = true);

/// <summary>The head's outputs, one entry per level (highest resolution first).</summary>
/// <param name="ClsLogits">[N, C, Hi, Wi] classification logits.</param>
/// <param name="BoxRegression">[N, 4, Hi, Wi] distances (l, t, r, b) from each location to the box sides, in input
/// pixels (ReLU(scale·x)·stride with NormRegTargets, as cvpods, in training and inference alike).</param>
/// <param name="Centerness">[N, 1, Hi, Wi] centerness logits.</param>
/// <param name="ClsTower">[N, Ch, Hi, Wi] output of the classification tower (BorderDet's border branch input).</param>
/// <param name="BoxTower">[N, Ch, Hi, Wi] output of the regression tower.</param>
public sealed record FcosHeadOutput(IReadOnlyList<Tensor> ClsLogits, IReadOnlyList<Tensor> BoxRegression,
    IReadOnlyList<Tensor> Centerness, IReadOnlyList<Tensor> ClsTower, IReadOnlyList<Tensor> BoxTower)
{
    /// <summary>Number of levels.</summary>
    public int Levels => ClsLogits.Count;
}

/// <summary>cvpods' <c>Scale</c>: multiplies its input by one learnable scalar (key <c>scale</c>, shape [1], init
/// 1).</summary>
public sealed class FcosScale : Module<Tensor, Tensor>
{
    /// <summary>Creates the scale with <paramref name="init"/>.</summary>
    public FcosScale(double init = 1.0) => Scale = Param("scale", Tensor.Full(new Shape(1), init));

    /// <summary>The scalar, shape [1].</summary>
    public Parameter Scale { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input * Scale;
}

/// <summary>The FCOS head of cvpods (Tian et al. 2019), shared over the levels: a classification tower and a box
/// tower of <c>NumConvs</c> × [conv3×3 Ch→Ch, GroupNorm, ReLU] (keys <c>cls_subnet.{3i}</c>, <c>.{3i+1}</c>;
/// <c>bbox_subnet</c> likewise), <c>cls_score</c> conv3×3 → C, <c>bbox_pred</c> conv3×3 → 4 with per-level
/// <c>scales.{l}.scale</c>, <c>centerness</c> conv3×3 → 1 (on the box tower by default). Convs are initialised
/// N(0, 0.01²) with zero bias, except <c>cls_score</c>'s bias −ln((1 − π)/π) for the prior π.</summary>
/// <remarks>Not sealed: a head that extends FCOS (BorderDet's, whose cvpods keys sit beside these) derives from it,
/// registers its own modules after this constructor and calls <see cref="Forward"/>.</remarks>
public class FcosHead : Module<IReadOnlyList<Tensor>, FcosHeadOutput>
{
    private readonly Sequential _clsSubnet, _bboxSubnet;
    private readonly Conv2d _clsScore, _bboxPred, _centerness;
    private readonly ModuleList<FcosScale> _scales;

    /// <summary>Creates the head.</summary>
    /// <exception cref="ArgumentException">Bad channel, class, conv or stride counts, or channels not divisible by
    /// the GroupNorm groups.</exception>
    public FcosHead(FcosHeadOptions options, Generator? g = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        var ch = options.InChannels;
        if (ch < 1) throw new ArgumentOutOfRangeException(nameof(options), ch, $"FcosHead: InChannels expected >= 1, got {ch}.");
        if (options.NumClasses < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.NumClasses, $"FcosHead: NumClasses expected >= 1, got {options.NumClasses}.");
        if (options.NumConvs < 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.NumConvs, $"FcosHead: NumConvs expected >= 0, got {options.NumConvs}.");
        if (options.Strides is null || options.Strides.Count == 0 || options.Strides.Any(s => s <= 0))
            throw new ArgumentException("FcosHead: Strides expected at least one positive stride.", nameof(options));
        if (options.Norm == FcosHeadNorm.GroupNorm && (options.GroupNormGroups < 1 || ch % options.GroupNormGroups != 0))
            throw new ArgumentException($"FcosHead: InChannels ({ch}) expected divisible by GroupNormGroups ({options.GroupNormGroups}).", nameof(options));
        _clsSubnet = Add("cls_subnet", Tower(options, g));
        _bboxSubnet = Add("bbox_subnet", Tower(options, g));
        _clsScore = Add("cls_score", Conv(ch, options.NumClasses, g));
        _bboxPred = Add("bbox_pred", Conv(ch, 4, g));
        _centerness = Add("centerness", Conv(ch, 1, g));
        Init.Constant_(_clsScore.Bias!, -Math.Log((1 - options.PriorProb) / options.PriorProb));
        _scales = Add("scales", new ModuleList<FcosScale>([.. options.Strides.Select(_ => new FcosScale())]));
    }

    /// <summary>The options.</summary>
    public FcosHeadOptions Options { get; }

    /// <summary>Per-level learnable scales of the box output.</summary>
    public IReadOnlyList<FcosScale> Scales => [.. _scales.Items];

    /// <summary>Runs the shared head on each level of <paramref name="features"/> (one map per stride).</summary>
    /// <exception cref="ArgumentException">The number of maps differs from the number of strides.</exception>
    public override FcosHeadOutput Forward(IReadOnlyList<Tensor> features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Count != Options.Strides.Count)
            throw new ArgumentException($"FcosHead: features expected {Options.Strides.Count} levels (one per stride), got {features.Count}.", nameof(features));
        var n = features.Count;
        var (logits, boxes, ctr, clsT, boxT) = (new Tensor[n], new Tensor[n], new Tensor[n], new Tensor[n], new Tensor[n]);
        for (var l = 0; l < n; l++)
        {
            var c = clsT[l] = _clsSubnet.Forward(features[l]);
            var b = boxT[l] = _bboxSubnet.Forward(features[l]);
            logits[l] = _clsScore.Forward(c);
            ctr[l] = _centerness.Forward(Options.CenternessOnReg ? b : c);
            var pred = _scales[l].Forward(_bboxPred.Forward(b));
            boxes[l] = Options.NormRegTargets ? F.Relu(pred) * Options.Strides[l] : pred.Exp();
        }
        return new FcosHeadOutput(logits, boxes, ctr, clsT, boxT);
    }

    private static Sequential Tower(FcosHeadOptions o, Generator? g)
    {
        var s = new Sequential();
        for (var i = 0; i < o.NumConvs; i++)
        {
            s.Append(Conv(o.InChannels, o.InChannels, g));
            if (o.Norm == FcosHeadNorm.GroupNorm) s.Append(new GroupNorm(o.GroupNormGroups, o.InChannels));
            s.Append(new ReLU());
        }
        return s;
    }

    private static Conv2d Conv(int cin, int cout, Generator? g)
    {
        var c = new Conv2d(cin, cout, 3, padding: 1, generator: g);
        Init.Normal_(c.Weight, 0, 0.01, g);
        Init.Constant_(c.Bias!, 0);
        return c;
    }
}
