namespace Scratch.Models.Common.Backbones;

/// <summary>Which normalisation a ResNet uses after each convolution.</summary>
public enum ResNetNorm
{
    /// <summary>Trainable batch norm (torchvision default).</summary>
    BatchNorm,

    /// <summary>Frozen batch norm: fixed affine from loaded statistics (detectron2/cvpods detection default).</summary>
    FrozenBatchNorm,
}

/// <summary>ResNet / ResNeXt hyper-parameters (He et al. 2016; Xie et al. 2017).</summary>
/// <param name="Depth">18, 34, 50, 101 or 152.</param>
/// <param name="NumClasses">Classifier outputs; 0 drops the pooling and classifier (a backbone).</param>
/// <param name="Groups">Cardinality of the 3×3 convs (ResNeXt; 1 for ResNet).</param>
/// <param name="WidthPerGroup">Bottleneck width per group (64 for ResNet; e.g. 4 for ResNeXt-50 32×4d).</param>
/// <param name="StrideInOneByOne">Put the stride on the first 1×1 conv (original MSRA / detectron2 option) instead of
/// the 3×3 conv (torchvision "v1.5").</param>
/// <param name="Norm">The normalisation layer.</param>
/// <param name="InChannels">Input image channels.</param>
public sealed record ResNetConfig(int Depth = 50, int NumClasses = 1000, int Groups = 1, int WidthPerGroup = 64,
    bool StrideInOneByOne = false, ResNetNorm Norm = ResNetNorm.BatchNorm, int InChannels = 3)
{
    /// <summary>True for depths built from bottleneck blocks (50 and deeper).</summary>
    public bool UsesBottleneck => Depth >= 50;

    /// <summary>Blocks per stage (res2 … res5).</summary>
    public int[] StageBlocks => Depth switch
    {
        18 => [2, 2, 2, 2],
        34 => [3, 4, 6, 3],
        50 => [3, 4, 6, 3],
        101 => [3, 4, 23, 3],
        152 => [3, 8, 36, 3],
        _ => throw new ArgumentOutOfRangeException(nameof(Depth), Depth, "ResNet: depth expected 18, 34, 50, 101 or 152."),
    };
}
