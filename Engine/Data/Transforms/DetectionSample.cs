namespace Scratch.Data;

/// <summary>One detection / instance-segmentation example as host arrays: an F32 image in <c>[C, H, W]</c> layout
/// (values are whatever the pipeline carries, normally [0, 1] before <see cref="Normalize"/>), <see cref="Count"/>
/// boxes <c>[K, 4]</c> as <c>x1, y1, x2, y2</c> in continuous pixel coordinates (pixel <c>(r, c)</c> covers
/// <c>[c, c+1) × [r, r+1)</c>, so a mask's tight box is <c>[minCol, minRow, maxCol+1, maxRow+1]</c>), one label per
/// box and optional masks <c>[K, H, W]</c> of 0/1 bytes.</summary>
/// <remarks>Samples are immutable by convention: transforms return new samples and never write into their input's
/// arrays. <see cref="Tag"/> carries an opaque value (an image id, say) through every transform.</remarks>
public sealed class DetectionSample
{
    /// <summary>Wraps the arrays (not copied).</summary>
    /// <exception cref="ArgumentException">A size is not positive or an array has the wrong length.</exception>
    public DetectionSample(float[] image, int channels, int height, int width, float[] boxes, int[] labels,
        byte[]? masks = null, object? tag = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(boxes);
        ArgumentNullException.ThrowIfNull(labels);
        if (channels < 1 || height < 1 || width < 1)
            throw new ArgumentException($"DetectionSample: channels, height and width must be >= 1, got [{channels}, {height}, {width}].", nameof(image));
        if (image.LongLength != (long)channels * height * width)
            throw new ArgumentException($"DetectionSample: image must have {(long)channels * height * width} floats ([{channels}, {height}, {width}]), got {image.LongLength}.", nameof(image));
        if (boxes.Length != labels.Length * 4)
            throw new ArgumentException($"DetectionSample: boxes must have 4·K = {labels.Length * 4} floats for K = {labels.Length} labels, got {boxes.Length}.", nameof(boxes));
        if (masks is not null && masks.LongLength != (long)labels.Length * height * width)
            throw new ArgumentException($"DetectionSample: masks must have K·H·W = {(long)labels.Length * height * width} bytes, got {masks.LongLength}.", nameof(masks));
        Image = image;
        Channels = channels;
        Height = height;
        Width = width;
        Boxes = boxes;
        Labels = labels;
        Masks = masks;
        Tag = tag;
    }

    /// <summary>Pixels, <c>[C, H, W]</c> row-major.</summary>
    public float[] Image { get; }

    /// <summary>Number of channels C.</summary>
    public int Channels { get; }

    /// <summary>Height H in pixels.</summary>
    public int Height { get; }

    /// <summary>Width W in pixels.</summary>
    public int Width { get; }

    /// <summary>Boxes <c>[K, 4]</c> xyxy, row-major.</summary>
    public float[] Boxes { get; }

    /// <summary>Class label of each box.</summary>
    public int[] Labels { get; }

    /// <summary>Instance masks <c>[K, H, W]</c> (0/1), or null.</summary>
    public byte[]? Masks { get; }

    /// <summary>An opaque value carried through transforms.</summary>
    public object? Tag { get; }

    /// <summary>Number of instances K.</summary>
    public int Count => Labels.Length;

    /// <summary>A copy with the given parts replaced (the tag is kept).</summary>
    public DetectionSample With(float[] image, int height, int width, float[] boxes, int[] labels, byte[]? masks) =>
        new(image, Channels, height, width, boxes, labels, masks, Tag);

    /// <summary>The image as an F32 tensor <c>[C, H, W]</c> (copied).</summary>
    public Tensor ImageTensor(Device? device = null) => Tensor.From((float[])Image.Clone(), new Shape(Channels, Height, Width), device);

    /// <summary>The boxes as an F32 tensor <c>[K, 4]</c> (copied).</summary>
    public Tensor BoxesTensor(Device? device = null) => Tensor.From((float[])Boxes.Clone(), new Shape(Count, 4), device);

    /// <summary>The labels as an I64 tensor <c>[K]</c>.</summary>
    public Tensor LabelsTensor(Device? device = null) => Tensor.From(Array.ConvertAll(Labels, l => (long)l), new Shape(Count), device);

    /// <summary>Tight box <c>[minCol, minRow, maxCol+1, maxRow+1]</c> of mask <paramref name="k"/>, or null when the mask
    /// is empty or there are no masks.</summary>
    public float[]? MaskBounds(int k)
    {
        if (Masks is null) return null;
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(k, Count);
        return MaskBounds(Masks.AsSpan(k * Height * Width, Height * Width), Height, Width);
    }

    /// <summary>Tight box of a row-major <paramref name="height"/>×<paramref name="width"/> mask (non-zero =
    /// foreground), or null when empty.</summary>
    public static float[]? MaskBounds(ReadOnlySpan<byte> mask, int height, int width)
    {
        int x0 = int.MaxValue, y0 = int.MaxValue, x1 = -1, y1 = -1;
        for (var r = 0; r < height; r++)
        {
            var row = mask.Slice(r * width, width);
            var first = row.IndexOfAnyExcept((byte)0);
            if (first < 0) continue;
            var last = row.LastIndexOfAnyExcept((byte)0);
            if (y0 == int.MaxValue) y0 = r;
            y1 = r;
            x0 = Math.Min(x0, first);
            x1 = Math.Max(x1, last);
        }
        return x1 < 0 ? null : [x0, y0, x1 + 1, y1 + 1];
    }
}
