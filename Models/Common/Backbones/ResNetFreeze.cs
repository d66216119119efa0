namespace Scratch.Models.Common.Backbones;

/// <summary>detectron2/cvpods <c>FREEZE_AT</c> for <see cref="ResNet"/>.</summary>
public static class ResNetFreeze
{
    /// <summary>Stops training the first <paramref name="freezeAt"/> stages: 0 freezes nothing, 1 the stem
    /// (<c>conv1</c>, <c>bn1</c>), 2 the stem and res2 (<c>layer1</c>, the detection default), … 5 the whole
    /// backbone. Frozen parameters get <c>RequiresGrad = false</c> (optimizers skip them, and no gradient flows into
    /// the frozen prefix). Batch-norm layers in frozen stages still update running statistics in training mode;
    /// build with <see cref="ResNetNorm.FrozenBatchNorm"/> for cvpods' behaviour.</summary>
    /// <returns>The number of parameters frozen.</returns>
    /// <exception cref="ArgumentOutOfRangeException">freezeAt is outside [0, 5].</exception>
    public static int FreezeAt(this ResNet resnet, int freezeAt)
    {
        ArgumentNullException.ThrowIfNull(resnet);
        if (freezeAt is < 0 or > 5)
            throw new ArgumentOutOfRangeException(nameof(freezeAt), freezeAt, $"ResNet.FreezeAt: freezeAt expected 0..5, got {freezeAt}.");
        var prefixes = new List<string>();
        if (freezeAt >= 1) prefixes.AddRange(["conv1.", "bn1."]);
        for (var s = 1; s < freezeAt; s++) prefixes.Add($"layer{s}.");
        var n = 0;
        foreach (var (name, p) in resnet.NamedParameters())
            if (prefixes.Any(q => name.StartsWith(q, StringComparison.Ordinal)))
            {
                p.RequiresGrad = false;
                n++;
            }
        return n;
    }
}
