using Scratch.NN;

namespace Scratch.Models.Common.Backbones;

/// <summary>ResNet / ResNeXt with torchvision's state-dict keys (<c>conv1</c>, <c>bn1</c>, <c>layer1.0.conv1</c> …
/// <c>fc</c>), so torchvision checkpoints load without renaming.</summary>
/// <remarks>Stem: 7×7/2 conv (64) → norm → ReLU → 3×3/2 max-pool; stages res2–res5 (<c>layer1</c>–<c>layer4</c>) with
/// 64·2^i bottleneck widths (×4 expansion for bottlenecks), stride 2 at the first block of layer2–layer4; then global
/// average pooling and a linear classifier. <see cref="Features"/> returns C2–C5 for detection necks.</remarks>
public sealed class ResNet : Module<Tensor, Tensor>
{
    private readonly Conv2d _conv1;
    private readonly Module<Tensor, Tensor> _bn1;
    private readonly Sequential[] _stages;
    private readonly Linear? _fc;

    /// <summary>Creates the network described by <paramref name="config"/>, initialised from <paramref name="g"/>.</summary>
    public ResNet(ResNetConfig config, Generator? g = null)
    {
        Config = config;
        var blocks = config.StageBlocks;
        _conv1 = Add("conv1", new Conv2d(config.InChannels, 64, 7, stride: 2, padding: 3, bias: false, generator: g));
        Init.KaimingNormal_(_conv1.Weight, mode: "fan_out", nonlinearity: "relu", g: g);
        _bn1 = Add("bn1", ResNetParts.Norm(config.Norm, 64));
        _stages = new Sequential[4];
        var cin = 64;
        var channels = new int[4];
        for (var s = 0; s < 4; s++)
        {
            var stage = new Sequential();
            var planes = 64 << s;
            var cout = config.UsesBottleneck ? planes * 4 : planes;
            var width = planes * config.WidthPerGroup / 64 * config.Groups;
            for (var b = 0; b < blocks[s]; b++)
            {
                var stride = b == 0 && s > 0 ? 2 : 1;
                stage.Append(config.UsesBottleneck
                    ? new Bottleneck(cin, width, cout, stride, config.Groups, config.StrideInOneByOne, config.Norm, g)
                    : new BasicBlock(cin, cout, stride, config.Norm, g));
                cin = cout;
            }
            channels[s] = cout;
            _stages[s] = Add($"layer{s + 1}", stage);
        }
        StageChannels = channels;
        if (config.NumClasses > 0) _fc = Add("fc", new Linear(cin, config.NumClasses, generator: g));
    }

    /// <summary>The configuration.</summary>
    public ResNetConfig Config { get; }

    /// <summary>Output channels of C2–C5.</summary>
    public IReadOnlyList<int> StageChannels { get; }

    /// <summary>C2–C5 feature maps (strides 4, 8, 16, 32) for an [N, C, H, W] image batch.</summary>
    public Tensor[] Features(Tensor x)
    {
        var y = F.MaxPool2d(ConvBn.Forward(_conv1, _bn1, x, relu: true), 3, stride: 2, padding: 1);
        var outs = new Tensor[4];
        for (var s = 0; s < 4; s++) outs[s] = y = _stages[s].Forward(y);
        return outs;
    }

    /// <summary>Class logits [N, NumClasses] (or C5 when built without a classifier).</summary>
    public override Tensor Forward(Tensor x)
    {
        var c5 = Features(x)[3];
        if (_fc is null) return c5;
        return _fc.Forward(c5.Mean([2, 3]));
    }
}
