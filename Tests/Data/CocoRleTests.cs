using FsCheck;
using FsCheck.Fluent;
using Scratch.Data.Coco;
using Xunit;

namespace Scratch.Tests.Data;

public sealed class CocoRleTests
{
    // Mask of shape (5, 4), column-major: column 1 rows 1..3, (0,2), rows 2..4 of column 3.
    private static readonly byte[] Mask = [0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1];

    [Fact]
    public void EncodeMatchesPycocotools()
    {
        // pycocotools: mask.encode(m) -> {'size': [5, 4], 'counts': b'631N52'}, area 7, toBbox [1, 0, 3, 5]
        var rle = CocoRle.Encode(Mask, 5, 4);
        Assert.Equal("631N52", rle.ToCompressedString());
        Assert.Equal(7, rle.Area);
        Assert.Equal([1.0, 0, 3, 5], rle.ToBbox());
        Assert.Equal(Mask, rle.Decode());
        Assert.Equal(rle.Counts, CocoRle.FromCompressedString("631N52", 5, 4).Counts);
    }

    [Fact]
    public void LargeCountsUseMultiCharacterGroups()
    {
        // pycocotools: a 300x400 mask ones on [10:290, 5:395] with [100:120, 7:9] cleared; area 109160.
        var m = new byte[300 * 400];
        for (var x = 5; x < 395; x++)
            for (var y = 10; y < 290; y++)
                m[x * 300 + y] = (byte)(x is >= 7 and < 9 && y is >= 100 and < 120 ? 0 : 1);
        var rle = CocoRle.Encode(m, 300, 400);
        Assert.Equal(109160, rle.Area);
        var s = rle.ToCompressedString();
        Assert.StartsWith("V_1h8d000RJ0`20`M0`20^30000", s, StringComparison.Ordinal);
        Assert.EndsWith("0000b^1", s, StringComparison.Ordinal);
        Assert.Equal(m, CocoRle.FromCompressedString(s, 300, 400).Decode());
    }

    [Fact]
    public void PolygonRasterisationMatchesPycocotools()
    {
        // pycocotools: frPyObjects([[1.3,2.1, 17.8,3.0, 15.2,12.7, 4.4,10.9]], 15, 20) -> counts
        // b'P13<3M3M000010O0000000001O00O1L4Lo0', area 126, toBbox [2, 2, 16, 11]; the union with the triangle
        // [2,2,6,2,4,6] (inside it) is the same mask.
        double[] quad = [1.3, 2.1, 17.8, 3.0, 15.2, 12.7, 4.4, 10.9];
        var rle = CocoPolygon.ToRle(quad, 15, 20);
        Assert.Equal("P13<3M3M000010O0000000001O00O1L4Lo0", rle.ToCompressedString());
        Assert.Equal(126, rle.Area);
        Assert.Equal([2.0, 2, 16, 11], rle.ToBbox());
        var union = CocoPolygon.ToRle((IReadOnlyList<double[]>)[quad, [2, 2, 6, 2, 4, 6]], 15, 20);
        Assert.Equal(rle.Decode(), union.Decode());
    }

    [Fact]
    public void IouMatchesPycocotools()
    {
        // pycocotools: iou([encode(m)], [encode(roll(m, 1, axis=0))], [0]) = 0.4, with iscrowd [1]: 4/7
        var rolled = new byte[20];
        for (var x = 0; x < 4; x++)
            for (var y = 0; y < 5; y++)
                rolled[x * 5 + (y + 1) % 5] = Mask[x * 5 + y];
        var a = CocoRle.Encode(Mask, 5, 4);
        var b = CocoRle.Encode(rolled, 5, 4);
        Assert.Equal(0.4, CocoRle.Iou(a, b, crowd: false), 15);
        Assert.Equal(4.0 / 7, CocoRle.Iou(a, b, crowd: true), 15);
    }

    [Fact]
    public void BadInputThrows()
    {
        var e = Assert.Throws<ArgumentException>(() => new CocoRle(2, 2, [1, 2]));
        Assert.Equal("counts", e.ParamName);
        Assert.Throws<FormatException>(() => CocoRle.FromCompressedString("6 1", 5, 4));
        Assert.Throws<FormatException>(() => CocoRle.FromCompressedString("6h", 5, 4)); // ends inside a number
        var p = Assert.Throws<ArgumentException>(() => CocoPolygon.ToRle([1.0, 2, 3, 4], 5, 5));
        Assert.Equal("xy", p.ParamName);
        Assert.Throws<ArgumentException>(() => CocoRle.Iou(new CocoRle(1, 2, [2]), new CocoRle(2, 1, [2]), false));
    }

    public sealed record MaskCase(int Height, int Width, byte[] Mask);

    public static class Arbs
    {
        public static Arbitrary<MaskCase> Masks() => Arb.From(
            from h in Gen.Choose(0, 9)
            from w in Gen.Choose(0, 9)
            from bits in Gen.ArrayOf(Gen.Elements((byte)0, (byte)1), h * w)
            select new MaskCase(h, w, bits));
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void EncodeDecodeAndStringRoundTrip(MaskCase c)
    {
        var rle = CocoRle.Encode(c.Mask, c.Height, c.Width);
        Assert.Equal(c.Mask, rle.Decode());
        Assert.Equal(c.Mask.Count(b => b != 0), rle.Area);
        Assert.Equal(rle.Counts, CocoRle.FromCompressedString(rle.ToCompressedString(), c.Height, c.Width).Counts);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void IouEqualsPixelCount(MaskCase c)
    {
        // The second mask: the first mirrored (reversed pixel order).
        var other = c.Mask.Reverse().ToArray();
        var a = CocoRle.Encode(c.Mask, c.Height, c.Width);
        var b = CocoRle.Encode(other, c.Height, c.Width);
        int inter = 0, union = 0;
        for (var i = 0; i < other.Length; i++) { inter += c.Mask[i] & other[i]; union += c.Mask[i] | other[i]; }
        Assert.Equal(inter == 0 ? 0 : (double)inter / union, CocoRle.Iou(a, b, false), 15);
        Assert.Equal(inter == 0 ? 0 : (double)inter / c.Mask.Count(x => x != 0), CocoRle.Iou(a, b, true), 15);
    }
}
