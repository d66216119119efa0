using Scratch.Models.Common.Backbones;

namespace Scratch.Models.Common.Necks;

/// <summary>cvpods' <c>build_retinanet_resnet_fpn(_p5)_backbone</c>: a <see cref="ResNet"/> (child
/// <c>bottom_up</c>, torchvision keys) whose C3–C5 feed an <see cref="Fpn"/> with P6/P7, giving P3–P7 (strides
/// 8–128). Keys: <c>fpn_lateral3</c> … <c>fpn_output5</c>, <c>top_block.p6/p7</c>, <c>bottom_up.*</c>.</summary>
public sealed class ResNetFpn : Fpn
{
    /// <summary>Builds the ResNet from <paramref name="config"/> (its classifier is dropped) and the pyramid.</summary>
    /// <param name="config">Backbone configuration (NumClasses is forced to 0).</param>
    /// <param name="outChannels">FPN channels.</param>
    /// <param name="topBlock">P6/P7 source.</param>
    /// <param name="freezeAt">cvpods FREEZE_AT (see <see cref="ResNetFreeze.FreezeAt"/>).</param>
    /// <param name="g">Initialisation generator.</param>
    public ResNetFpn(ResNetConfig config, int outChannels = 256, P6P7Source topBlock = P6P7Source.P5, int freezeAt = 2,
        Generator? g = null)
        : this(new ResNet(config with { NumClasses = 0 }, g), outChannels, topBlock, freezeAt, g)
    {
    }

    private ResNetFpn(ResNet resnet, int outChannels, P6P7Source topBlock, int freezeAt, Generator? g)
        : base([.. resnet.StageChannels.Skip(1)], 3, outChannels, topBlock, g)
    {
        BottomUp = Add("bottom_up", resnet);
        resnet.FreezeAt(freezeAt);
    }

    /// <summary>The ResNet.</summary>
    public ResNet BottomUp { get; }

    /// <summary>P3–P7 of a normalised image batch [N, C, H, W] (H, W multiples of 32 keep the levels aligned).</summary>
    public Tensor[] Features(Tensor images) => Forward(BottomUp.Features(images)[1..]);
}
