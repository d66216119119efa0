using System.Text;

namespace Scratch.Data.Coco;

/// <summary>A binary mask of <see cref="Height"/> × <see cref="Width"/> pixels as COCO run-length encoding: the mask
/// is read in column-major order (down each column, then the next column) and <see cref="Counts"/> alternates runs of
/// 0s and 1s, starting with a (possibly empty) run of 0s. The runs sum to Height·Width.</summary>
/// <remarks>The compressed string form is the one of the COCO mask API: each count (from the fourth on, as the
/// difference to the count two places earlier) is written as little-endian 5-bit groups in characters 48..111, bit
/// 0x20 meaning "more groups follow" and bit 0x10 of the last group being the sign.</remarks>
public sealed class CocoRle
{
    /// <summary>Creates an RLE; the counts must sum to <paramref name="height"/>·<paramref name="width"/>.</summary>
    /// <exception cref="ArgumentException">Negative size or counts that do not sum to the pixel count.</exception>
    public CocoRle(int height, int width, uint[] counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (height < 0 || width < 0)
            throw new ArgumentException($"CocoRle: size must be non-negative, got {height}x{width}.", nameof(height));
        long sum = 0;
        foreach (var c in counts) sum += c;
        if (sum != (long)height * width)
            throw new ArgumentException($"CocoRle: counts must sum to height*width = {(long)height * width}, got {sum}.", nameof(counts));
        Height = height;
        Width = width;
        Counts = counts;
    }

    /// <summary>Mask height (rows).</summary>
    public int Height { get; }

    /// <summary>Mask width (columns).</summary>
    public int Width { get; }

    /// <summary>Alternating run lengths, zeros first, column-major.</summary>
    public uint[] Counts { get; }

    /// <summary>Number of foreground pixels (sum of the odd-indexed runs).</summary>
    public long Area
    {
        get
        {
            long a = 0;
            for (var j = 1; j < Counts.Length; j += 2) a += Counts[j];
            return a;
        }
    }

    /// <summary>Encodes a column-major mask (<c>mask[x·height + y]</c>, non-zero = foreground).</summary>
    public static CocoRle Encode(ReadOnlySpan<byte> columnMajorMask, int height, int width)
    {
        if (columnMajorMask.Length != (long)height * width)
            throw new ArgumentException($"CocoRle.Encode: mask must have {height}*{width} elements, got {columnMajorMask.Length}.", nameof(columnMajorMask));
        var counts = new List<uint>();
        byte p = 0;
        uint c = 0;
        foreach (var b in columnMajorMask)
        {
            var v = b != 0 ? (byte)1 : (byte)0;
            if (v != p) { counts.Add(c); c = 0; p = v; }
            c++;
        }
        counts.Add(c);
        return new CocoRle(height, width, [.. counts]);
    }

    /// <summary>Decodes to a column-major mask of 0/1 bytes (<c>mask[x·height + y]</c>).</summary>
    public byte[] Decode()
    {
        var m = new byte[(long)Height * Width];
        long k = 0;
        byte v = 0;
        foreach (var c in Counts)
        {
            m.AsSpan((int)k, (int)c).Fill(v);
            k += c;
            v ^= 1;
        }
        return m;
    }

    /// <summary>Writes the counts in the compressed COCO string form.</summary>
    public string ToCompressedString()
    {
        var sb = new StringBuilder(Counts.Length * 2);
        for (var i = 0; i < Counts.Length; i++)
        {
            long x = Counts[i];
            if (i > 2) x -= Counts[i - 2];
            var more = true;
            while (more)
            {
                var c = (int)(x & 0x1f);
                x >>= 5;
                more = (c & 0x10) != 0 ? x != -1 : x != 0;
                if (more) c |= 0x20;
                sb.Append((char)(c + 48));
            }
        }
        return sb.ToString();
    }

    /// <summary>Parses the compressed COCO string form.</summary>
    /// <exception cref="FormatException">Characters outside 48..111, a truncated group, or a negative count.</exception>
    public static CocoRle FromCompressedString(string s, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(s);
        var counts = new List<uint>();
        var p = 0;
        while (p < s.Length)
        {
            long x = 0;
            var k = 0;
            var more = true;
            while (more)
            {
                if (p >= s.Length) throw new FormatException("CocoRle: compressed counts end inside a number.");
                var c = s[p] - 48;
                if (c < 0 || c > 63) throw new FormatException($"CocoRle: invalid character '{s[p]}' in compressed counts.");
                if (k > 12) throw new FormatException("CocoRle: compressed count too long.");
                x |= (long)(c & 0x1f) << (5 * k);
                more = (c & 0x20) != 0;
                p++;
                k++;
                if (!more && (c & 0x10) != 0) x |= -1L << (5 * k);
            }
            if (counts.Count > 2) x += counts[^2];
            if (x < 0 || x > uint.MaxValue) throw new FormatException($"CocoRle: decoded count {x} out of range.");
            counts.Add((uint)x);
        }
        return new CocoRle(height, width, [.. counts]);
    }

    /// <summary>Tight pixel bounding box [x, y, w, h] of the foreground, as the COCO mask API's toBbox (all zeros for
    /// an empty mask; a run crossing a column boundary widens the box to the full height).</summary>
    public double[] ToBbox()
    {
        uint h = (uint)Height, w = (uint)Width;
        var m = Counts.Length / 2 * 2;
        if (m == 0 || h == 0) return [0, 0, 0, 0];
        uint xs = w, ys = h, xe = 0, ye = 0, cc = 0, xp = 0;
        for (var j = 0; j < m; j++)
        {
            cc += Counts[j];
            var t = cc - (uint)(j % 2);
            var y = t % h;
            var x = (t - y) / h;
            if (j % 2 == 0) xp = x;
            else if (xp < x) { ys = 0; ye = h - 1; }
            xs = Math.Min(xs, x); xe = Math.Max(xe, x); ys = Math.Min(ys, y); ye = Math.Max(ye, y);
        }
        return [xs, ys, xe - xs + 1.0, ye - ys + 1.0];
    }

    /// <summary>Pixel union of several masks of the same size (an empty list gives a 0×0 mask).</summary>
    public static CocoRle Union(IReadOnlyList<CocoRle> rles)
    {
        ArgumentNullException.ThrowIfNull(rles);
        if (rles.Count == 0) return new CocoRle(0, 0, []);
        if (rles.Count == 1) return rles[0];
        int h = rles[0].Height, w = rles[0].Width;
        var mask = new byte[(long)h * w];
        foreach (var r in rles)
        {
            if (r.Height != h || r.Width != w)
                throw new ArgumentException($"CocoRle.Union: all masks must be {h}x{w}, got {r.Height}x{r.Width}.", nameof(rles));
            var d = r.Decode();
            for (var i = 0; i < mask.Length; i++) mask[i] |= d[i];
        }
        return Encode(mask, h, w);
    }

    /// <summary>Intersection over union of two masks of the same size, or, when <paramref name="crowd"/>, the
    /// intersection over the area of <paramref name="dt"/>; 0 when they do not intersect.</summary>
    public static double Iou(CocoRle dt, CocoRle gt, bool crowd)
    {
        ArgumentNullException.ThrowIfNull(dt);
        ArgumentNullException.ThrowIfNull(gt);
        if (dt.Height != gt.Height || dt.Width != gt.Width)
            throw new ArgumentException($"CocoRle.Iou: mask sizes differ: {dt.Height}x{dt.Width} vs {gt.Height}x{gt.Width}.", nameof(gt));
        if (dt.Counts.Length == 0 || gt.Counts.Length == 0) return 0;
        long inter = 0, union = 0;
        long ca = dt.Counts[0], cb = gt.Counts[0];
        int a = 1, b = 1;
        bool va = false, vb = false;
        long ct = 1;
        while (ct > 0)
        {
            var c = Math.Min(ca, cb);
            if (va || vb) { union += c; if (va && vb) inter += c; }
            ct = 0;
            ca -= c; if (ca == 0 && a < dt.Counts.Length) { ca = dt.Counts[a++]; va = !va; }
            ct += ca;
            cb -= c; if (cb == 0 && b < gt.Counts.Length) { cb = gt.Counts[b++]; vb = !vb; }
            ct += cb;
        }
        if (inter == 0) return 0;
        if (crowd) union = dt.Area;
        return (double)inter / union;
    }
}
