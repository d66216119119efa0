using Scratch.NN;

namespace Scratch.Models.Common.Backbones;

/// <summary>Shared pieces of the residual blocks: conv and norm factories, the projection shortcut.</summary>
internal static class ResNetParts
{
    public static Conv2d Conv(int cin, int cout, int k, int stride = 1, int groups = 1, Generator? g = null)
    {
        var c = new Conv2d(cin, cout, k, stride: stride, padding: k / 2, groups: groups, bias: false, generator: g);
        Init.KaimingNormal_(c.Weight, mode: "fan_out", nonlinearity: "relu", g: g);
        return c;
    }

    public static Module<Tensor, Tensor> Norm(ResNetNorm kind, int channels) => kind switch
    {
        ResNetNorm.FrozenBatchNorm => new FrozenBatchNorm2d(channels),
        _ => new BatchNorm2d(channels),
    };

    /// <summary>1×1 strided conv + norm, keys <c>downsample.0</c>, <c>downsample.1</c>; null when shapes agree.</summary>
    public static Sequential? Shortcut(int cin, int cout, int stride, ResNetNorm norm, Generator? g) =>
        stride == 1 && cin == cout ? null : new Sequential(Conv(cin, cout, 1, stride, g: g), Norm(norm, cout));
}

/// <summary>Two 3×3 convs with a residual connection (ResNet-18/34). Keys conv1, bn1, conv2, bn2, downsample.</summary>
public sealed class BasicBlock : Module<Tensor, Tensor>
{
    private readonly Conv2d _conv1, _conv2;
    private readonly Module<Tensor, Tensor> _bn1, _bn2;
    private readonly Sequential? _downsample;

    /// <summary>Creates the block; <paramref name="stride"/> 2 halves the resolution.</summary>
    public BasicBlock(int cin, int cout, int stride, ResNetNorm norm, Generator? g = null)
    {
        _conv1 = Add("conv1", ResNetParts.Conv(cin, cout, 3, stride, g: g));
        _bn1 = Add("bn1", ResNetParts.Norm(norm, cout));
        _conv2 = Add("conv2", ResNetParts.Conv(cout, cout, 3, g: g));
        _bn2 = Add("bn2", ResNetParts.Norm(norm, cout));
        _downsample = ResNetParts.Shortcut(cin, cout, stride, norm, g);
        if (_downsample is not null) Add("downsample", _downsample);
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor x)
    {
        var y = ConvBn.Forward(_conv1, _bn1, x, relu: true);
        return ConvBn.Forward(_conv2, _bn2, y, ConvBn.Shortcut(_downsample, x), relu: true);
    }
}

/// <summary>1×1 reduce → 3×3 (grouped for ResNeXt) → 1×1 expand ×4, with a residual connection (ResNet-50+).
/// Keys conv1..3, bn1..3, downsample.</summary>
public sealed class Bottleneck : Module<Tensor, Tensor>
{
    private readonly Conv2d _conv1, _conv2, _conv3;
    private readonly Module<Tensor, Tensor> _bn1, _bn2, _bn3;
    private readonly Sequential? _downsample;

    /// <summary>Creates the block with bottleneck width <paramref name="width"/> and output channels
    /// <paramref name="cout"/>.</summary>
    public Bottleneck(int cin, int width, int cout, int stride, int groups, bool strideInOneByOne, ResNetNorm norm,
        Generator? g = null)
    {
        var (s1, s3) = strideInOneByOne ? (stride, 1) : (1, stride);
        _conv1 = Add("conv1", ResNetParts.Conv(cin, width, 1, s1, g: g));
        _bn1 = Add("bn1", ResNetParts.Norm(norm, width));
        _conv2 = Add("conv2", ResNetParts.Conv(width, width, 3, s3, groups, g));
        _bn2 = Add("bn2", ResNetParts.Norm(norm, width));
        _conv3 = Add("conv3", ResNetParts.Conv(width, cout, 1, g: g));
        _bn3 = Add("bn3", ResNetParts.Norm(norm, cout));
        _downsample = ResNetParts.Shortcut(cin, cout, stride, norm, g);
        if (_downsample is not null) Add("downsample", _downsample);
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor x)
    {
        var y = ConvBn.Forward(_conv1, _bn1, x, relu: true);
        y = ConvBn.Forward(_conv2, _bn2, y, relu: true);
        return ConvBn.Forward(_conv3, _bn3, y, ConvBn.Shortcut(_downsample, x), relu: true);
    }
}
