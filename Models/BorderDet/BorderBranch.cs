using Scratch.NN;

namespace Scratch.Models.BorderDet;

/// <summary>One border branch of BorderDet (cvpods <c>BorderBranch</c>): point features and four border
/// feature maps from 1×1 convolutions, BorderAlign over the coarse box of every location, then a 1×1 fusion.
/// Keys: <c>cur_point_conv.0.*</c>, <c>ltrb_conv.0.*</c>, <c>border_conv.0.*</c>.</summary>
/// <remarks>
/// For a tower feature X [N, C_in, H, W] and align boxes B [N, H·W, 4] (feature-map units):
/// point = ReLU(InstanceNorm(conv1×1(X) → Cb)); ltrb = ReLU(InstanceNorm(conv1×1(X) → 4Cb));
/// border = BorderAlign(ltrb, B, 10) [N, Cb, H·W, 4] permuted side-major to [N, 4Cb, H, W];
/// out = ReLU(conv1×1(cat[border, point]) → C_in). InstanceNorm has no affine parameters and always uses the
/// statistics of each sample (PyTorch's default <c>nn.InstanceNorm2d</c>). Convolutions are initialised
/// N(0, 0.01) with zero bias, as cvpods' BorderHead.
/// </remarks>
public sealed class BorderBranch : Module
{
    /// <summary>Creates the branch: <paramref name="inChannels"/> tower channels in and out,
    /// <paramref name="borderChannels"/> Cb per border (cvpods: 256 on the classification tower, 128 on the
    /// regression tower).</summary>
    /// <exception cref="ArgumentOutOfRangeException">a channel count or the pool size is not positive.</exception>
    public BorderBranch(int inChannels, int borderChannels, int poolSize = 10, Generator? generator = null)
    {
        if (inChannels <= 0)
            throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels,
                $"BorderBranch: inChannels expected > 0, got {inChannels}.");
        if (borderChannels <= 0)
            throw new ArgumentOutOfRangeException(nameof(borderChannels), borderChannels,
                $"BorderBranch: borderChannels expected > 0, got {borderChannels}.");
        if (poolSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(poolSize), poolSize,
                $"BorderBranch: poolSize expected > 0, got {poolSize}.");
        (InChannels, BorderChannels, PoolSize) = (inChannels, borderChannels, poolSize);
        CurPointConv = Add("cur_point_conv", new Sequential(
            BorderHead.Conv1x1(inChannels, borderChannels, generator), new InstanceNorm2d(borderChannels), new ReLU()));
        LtrbConv = Add("ltrb_conv", new Sequential(
            BorderHead.Conv1x1(inChannels, 4 * borderChannels, generator), new InstanceNorm2d(4 * borderChannels),
            new ReLU()));
        BorderConv = Add("border_conv", new Sequential(
            BorderHead.Conv1x1(5 * borderChannels, inChannels, generator), new ReLU()));
    }

    /// <summary>Tower channels C_in (input and output).</summary>
    public int InChannels { get; }

    /// <summary>Channels Cb per border.</summary>
    public int BorderChannels { get; }

    /// <summary>BorderAlign pool size P (P + 1 samples per border; 10 in BorderDet).</summary>
    public int PoolSize { get; }

    /// <summary>conv1×1 → InstanceNorm → ReLU to Cb point channels.</summary>
    public Sequential CurPointConv { get; }

    /// <summary>conv1×1 → InstanceNorm → ReLU to 4·Cb border channels [top | left | bottom | right].</summary>
    public Sequential LtrbConv { get; }

    /// <summary>conv1×1 5·Cb → C_in → ReLU.</summary>
    public Sequential BorderConv { get; }

    /// <summary>Border features of <paramref name="feature"/> [N, C_in, H, W] pooled along
    /// <paramref name="alignBoxes"/> [N, H·W, 4] (x1, y1, x2, y2 in feature-map units, location-major as
    /// <c>permute(0, 2, 3, 1)</c>; no gradient flows to them). Returns [N, C_in, H, W].</summary>
    /// <exception cref="ShapeMismatchException">feature is not [N, C_in, H, W] or the boxes are not
    /// [N, H·W, 4].</exception>
    public Tensor Forward(Tensor feature, Tensor alignBoxes)
    {
        if (feature.Rank != 4 || feature.Shape[1] != InChannels)
            throw new ShapeMismatchException("BorderBranch", "feature", $"[N, {InChannels}, H, W]",
                feature.Shape.ToString());
        var (n, h, w) = (feature.Shape[0], feature.Shape[2], feature.Shape[3]);
        if (alignBoxes.Rank != 3 || alignBoxes.Shape[0] != n || alignBoxes.Shape[1] != h * w || alignBoxes.Shape[2] != 4)
            throw new ShapeMismatchException("BorderBranch", "alignBoxes", $"[{n}, {h * w}, 4]",
                alignBoxes.Shape.ToString());
        var point = CurPointConv.Forward(feature);
        var ltrb = LtrbConv.Forward(feature);
        var border = F.BorderAlign(ltrb, alignBoxes.Detach(), PoolSize)           // [N, Cb, HW, 4]
            .Permute(0, 3, 1, 2).Reshape(n, 4 * BorderChannels, h, w);
        return BorderConv.Forward(F.Cat([border, point], 1));
    }
}
