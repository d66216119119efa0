using System.Buffers.Binary;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Scratch.Data.Images;
using Scratch.Tests.Eval;
using Xunit;

namespace Scratch.Tests.Data;

public sealed class PngTests
{
    [Fact]
    public void Crc32MatchesTheStandardCheckValue()
    {
        // zlib.crc32(b'123456789') = 0xCBF43926; zlib.crc32(b'IEND') = 0xAE426082
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
        Assert.Equal(0xAE426082u, Crc32.Compute("IEND"u8));
        Assert.Equal(0xCBF43926u, Crc32.Update(Crc32.Compute("1234"u8), "56789"u8));
    }

    [Fact]
    public void ReadsRgbWrittenByPythonWithAllFiveFilters()
    {
        // Python zlib/struct (Tests/Fixtures/png/generate.py): 6x5 RGB, row y filtered with type y; pixels printed there.
        byte[] want = [0, 97, 194, 53, 150, 247, 106, 203, 44, 159, 0, 97, 212, 53, 150, 9, 106, 203, 31, 128, 225, 84, 181, 22,
            137, 234, 75, 190, 31, 128, 243, 84, 181, 40, 137, 234, 62, 159, 0, 115, 212, 53, 168, 9, 106, 221, 62, 159, 18, 115,
            212, 71, 168, 9, 93, 190, 31, 146, 243, 84, 199, 40, 137, 252, 93, 190, 49, 146, 243, 102, 199, 40, 124, 221, 62, 177,
            18, 115, 230, 71, 168, 27, 124, 221, 80, 177, 18, 133, 230, 71];
        var im = PngReader.Read(Fixtures.Path("png", "rgb_filters.png"));
        Assert.Equal((6, 5, 3), (im.Width, im.Height, im.Channels));
        Assert.Equal(want, im.Pixels);
    }

    [Fact]
    public void ReadsGreyAlphaAndPaletteWrittenByPython()
    {
        byte[] ga = [0, 255, 71, 215, 142, 175, 213, 135, 13, 255, 84, 215, 155, 175, 226, 135, 26, 255, 97, 215, 168, 175, 239, 135,
            39, 255, 110, 215, 181, 175, 252, 135, 52, 255, 123, 215, 194, 175, 9, 135];
        var im = PngReader.Read(Fixtures.Path("png", "grey_alpha_filters.png"));
        Assert.Equal((4, 5, 2), (im.Width, im.Height, im.Channels));
        Assert.Equal(ga, im.Pixels);
        // Palette [red, green, (10,20,30)], tRNS [128, 255]; indices [0, 1, 2, 1, 2, 0].
        var pal = PngReader.Read(Fixtures.Path("png", "palette.png"));
        Assert.Equal((3, 2, 4), (pal.Width, pal.Height, pal.Channels));
        Assert.Equal([255, 0, 0, 128, 0, 255, 0, 255, 10, 20, 30, 255, 0, 255, 0, 255, 10, 20, 30, 255, 255, 0, 0, 128], pal.Pixels);
    }

    [Fact]
    public void TensorConversionKeepsHwcLayout()
    {
        var im = PngReader.Read(Fixtures.Path("png", "rgb_filters.png"));
        var t = im.ToTensor();
        Assert.Equal(new Shape(5, 6, 3), t.Shape);
        var back = PngImage.FromTensor(t);
        Assert.Equal(im.Pixels, back.Pixels);
        Assert.Equal(1, PngImage.FromTensor(Tensor.From(new byte[6], new Shape(2, 3))).Channels);
        Assert.Throws<DTypeMismatchException>(() => PngImage.FromTensor(Tensor.From(new float[6], new Shape(2, 3))));
        Assert.Throws<ShapeMismatchException>(() => PngImage.FromTensor(Tensor.From(new byte[10], new Shape(1, 2, 5))));
    }

    public sealed record ImageCase(PngImage Image, int? Filter);

    public static class Arbs
    {
        public static Arbitrary<ImageCase> Images() => Arb.From(
            from w in Gen.Choose(1, 9)
            from h in Gen.Choose(1, 9)
            from c in Gen.Choose(1, 4)
            from smooth in Gen.Elements(true, false)
            from px in Gen.ArrayOf(Gen.Choose(0, 255).Select(v => (byte)v), w * h * c)
            from f in Gen.Elements<int?>(null, 0, 1, 2, 3, 4)
            select new ImageCase(new PngImage(w, h, c, smooth ? [.. px.Select((v, i) => (byte)(i * 3 + v / 64))] : px), f));
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void EncodeDecodeRoundTrips(ImageCase c)
    {
        var bytes = PngWriter.Encode(c.Image, c.Filter);
        var back = PngReader.Decode(bytes);
        Assert.Equal((c.Image.Width, c.Image.Height, c.Image.Channels), (back.Width, back.Height, back.Channels));
        Assert.Equal(c.Image.Pixels, back.Pixels);
        Assert.Equal(8, bytes[24]); // bit depth in IHDR
        Assert.Equal(c.Image.Channels switch { 1 => 0, 2 => 4, 3 => 2, _ => 6 }, bytes[25]);
    }

    private static byte[] WithIhdr(Action<byte[]> edit)
    {
        var png = PngWriter.Encode(new PngImage(2, 2, 3, new byte[12]));
        edit(png);
        // Fix the IHDR CRC after editing its data (bytes 12..28 are type + data, CRC at 29).
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29), Crc32.Compute(png.AsSpan(12, 17)));
        return png;
    }

    [Fact]
    public void BadFilesThrowNamingTheFile()
    {
        var png = PngWriter.Encode(new PngImage(2, 2, 3, new byte[12]));
        var corrupt = (byte[])png.Clone();
        corrupt[20] ^= 1; // IHDR width byte: CRC no longer matches
        var e = Assert.Throws<InvalidDataException>(() => PngReader.Decode(corrupt, "x.png"));
        Assert.Contains("x.png", e.Message, StringComparison.Ordinal);
        Assert.Contains("CRC mismatch in chunk IHDR", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => PngReader.Decode("GIF89a.."u8, "x.gif"));
        Assert.Throws<InvalidDataException>(() => PngReader.Decode(png.AsSpan(0, png.Length - 12), "cut.png"));
        var interlaced = Assert.Throws<NotSupportedException>(() => PngReader.Decode(WithIhdr(p => p[28] = 1), "i.png"));
        Assert.Contains("interlaced", interlaced.Message, StringComparison.Ordinal);
        var deep = Assert.Throws<NotSupportedException>(() => PngReader.Decode(WithIhdr(p => p[24] = 16), "d.png"));
        Assert.Contains("bit depth 16", deep.Message, StringComparison.Ordinal);
        var wrong = Assert.Throws<ArgumentException>(() => new PngImage(2, 2, 3, new byte[11]));
        Assert.Equal("pixels", wrong.ParamName);
        var f = Assert.Throws<ArgumentOutOfRangeException>(() => PngWriter.Encode(new PngImage(1, 1, 1, [0]), filter: 5));
        Assert.Equal("filter", f.ParamName);
        Assert.Equal("IHDR", Encoding.ASCII.GetString(png, 12, 4));
    }
}
