namespace Scratch.Data;

/// <summary>A collated detection batch: <see cref="Images"/> F32 <c>[B, C, Hp, Wp]</c> zero-padded at bottom/right to
/// a common size (a multiple of the size divisor), the true size of each image before padding, and per-image boxes
/// F32 <c>[K_i, 4]</c>, labels I64 <c>[K_i]</c> and masks U8 <c>[K_i, Hp, Wp]</c> (padded, or null without masks).</summary>
public sealed record DetectionBatch(Tensor Images, IReadOnlyList<(int Height, int Width)> ImageSizes,
    IReadOnlyList<Tensor> Boxes, IReadOnlyList<Tensor> Labels, IReadOnlyList<Tensor>? Masks, IReadOnlyList<object?> Tags)
{
    /// <summary>Batch size B.</summary>
    public int Count => ImageSizes.Count;

    /// <summary>Pads <paramref name="samples"/> to the largest height and width rounded up to
    /// <paramref name="sizeDivisor"/> and stacks them (the collate function for <see cref="DataLoader{TSample, TBatch}"/>).</summary>
    /// <exception cref="ArgumentException">No samples, different channel counts, or masks on some samples only.</exception>
    public static DetectionBatch Collate(IReadOnlyList<DetectionSample> samples, int sizeDivisor = 32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0) throw new ArgumentException("DetectionBatch.Collate: samples must not be empty.", nameof(samples));
        ArgumentOutOfRangeException.ThrowIfLessThan(sizeDivisor, 1);
        var c = samples[0].Channels;
        var withMasks = samples[0].Masks is not null;
        if (samples.Any(s => s.Channels != c)) throw new ArgumentException("DetectionBatch.Collate: samples must have equal channel counts.", nameof(samples));
        if (samples.Any(s => (s.Masks is not null) != withMasks)) throw new ArgumentException("DetectionBatch.Collate: masks must be on all samples or none.", nameof(samples));
        var hp = (samples.Max(s => s.Height) + sizeDivisor - 1) / sizeDivisor * sizeDivisor;
        var wp = (samples.Max(s => s.Width) + sizeDivisor - 1) / sizeDivisor * sizeDivisor;
        var data = new float[(long)samples.Count * c * hp * wp];
        var boxes = new Tensor[samples.Count];
        var labels = new Tensor[samples.Count];
        var masks = withMasks ? new Tensor[samples.Count] : null;
        for (var i = 0; i < samples.Count; i++)
        {
            var s = samples[i];
            ImageKernels.PadBottomRight(s.Image, c, s.Height, s.Width, hp, wp, 0f).CopyTo(data, (long)i * c * hp * wp);
            boxes[i] = s.BoxesTensor(device);
            labels[i] = s.LabelsTensor(device);
            if (masks is not null)
                masks[i] = Tensor.From(ImageKernels.PadBottomRight(s.Masks!, s.Count, s.Height, s.Width, hp, wp, (byte)0), new Shape(s.Count, hp, wp), device);
        }
        return new DetectionBatch(Tensor.From(data, new Shape(samples.Count, c, hp, wp), device),
            [.. samples.Select(s => (s.Height, s.Width))], boxes, labels, masks, [.. samples.Select(s => s.Tag)]);
    }
}
