using Scratch.NN;

namespace Scratch.Models.Common.Necks;

/// <summary>Where <see cref="LastLevelP6P7"/> takes its input: the FPN's own P5 output (current cvpods,
/// <c>build_retinanet_resnet_fpn_p5_backbone</c>) or the backbone's C5 (RetinaNet and the released FCOS/BorderDet
/// checkpoints).</summary>
public enum P6P7Source
{
    /// <summary>P6 = conv3×3/2(P5) (input channels = FPN channels).</summary>
    P5,

    /// <summary>P6 = conv3×3/2(C5) (input channels = C5 channels).</summary>
    C5,
}

/// <summary>cvpods/detectron2 <c>LastLevelP6P7</c>: P6 = conv3×3 stride 2 (pad 1) of P5 or C5, P7 = conv3×3 stride 2
/// of ReLU(P6). Keys <c>p6</c>, <c>p7</c>; weights c2_xavier (Kaiming-uniform with a = 1), biases 0.</summary>
public sealed class LastLevelP6P7 : Module
{
    private readonly Conv2d _p6, _p7;

    /// <summary>Creates the block with <paramref name="inChannels"/> inputs (C5's channels for
    /// <see cref="P6P7Source.C5"/>, otherwise the FPN channels).</summary>
    public LastLevelP6P7(int inChannels, int outChannels, P6P7Source source, Generator? g = null)
    {
        Source = source;
        _p6 = Add("p6", Fpn.C2XavierConv(inChannels, outChannels, 3, 2, g));
        _p7 = Add("p7", Fpn.C2XavierConv(outChannels, outChannels, 3, 2, g));
    }

    /// <summary>The input this block reads.</summary>
    public P6P7Source Source { get; }

    /// <summary>(P6, P7) from <paramref name="x"/> (P5 or C5, by <see cref="Source"/>).</summary>
    public (Tensor P6, Tensor P7) Forward(Tensor x)
    {
        var p6 = _p6.Forward(x);
        return (p6, _p7.Forward(F.Relu(p6)));
    }
}

/// <summary>Feature Pyramid Network (Lin et al. 2017) as cvpods' <c>FPN</c> with sum fusion and no norm: for input
/// maps C_s..C_e (strides 2^s..2^e, each twice the previous), lateral 1×1 convs to <see cref="OutChannels"/>,
/// top-down pathway prev = lateral(C_i) + nearest-upsample(prev) (to C_i's size), output 3×3 convs, then the
/// optional <see cref="LastLevelP6P7"/>. Keys <c>fpn_lateral{s}</c>, <c>fpn_output{s}</c> (s = log2 stride),
/// <c>top_block.p6</c>, <c>top_block.p7</c>, in cvpods' registration order.</summary>
public class Fpn : Module<IReadOnlyList<Tensor>, Tensor[]>
{
    private readonly Conv2d[] _lateral, _output;
    private readonly LastLevelP6P7? _top;

    /// <summary>Creates the pyramid over inputs of <paramref name="inChannels"/> channels, the first of stride
    /// 2^<paramref name="firstStage"/> (3 for C3).</summary>
    /// <param name="inChannels">Channels of C_s..C_e, highest resolution first.</param>
    /// <param name="firstStage">log2 of the first input's stride.</param>
    /// <param name="outChannels">FPN channels (256 in the papers).</param>
    /// <param name="topBlock">P6/P7 source, or null for no extra levels.</param>
    /// <param name="g">Initialisation generator.</param>
    public Fpn(IReadOnlyList<int> inChannels, int firstStage, int outChannels, P6P7Source? topBlock = P6P7Source.P5,
        Generator? g = null)
    {
        ArgumentNullException.ThrowIfNull(inChannels);
        if (inChannels.Count == 0)
            throw new ArgumentException("Fpn: inChannels expected at least one entry, got none.", nameof(inChannels));
        if (outChannels < 1)
            throw new ArgumentOutOfRangeException(nameof(outChannels), outChannels, $"Fpn: outChannels expected >= 1, got {outChannels}.");
        InChannels = [.. inChannels];
        FirstStage = firstStage;
        OutChannels = outChannels;
        _lateral = new Conv2d[inChannels.Count];
        _output = new Conv2d[inChannels.Count];
        for (var i = 0; i < inChannels.Count; i++)
        {
            _lateral[i] = Add($"fpn_lateral{firstStage + i}", C2XavierConv(inChannels[i], outChannels, 1, 1, g));
            _output[i] = Add($"fpn_output{firstStage + i}", C2XavierConv(outChannels, outChannels, 3, 1, g));
        }
        if (topBlock is { } src)
            _top = Add("top_block", new LastLevelP6P7(src == P6P7Source.P5 ? outChannels : inChannels[^1], outChannels, src, g));
    }

    /// <summary>Channels of the inputs.</summary>
    public IReadOnlyList<int> InChannels { get; }

    /// <summary>log2 of the first input's stride.</summary>
    public int FirstStage { get; }

    /// <summary>Channels of every output level.</summary>
    public int OutChannels { get; }

    /// <summary>The P6/P7 block, if any.</summary>
    public LastLevelP6P7? TopBlock => _top;

    /// <summary>Strides of the outputs (2^s, …, plus two more levels with the top block).</summary>
    public IReadOnlyList<int> Strides =>
        [.. Enumerable.Range(FirstStage, InChannels.Count + (_top is null ? 0 : 2)).Select(s => 1 << s)];

    /// <summary>P_s..P_e (and P6, P7) for the inputs C_s..C_e, highest resolution first.</summary>
    /// <exception cref="ArgumentException">The number of inputs differs from <see cref="InChannels"/>.</exception>
    public override Tensor[] Forward(IReadOnlyList<Tensor> features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Count != _lateral.Length)
            throw new ArgumentException($"Fpn: features expected {_lateral.Length} maps, got {features.Count}.", nameof(features));
        var n = _lateral.Length;
        var outs = new List<Tensor>(n + 2);
        var prev = _lateral[n - 1].Forward(features[n - 1]);
        outs.Add(_output[n - 1].Forward(prev));
        for (var i = n - 2; i >= 0; i--)
        {
            var lateral = _lateral[i].Forward(features[i]);
            var up = F.Interpolate(prev, size: (lateral.Size(2), lateral.Size(3)));
            prev = lateral + up;
            outs.Insert(0, _output[i].Forward(prev));
        }
        if (_top is not null)
        {
            var (p6, p7) = _top.Forward(_top.Source == P6P7Source.P5 ? outs[n - 1] : features[n - 1]);
            outs.Add(p6);
            outs.Add(p7);
        }
        return [.. outs];
    }

    /// <summary>A biased conv (padding k/2) with cvpods' <c>c2_xavier_fill</c>: Kaiming-uniform weight with a = 1
    /// (bound √(3/fan_in)), zero bias.</summary>
    internal static Conv2d C2XavierConv(int cin, int cout, int k, int stride, Generator? g)
    {
        var c = new Conv2d(cin, cout, k, stride: stride, padding: k / 2, generator: g);
        Init.KaimingUniform_(c.Weight, a: 1, g: g);
        Init.Constant_(c.Bias!, 0);
        return c;
    }
}
