using Scratch.Data.Images;
using Scratch.Tests.Eval;
using Xunit;

namespace Scratch.Tests.Data;

public sealed class ImageFileTests
{
    /// <summary>Largest and mean absolute difference between two 8-bit images of the same layout.</summary>
    private static (int Max, double Mean) Diff(PngImage a, PngImage b)
    {
        Assert.Equal((a.Width, a.Height, a.Channels), (b.Width, b.Height, b.Channels));
        var max = 0;
        long sum = 0;
        for (var i = 0; i < a.Pixels.Length; i++)
        {
            var d = Math.Abs(a.Pixels[i] - b.Pixels[i]);
            max = Math.Max(max, d);
            sum += d;
        }
        return (max, (double)sum / a.Pixels.Length);
    }

    [Theory]
    [InlineData("rgb_baseline", 3)]
    [InlineData("rgb_progressive", 3)]
    [InlineData("grey", 1)]
    public void JpegDecodeAgreesWithLibjpeg(string name, int channels)
    {
        // Tests/Fixtures/jpeg/generate.py: OpenCV (libjpeg) encodes and decodes; IDCT and chroma upsampling
        // differ slightly between decoders, so agreement is to a few grey levels, not exact.
        var ours = ImageFile.ReadPixels(Fixtures.Path("jpeg", name + ".jpg"));
        var libjpeg = PngReader.Read(Fixtures.Path("jpeg", name + "_libjpeg.png"));
        Assert.Equal(channels, ours.Channels);
        var (max, mean) = Diff(ours, libjpeg);
        Assert.InRange(max, 0, channels == 1 ? 2 : 12);
        Assert.InRange(mean, 0, channels == 1 ? 0.5 : 1.5);
    }

    [Fact]
    public void ReadGivesChannelsFirstFloatsAndPngGoesThroughPngReader()
    {
        var t = ImageFile.Read(Fixtures.Path("png", "rgb_filters.png"));
        var px = PngReader.Read(Fixtures.Path("png", "rgb_filters.png"));
        Assert.Equal(new Shape(3, 5, 6), t.Shape);
        Assert.Equal(DType.F32, t.DType);
        var v = t.ToArray<float>();
        for (var r = 0; r < 5; r++)
            for (var c = 0; c < 6; c++)
                for (var ch = 0; ch < 3; ch++)
                    Assert.Equal(px.Pixels[(r * 6 + c) * 3 + ch] / 255f, v[(ch * 5 + r) * 6 + c]);
        Assert.Equal(px.Pixels, ImageFile.ReadPixels(Fixtures.Path("png", "rgb_filters.png")).Pixels);
    }

    [Fact]
    public void SixteenBitPngFallsBackToStbAndKeepsTheHighByte()
    {
        // Tests/Fixtures/jpeg/generate.py: numpy values (i * 1800 + 255) >> 8, written by OpenCV as 16-bit RGB.
        byte[] want = [0, 8, 15, 22, 29, 36, 43, 50, 57, 64, 71, 78, 85, 92, 99, 106, 113, 120, 127, 134, 141, 148, 155, 162,
            169, 176, 183, 190, 197, 204, 211, 218, 225, 233, 240, 247];
        Assert.Throws<NotSupportedException>(() => PngReader.Read(Fixtures.Path("jpeg", "rgb16.png")));
        var im = ImageFile.ReadPixels(Fixtures.Path("jpeg", "rgb16.png"));
        Assert.Equal((4, 3, 3), (im.Width, im.Height, im.Channels));
        Assert.Equal(want, im.Pixels);
    }

    [Fact]
    public void ChannelConversion()
    {
        var grey = ImageFile.ReadPixels(Fixtures.Path("jpeg", "grey.jpg"), channels: 3);
        Assert.Equal(3, grey.Channels);
        for (var i = 0; i < grey.Width * grey.Height; i++)
        {
            Assert.Equal(grey.Pixels[3 * i], grey.Pixels[3 * i + 1]);
            Assert.Equal(grey.Pixels[3 * i], grey.Pixels[3 * i + 2]);
        }
        var rgba = ImageFile.Decode(PngWriter.Encode(new PngImage(1, 1, 3, [100, 200, 50])), "x.png", channels: 4);
        Assert.Equal(new byte[] { 100, 200, 50, 255 }, rgba.Pixels);
        var luma = ImageFile.Decode(PngWriter.Encode(new PngImage(1, 1, 3, [100, 200, 50])), "x.png", channels: 1);
        Assert.Equal((byte)((100 * 77 + 200 * 150 + 50 * 29) >> 8), luma.Pixels[0]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ImageFile.Decode([1, 2, 3], "x", channels: 5));
        Assert.Equal("channels", e.ParamName);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.9)]
    [InlineData(0.0)] // just the 2-byte start-of-image marker plus 8 bytes
    public void TruncatedJpegThrowsNamingTheFile(double keep)
    {
        var jpg = File.ReadAllBytes(Fixtures.Path("jpeg", "rgb_baseline.jpg"));
        var cut = jpg[..Math.Max(10, (int)(jpg.Length * keep))];
        var path = Path.Combine(Path.GetTempPath(), $"scratch-truncated-{Guid.NewGuid():N}.jpg");
        File.WriteAllBytes(path, cut);
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => ImageFile.ReadPixels(path));
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
            Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void CorruptEmptyUnknownAndMissingFilesThrowNamingTheFile()
    {
        var jpg = File.ReadAllBytes(Fixtures.Path("jpeg", "rgb_baseline.jpg"));
        var badSegment = (byte[])jpg.Clone();
        badSegment[4] = 0xFF; // APP0 length 0xFF.. runs past the end of the file
        badSegment[5] = 0xF0;
        var e1 = Assert.Throws<InvalidDataException>(() => ImageFile.Decode(badSegment, "bad.jpg"));
        Assert.Contains("bad.jpg", e1.Message, StringComparison.Ordinal);
        var e2 = Assert.Throws<InvalidDataException>(() => ImageFile.Decode([], "empty.png"));
        Assert.Contains("empty.png", e2.Message, StringComparison.Ordinal);
        var e3 = Assert.Throws<InvalidDataException>(() => ImageFile.Decode("not an image at all"u8.ToArray(), "text.bin"));
        Assert.Contains("text.bin", e3.Message, StringComparison.Ordinal);
        var png = PngWriter.Encode(new PngImage(2, 2, 3, new byte[12]));
        png[^20] ^= 0x55; // inside IDAT: the CRC check fails
        var e4 = Assert.Throws<InvalidDataException>(() => ImageFile.Decode(png, "crc.png"));
        Assert.Contains("crc.png", e4.Message, StringComparison.Ordinal);
        var missing = Path.Combine(Path.GetTempPath(), $"scratch-missing-{Guid.NewGuid():N}.jpg");
        var e5 = Assert.Throws<FileNotFoundException>(() => ImageFile.Read(missing));
        Assert.Contains(missing, e5.Message, StringComparison.Ordinal);
    }
}
