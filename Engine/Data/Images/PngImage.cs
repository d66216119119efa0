namespace Scratch.Data.Images;

/// <summary>An 8-bit image: <see cref="Pixels"/> holds Height × Width × Channels bytes, row-major, channels
/// interleaved (1 = grey, 2 = grey + alpha, 3 = RGB, 4 = RGBA).</summary>
public sealed class PngImage
{
    /// <summary>Wraps <paramref name="pixels"/> (not copied).</summary>
    /// <exception cref="ArgumentException">Non-positive size, channels outside 1..4, or a pixel buffer of the
    /// wrong length.</exception>
    public PngImage(int width, int height, int channels, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (width < 1 || height < 1)
            throw new ArgumentException($"PngImage: width and height must be >= 1, got {width}x{height}.", nameof(width));
        if (channels is < 1 or > 4)
            throw new ArgumentException($"PngImage: channels must be 1..4, got {channels}.", nameof(channels));
        if (pixels.LongLength != (long)width * height * channels)
            throw new ArgumentException($"PngImage: pixels must have {(long)width * height * channels} bytes ({height}x{width}x{channels}), got {pixels.LongLength}.", nameof(pixels));
        Width = width;
        Height = height;
        Channels = channels;
        Pixels = pixels;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Interleaved channels per pixel (1..4).</summary>
    public int Channels { get; }

    /// <summary>The pixel bytes, row-major HWC.</summary>
    public byte[] Pixels { get; }

    /// <summary>The image as a U8 tensor of shape [Height, Width, Channels] on <paramref name="device"/>.</summary>
    public Tensor ToTensor(Device? device = null) => Tensor.From((byte[])Pixels.Clone(), new Shape(Height, Width, Channels), device);

    /// <summary>An image from a U8 tensor of shape [H, W, C] (C = 1..4) or [H, W] (grey).</summary>
    /// <exception cref="DTypeMismatchException">Not U8.</exception>
    /// <exception cref="ShapeMismatchException">Not [H, W] or [H, W, 1..4].</exception>
    public static PngImage FromTensor(Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        if (t.DType != DType.U8) throw new DTypeMismatchException("PngImage.FromTensor", "t", "U8", t.DType.Name());
        var d = t.Shape.Dims;
        if (!(d.Length == 2 || (d.Length == 3 && d[2] is >= 1 and <= 4)))
            throw new ShapeMismatchException("PngImage.FromTensor", "t", "[H, W] or [H, W, C] with C in 1..4", t.Shape.ToString());
        return new PngImage(d[1], d[0], d.Length == 2 ? 1 : d[2], t.ToArray<byte>());
    }
}
