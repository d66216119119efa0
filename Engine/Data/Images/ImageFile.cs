using StbImageSharp;

namespace Scratch.Data.Images;

/// <summary>Reads image files of any common format into 8-bit pixels or F32 tensors. PNG goes through Scratch's own
/// strict <see cref="PngReader"/> (chunk CRCs checked) and falls back to StbImageSharp for the PNG variants it does
/// not handle (16-bit, interlaced); JPEG (baseline and progressive), BMP, GIF (first frame), TGA and PSD are decoded
/// by StbImageSharp, a pure managed port of stb_image.</summary>
/// <remarks>Every failure names the file: a missing file throws <see cref="FileNotFoundException"/>; an empty,
/// unrecognised, corrupt or truncated file throws <see cref="InvalidDataException"/>. JPEG structure is checked before
/// decoding (marker segments must fit in the file, a frame header must precede the scan, and the entropy-coded data
/// must end with an end-of-image marker), because stb_image silently decodes truncated JPEGs as grey-filled images
/// and can loop on some corrupt headers.</remarks>
public static class ImageFile
{
    /// <summary>Reads <paramref name="path"/> as an F32 tensor <c>[C, H, W]</c> with values <c>byte / 255</c> in [0, 1].
    /// <paramref name="channels"/> = 0 keeps the file's channels (1 grey, 2 grey + alpha, 3 RGB, 4 RGBA); 1, 3 or 4
    /// converts (grey → RGB replicates, RGB → grey uses stb_image's integer luma <c>(77R + 150G + 29B) / 256</c>, missing
    /// alpha is 255).</summary>
    public static Tensor Read(string path, int channels = 0, Device? device = null)
    {
        var img = ReadPixels(path, channels);
        int c = img.Channels, plane = img.Width * img.Height;
        var data = new float[(long)c * plane];
        for (var i = 0; i < plane; i++)
            for (var k = 0; k < c; k++) data[k * plane + i] = img.Pixels[i * c + k] / 255f;
        return Tensor.From(data, new Shape(c, img.Height, img.Width), device);
    }

    /// <summary>Reads <paramref name="path"/> as 8-bit interleaved pixels (see <see cref="Read"/> for
    /// <paramref name="channels"/>).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is empty, of an unknown format, corrupt or truncated.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="channels"/> is not 0, 1, 2, 3 or 4.</exception>
    public static PngImage ReadPixels(string path, int channels = 0)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"ImageFile: image file '{path}' does not exist.", path);
        return Decode(File.ReadAllBytes(path), path, channels);
    }

    /// <summary>Decodes image file bytes; <paramref name="name"/> names the data in errors.</summary>
    public static PngImage Decode(byte[] data, string name = "<image>", int channels = 0)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (channels is < 0 or > 4)
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "ImageFile: channels must be 0 (as stored) or 1..4.");
        if (data.Length == 0) throw new InvalidDataException($"{name}: empty image file.");
        PngImage img;
        if (data.AsSpan().StartsWith(PngWriter.Signature))
        {
            try
            {
                img = PngReader.Decode(data, name);
            }
            catch (NotSupportedException)
            {
                img = Stb(data, name);
            }
        }
        else
        {
            if (data.Length >= 2 && data[0] == 0xFF && data[1] == 0xD8) CheckJpeg(data, name);
            img = Stb(data, name);
        }
        return channels == 0 || channels == img.Channels ? img : Convert(img, channels);
    }

    private static PngImage Stb(byte[] data, string name)
    {
        ImageResult r;
        try
        {
            r = ImageResult.FromMemory(data, ColorComponents.Default);
        }
        catch (Exception e) when (e is InvalidOperationException or IndexOutOfRangeException or ArgumentException or NullReferenceException or OverflowException)
        {
            throw new InvalidDataException($"{name}: cannot decode image: {e.Message}", e);
        }
        if (r is null || r.Data is null || r.Width < 1 || r.Height < 1)
            throw new InvalidDataException($"{name}: cannot decode image (unknown format or corrupt data).");
        var c = (int)r.Comp;
        if (r.Data.LongLength != (long)r.Width * r.Height * c)
            throw new InvalidDataException($"{name}: decoder returned {r.Data.LongLength} bytes for a {r.Width}x{r.Height}x{c} image.");
        return new PngImage(r.Width, r.Height, c, r.Data);
    }

    /// <summary>Walks the JPEG marker segments (see the class remarks).</summary>
    internal static void CheckJpeg(ReadOnlySpan<byte> d, string name)
    {
        var pos = 2;
        var sawFrame = false;
        while (true)
        {
            if (pos >= d.Length) throw new InvalidDataException($"{name}: truncated JPEG (no end-of-image marker).");
            if (d[pos] != 0xFF) throw new InvalidDataException($"{name}: corrupt JPEG: expected a marker at byte {pos}, got 0x{d[pos]:X2}.");
            while (pos < d.Length && d[pos] == 0xFF) pos++;
            if (pos >= d.Length) throw new InvalidDataException($"{name}: truncated JPEG (no end-of-image marker).");
            var m = d[pos++];
            if (m == 0xD9) return;
            if (m is 0x01 or >= 0xD0 and <= 0xD7) continue;
            if (m == 0x00) throw new InvalidDataException($"{name}: corrupt JPEG: stuffed byte where a marker was expected at byte {pos - 1}.");
            if (pos + 2 > d.Length) throw new InvalidDataException($"{name}: truncated JPEG: segment 0xFF{m:X2} at byte {pos - 2} has no length.");
            var len = (d[pos] << 8) | d[pos + 1];
            if (len < 2 || pos + len > d.Length)
                throw new InvalidDataException($"{name}: truncated JPEG: segment 0xFF{m:X2} at byte {pos - 2} declares {len} bytes, {d.Length - pos} remain.");
            if (m is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC) sawFrame = true;
            pos += len;
            if (m != 0xDA) continue;
            if (!sawFrame) throw new InvalidDataException($"{name}: corrupt JPEG: scan before any frame header.");
            // Entropy-coded data: runs until a marker other than a stuffed 0xFF00 or a restart marker.
            while (true)
            {
                var next = d[pos..].IndexOf((byte)0xFF);
                if (next < 0 || pos + next + 1 >= d.Length) throw new InvalidDataException($"{name}: truncated JPEG (scan data ends without an end-of-image marker).");
                pos += next;
                var b = d[pos + 1];
                if (b == 0x00 || b is >= 0xD0 and <= 0xD7) pos += 2;
                else if (b == 0xFF) pos++;
                else break;
            }
        }
    }

    private static PngImage Convert(PngImage img, int channels)
    {
        int n = img.Width * img.Height, c = img.Channels;
        var src = img.Pixels;
        var dst = new byte[(long)n * channels];
        for (var i = 0; i < n; i++)
        {
            byte r, g, b, a;
            if (c <= 2) { r = g = b = src[i * c]; a = c == 2 ? src[i * c + 1] : (byte)255; }
            else { r = src[i * c]; g = src[i * c + 1]; b = src[i * c + 2]; a = c == 4 ? src[i * c + 3] : (byte)255; }
            switch (channels)
            {
                case 1: dst[i] = (byte)((r * 77 + g * 150 + b * 29) >> 8); break;
                case 2: dst[2 * i] = (byte)((r * 77 + g * 150 + b * 29) >> 8); dst[2 * i + 1] = a; break;
                case 3: dst[3 * i] = r; dst[3 * i + 1] = g; dst[3 * i + 2] = b; break;
                default: dst[4 * i] = r; dst[4 * i + 1] = g; dst[4 * i + 2] = b; dst[4 * i + 3] = a; break;
            }
        }
        return new PngImage(img.Width, img.Height, channels, dst);
    }
}
