using Scratch.Data.Images;

namespace Scratch.Data.Visualization;

/// <summary>An RGB colour with components in [0, 1].</summary>
public readonly record struct Rgb(float R, float G, float B)
{
    /// <summary>Perceived luminance (Rec. 601 weights), used to pick a readable text colour.</summary>
    public float Luminance => 0.299f * R + 0.587f * G + 0.114f * B;

    /// <summary>White.</summary>
    public static Rgb White => new(1, 1, 1);

    /// <summary>Black.</summary>
    public static Rgb Black => new(0, 0, 0);
}

/// <summary>A mutable RGB float image <c>[3, H, W]</c> (values nominally in [0, 1]) to draw rectangles, text and
/// alpha-blended masks on; drawing is clipped to the image.</summary>
/// <remarks>Pixel (x, y) covers <c>[x, x+1) × [y, y+1)</c>, as box coordinates do elsewhere in the data pipeline.
/// Blending is <c>out = (1 − α)·dst + α·colour</c> per channel.</remarks>
public sealed class Canvas
{
    private readonly float[] _px;

    /// <summary>A blank canvas of <paramref name="height"/> × <paramref name="width"/> filled with
    /// <paramref name="background"/> (black by default).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size below 1.</exception>
    public Canvas(int height, int width, Rgb? background = null)
    {
        if (height < 1) throw new ArgumentOutOfRangeException(nameof(height), height, $"Canvas: height expected >= 1, got {height}.");
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, $"Canvas: width expected >= 1, got {width}.");
        (Height, Width) = (height, width);
        _px = new float[3L * height * width];
        if (background is { } bg) FillRect(0, 0, width, height, bg);
    }

    /// <summary>A canvas holding a copy of <paramref name="image"/>, a floating <c>[3, H, W]</c> tensor.</summary>
    /// <exception cref="DTypeMismatchException">Not F32 or F64.</exception>
    /// <exception cref="ShapeMismatchException">Not <c>[3, H, W]</c> with H, W ≥ 1.</exception>
    public Canvas(Tensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (!image.DType.IsFloating()) throw new DTypeMismatchException("Canvas", "image", "F32 or F64", image.DType.Name());
        var d = image.Shape.Dims;
        if (d.Length != 3 || d[0] != 3 || d[1] < 1 || d[2] < 1)
            throw new ShapeMismatchException("Canvas", "image", "[3, H, W] with H, W >= 1", image.Shape.ToString());
        (Height, Width) = ((int)d[1], (int)d[2]);
        _px = image.DType == DType.F32 ? image.ToArray<float>() : Array.ConvertAll(image.ToArray<double>(), v => (float)v);
    }

    /// <summary>Image height H.</summary>
    public int Height { get; }

    /// <summary>Image width W.</summary>
    public int Width { get; }

    /// <summary>The colour at (<paramref name="x"/>, <paramref name="y"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside the image.</exception>
    public Rgb this[int x, int y]
    {
        get
        {
            if ((uint)x >= (uint)Width) throw new ArgumentOutOfRangeException(nameof(x), x, $"Canvas: x expected in [0, {Width}), got {x}.");
            if ((uint)y >= (uint)Height) throw new ArgumentOutOfRangeException(nameof(y), y, $"Canvas: y expected in [0, {Height}), got {y}.");
            var plane = (long)Height * Width;
            var i = (long)y * Width + x;
            return new Rgb(_px[i], _px[plane + i], _px[2 * plane + i]);
        }
    }

    /// <summary>Blends <paramref name="color"/> into pixel (x, y) with opacity <paramref name="alpha"/>; pixels
    /// outside the image are ignored.</summary>
    public void Blend(int x, int y, Rgb color, float alpha = 1f)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height) return;
        var plane = (long)Height * Width;
        var i = (long)y * Width + x;
        if (alpha >= 1f)
        {
            (_px[i], _px[plane + i], _px[2 * plane + i]) = (color.R, color.G, color.B);
            return;
        }
        _px[i] += alpha * (color.R - _px[i]);
        _px[plane + i] += alpha * (color.G - _px[plane + i]);
        _px[2 * plane + i] += alpha * (color.B - _px[2 * plane + i]);
    }

    /// <summary>Fills the pixels with x in [<paramref name="x0"/>, <paramref name="x1"/>) and y in
    /// [<paramref name="y0"/>, <paramref name="y1"/>) (clipped).</summary>
    public void FillRect(int x0, int y0, int x1, int y1, Rgb color, float alpha = 1f)
    {
        (x0, x1) = (Math.Max(0, x0), Math.Min(Width, x1));
        (y0, y1) = (Math.Max(0, y0), Math.Min(Height, y1));
        for (var y = y0; y < y1; y++)
            for (var x = x0; x < x1; x++) Blend(x, y, color, alpha);
    }

    /// <summary>Outlines the continuous box (<paramref name="x1"/>, <paramref name="y1"/>, <paramref name="x2"/>,
    /// <paramref name="y2"/>): the pixel rectangle columns ⌊x1⌋ … ⌈x2⌉−1, rows ⌊y1⌋ … ⌈y2⌉−1 gets a border of
    /// <paramref name="thickness"/> pixels drawn inside it.</summary>
    /// <exception cref="ArgumentException">A non-finite coordinate or x2 &lt; x1 or y2 &lt; y1.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="thickness"/> below 1.</exception>
    public void DrawBox(double x1, double y1, double x2, double y2, Rgb color, int thickness = 1)
    {
        if (!double.IsFinite(x1) || !double.IsFinite(y1) || !double.IsFinite(x2) || !double.IsFinite(y2) || x2 < x1 || y2 < y1)
            throw new ArgumentException($"Canvas.DrawBox: box expected finite x1 <= x2, y1 <= y2, got ({x1}, {y1}, {x2}, {y2}).", nameof(x1));
        if (thickness < 1) throw new ArgumentOutOfRangeException(nameof(thickness), thickness, $"Canvas.DrawBox: thickness expected >= 1, got {thickness}.");
        var (c0, r0) = (Clip(Math.Floor(x1)), Clip(Math.Floor(y1)));
        var (c1, r1) = (Clip(Math.Max(Math.Ceiling(x2), Math.Floor(x1) + 1)), Clip(Math.Max(Math.Ceiling(y2), Math.Floor(y1) + 1)));
        var t = thickness;
        FillRect(c0, r0, c1, Math.Min(r1, r0 + t), color);           // top
        FillRect(c0, Math.Max(r0, r1 - t), c1, r1, color);           // bottom
        FillRect(c0, r0, Math.Min(c1, c0 + t), r1, color);           // left
        FillRect(Math.Max(c0, c1 - t), r0, c1, r1, color);           // right
    }

    /// <summary>Draws <paramref name="text"/> with <see cref="BitmapFont"/>, its top-left cell corner at
    /// (<paramref name="x"/>, <paramref name="y"/>), each font pixel a <paramref name="scale"/>² block.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scale"/> below 1.</exception>
    public void DrawText(int x, int y, string text, Rgb color, int scale = 1)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (scale < 1) throw new ArgumentOutOfRangeException(nameof(scale), scale, $"Canvas.DrawText: scale expected >= 1, got {scale}.");
        for (var k = 0; k < text.Length; k++)
        {
            var ox = x + k * BitmapFont.CellWidth * scale;
            for (var gy = 0; gy < BitmapFont.GlyphHeight; gy++)
                for (var gx = 0; gx < BitmapFont.GlyphWidth; gx++)
                    if (BitmapFont.Ink(text[k], gx, gy))
                        FillRect(ox + gx * scale, y + gy * scale, ox + (gx + 1) * scale, y + (gy + 1) * scale, color);
        }
    }

    /// <summary>Blends <paramref name="color"/> with opacity <paramref name="alpha"/> into every pixel where
    /// <paramref name="mask"/> (row-major <c>[H, W]</c> of this canvas's size) is non-zero.</summary>
    /// <exception cref="ArgumentException">The mask length is not H·W.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> outside [0, 1].</exception>
    public void BlendMask(ReadOnlySpan<byte> mask, Rgb color, float alpha = 0.5f)
    {
        if (mask.Length != Height * Width)
            throw new ArgumentException($"Canvas.BlendMask: mask expected {Height}·{Width} = {Height * Width} values, got {mask.Length}.", nameof(mask));
        if (!(alpha >= 0 && alpha <= 1)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, $"Canvas.BlendMask: alpha expected in [0, 1], got {alpha}.");
        for (var y = 0; y < Height; y++)
            for (var x = 0; x < Width; x++)
                if (mask[y * Width + x] != 0) Blend(x, y, color, alpha);
    }

    /// <summary>The image as an F32 <c>[3, H, W]</c> tensor.</summary>
    public Tensor ToTensor(Device? device = null) => Tensor.From((float[])_px.Clone(), new Shape(3, Height, Width), device);

    /// <summary>The image as an 8-bit RGB PNG image (values clamped to [0, 1], scaled by 255 and rounded).</summary>
    public PngImage ToPng()
    {
        var plane = Height * Width;
        var bytes = new byte[3 * plane];
        for (var i = 0; i < plane; i++)
            for (var c = 0; c < 3; c++)
                bytes[3 * i + c] = (byte)Math.Round(Math.Clamp(_px[c * plane + i], 0f, 1f) * 255f);
        return new PngImage(Width, Height, 3, bytes);
    }

    /// <summary>Writes the image as an RGB PNG file.</summary>
    public void Save(string path) => PngWriter.Write(path, ToPng());

    private static int Clip(double v) => (int)Math.Clamp(v, int.MinValue / 2, int.MaxValue / 2);
}
