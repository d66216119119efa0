using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Scratch.Data.Images;

/// <summary>Writes 8-bit, non-interlaced PNG files: grey (colour type 0), grey + alpha (4), RGB (2) or RGBA (6),
/// from a <see cref="PngImage"/> of 1, 2, 3 or 4 channels.</summary>
/// <remarks>Layout: the 8-byte signature, IHDR, one IDAT holding the zlib stream (<see cref="ZLibStream"/>) of the
/// filtered scanlines, IEND; every chunk is length, type, data, CRC-32 of type + data (<see cref="Crc32"/>). Each
/// scanline's filter (None, Sub, Up, Average, Paeth) is chosen by the usual minimum-sum-of-absolute-differences
/// heuristic, or fixed with <c>filter</c>.</remarks>
public static class PngWriter
{
    internal static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];

    /// <summary>Writes <paramref name="image"/> to <paramref name="path"/>.</summary>
    public static void Write(string path, PngImage image, int? filter = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        File.WriteAllBytes(path, Encode(image, filter));
    }

    /// <summary>The PNG file bytes of <paramref name="image"/>; <paramref name="filter"/> 0..4 forces one filter type
    /// on every row (null = adaptive).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="filter"/> outside 0..4.</exception>
    public static byte[] Encode(PngImage image, int? filter = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (filter is < 0 or > 4)
            throw new ArgumentOutOfRangeException(nameof(filter), filter, $"PngWriter.Encode: filter must be 0..4 or null, got {filter}.");
        using var ms = new MemoryStream();
        ms.Write(Signature);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, image.Width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), image.Height);
        ihdr[8] = 8;
        ihdr[9] = image.Channels switch { 1 => 0, 2 => 4, 3 => 2, _ => 6 };
        WriteChunk(ms, "IHDR", ihdr);
        WriteChunk(ms, "IDAT", Compress(Filter(image, filter)));
        WriteChunk(ms, "IEND", []);
        return ms.ToArray();
    }

    private static byte[] Compress(byte[] raw)
    {
        using var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.Optimal, leaveOpen: true)) z.Write(raw);
        return ms.ToArray();
    }

    private static void WriteChunk(Stream s, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> head = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(head, data.Length);
        Encoding.ASCII.GetBytes(type, head[4..]);
        s.Write(head);
        s.Write(data);
        var crc = Crc32.Update(Crc32.Compute(head[4..]), data);
        Span<byte> tail = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(tail, crc);
        s.Write(tail);
    }

    /// <summary>Filter-type byte + filtered bytes for every row.</summary>
    private static byte[] Filter(PngImage im, int? fixedFilter)
    {
        int bpp = im.Channels, stride = im.Width * bpp;
        var output = new byte[(long)im.Height * (stride + 1)];
        var candidate = new byte[stride];
        var best = new byte[stride];
        var zero = new byte[stride];
        for (var y = 0; y < im.Height; y++)
        {
            var row = im.Pixels.AsSpan(y * stride, stride);
            ReadOnlySpan<byte> prev = y == 0 ? zero : im.Pixels.AsSpan((y - 1) * stride, stride);
            var bestType = 0;
            var bestCost = long.MaxValue;
            for (var type = 0; type <= 4; type++)
            {
                if (fixedFilter is { } f && f != type) continue;
                long cost = 0;
                for (var i = 0; i < stride; i++)
                {
                    int a = i >= bpp ? row[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
                    var v = (byte)(row[i] - Predict(type, a, b, c));
                    candidate[i] = v;
                    cost += v < 128 ? v : 256 - v;
                }
                if (cost < bestCost) { bestCost = cost; bestType = type; candidate.CopyTo(best, 0); }
            }
            var o = y * (stride + 1);
            output[o] = (byte)bestType;
            best.CopyTo(output, o + 1);
        }
        return output;
    }

    /// <summary>The PNG predictor of filter <paramref name="type"/> from left a, up b, upper-left c.</summary>
    internal static int Predict(int type, int a, int b, int c) => type switch
    {
        0 => 0,
        1 => a,
        2 => b,
        3 => (a + b) >> 1,
        _ => Paeth(a, b, c),
    };

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
