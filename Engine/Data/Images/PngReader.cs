using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Scratch.Data.Images;

/// <summary>Reads non-interlaced 8-bit PNG files: grey, grey + alpha, RGB, RGBA, and palette images (expanded to
/// RGB, or RGBA when a tRNS chunk is present), with all five scanline filters.</summary>
/// <remarks>Chunk CRCs are checked; ancillary chunks are skipped; IDAT chunks are concatenated and inflated with
/// <see cref="ZLibStream"/>. Errors (bad signature, CRC mismatch, missing or misordered chunks, truncated or excess
/// image data, an unknown filter byte) throw <see cref="InvalidDataException"/> naming the file; bit depths other
/// than 8 and interlaced images throw <see cref="NotSupportedException"/>.</remarks>
public static class PngReader
{
    /// <summary>Largest accepted Width·Height·Channels (1 GiB).</summary>
    public const long MaxPixelBytes = 1L << 30;

    /// <summary>Reads the PNG file at <paramref name="path"/>.</summary>
    public static PngImage Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Decode(File.ReadAllBytes(path), path);
    }

    /// <summary>Decodes PNG file bytes; <paramref name="name"/> names the data in errors.</summary>
    public static PngImage Decode(ReadOnlySpan<byte> png, string name = "<png>")
    {
        if (png.Length < 8 || !png[..8].SequenceEqual(PngWriter.Signature))
            throw new InvalidDataException($"{name}: not a PNG file (bad signature).");
        var pos = 8;
        int width = 0, height = 0, colorType = -1;
        byte[]? palette = null, trns = null;
        using var idat = new MemoryStream();
        var sawEnd = false;
        while (!sawEnd)
        {
            if (pos + 12 > png.Length) throw new InvalidDataException($"{name}: truncated chunk header at byte {pos}.");
            var len = BinaryPrimitives.ReadUInt32BigEndian(png[pos..]);
            var type = Encoding.ASCII.GetString(png.Slice(pos + 4, 4));
            if (len > int.MaxValue || pos + 12 + (long)len > png.Length)
                throw new InvalidDataException($"{name}: chunk {type} at byte {pos} runs past the end of the file.");
            var data = png.Slice(pos + 8, (int)len);
            var crc = BinaryPrimitives.ReadUInt32BigEndian(png[(pos + 8 + (int)len)..]);
            if (crc != Crc32.Update(Crc32.Compute(png.Slice(pos + 4, 4)), data))
                throw new InvalidDataException($"{name}: CRC mismatch in chunk {type} at byte {pos}.");
            pos += 12 + (int)len;
            if (colorType < 0 && type != "IHDR") throw new InvalidDataException($"{name}: first chunk must be IHDR, got {type}.");
            switch (type)
            {
                case "IHDR":
                    if (len != 13) throw new InvalidDataException($"{name}: IHDR must have 13 bytes, got {len}.");
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                    if (width < 1 || height < 1) throw new InvalidDataException($"{name}: invalid size {width}x{height}.");
                    if (data[8] != 8) throw new NotSupportedException($"{name}: only 8-bit PNGs are supported, got bit depth {data[8]}.");
                    colorType = data[9];
                    if (colorType is not (0 or 2 or 3 or 4 or 6)) throw new InvalidDataException($"{name}: invalid colour type {colorType}.");
                    if (data[10] != 0 || data[11] != 0) throw new InvalidDataException($"{name}: unknown compression or filter method.");
                    if (data[12] != 0) throw new NotSupportedException($"{name}: interlaced PNGs are not supported.");
                    break;
                case "PLTE":
                    if (len % 3 != 0 || len == 0 || len > 768) throw new InvalidDataException($"{name}: PLTE length {len} is not 3..768 and a multiple of 3.");
                    palette = data.ToArray();
                    break;
                case "tRNS":
                    trns = data.ToArray();
                    break;
                case "IDAT":
                    idat.Write(data);
                    break;
                case "IEND":
                    sawEnd = true;
                    break;
                default:
                    if ((type[0] & 0x20) == 0) throw new InvalidDataException($"{name}: unknown critical chunk {type}.");
                    break;
            }
        }
        var channels = colorType switch { 0 => 1, 4 => 2, 2 => 3, 6 => 4, _ => 1 };
        if (colorType == 3 && palette is null) throw new InvalidDataException($"{name}: palette image without PLTE.");
        if ((long)width * height * channels > MaxPixelBytes) throw new InvalidDataException($"{name}: image {width}x{height} is too large.");
        var stride = width * channels;
        var raw = Inflate(idat.ToArray(), (long)height * (stride + 1), name);
        var pixels = Unfilter(raw, width, height, channels, name);
        if (colorType == 3) return ExpandPalette(pixels, width, height, palette!, trns, name);
        return new PngImage(width, height, channels, pixels);
    }

    private static byte[] Inflate(byte[] z, long expected, string name)
    {
        var outBuf = new byte[expected];
        try
        {
            using var zs = new ZLibStream(new MemoryStream(z), CompressionMode.Decompress);
            var n = 0;
            while (n < outBuf.Length)
            {
                var r = zs.Read(outBuf, n, outBuf.Length - n);
                if (r == 0) throw new InvalidDataException($"{name}: image data is truncated ({n} of {expected} bytes).");
                n += r;
            }
            if (zs.ReadByte() >= 0) throw new InvalidDataException($"{name}: image data is longer than {expected} bytes.");
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(name, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{name}: corrupt zlib stream: {e.Message}", e);
        }
        return outBuf;
    }

    private static byte[] Unfilter(byte[] raw, int width, int height, int bpp, string name)
    {
        var stride = width * bpp;
        var px = new byte[(long)height * stride];
        for (var y = 0; y < height; y++)
        {
            int type = raw[(long)y * (stride + 1)], src = y * (stride + 1) + 1, dst = y * stride;
            if (type > 4) throw new InvalidDataException($"{name}: unknown filter type {type} on row {y}.");
            for (var i = 0; i < stride; i++)
            {
                int a = i >= bpp ? px[dst + i - bpp] : 0, b = y > 0 ? px[dst - stride + i] : 0,
                    c = i >= bpp && y > 0 ? px[dst - stride + i - bpp] : 0;
                px[dst + i] = (byte)(raw[src + i] + PngWriter.Predict(type, a, b, c));
            }
        }
        return px;
    }

    private static PngImage ExpandPalette(byte[] idx, int width, int height, byte[] palette, byte[]? trns, string name)
    {
        var ch = trns is null ? 3 : 4;
        var px = new byte[idx.LongLength * ch];
        for (var i = 0; i < idx.Length; i++)
        {
            var k = idx[i];
            if (k * 3 >= palette.Length) throw new InvalidDataException($"{name}: palette index {k} out of range ({palette.Length / 3} entries).");
            px[i * ch] = palette[k * 3];
            px[i * ch + 1] = palette[k * 3 + 1];
            px[i * ch + 2] = palette[k * 3 + 2];
            if (ch == 4) px[i * ch + 3] = k < trns!.Length ? trns[k] : (byte)255;
        }
        return new PngImage(width, height, ch, px);
    }
}
