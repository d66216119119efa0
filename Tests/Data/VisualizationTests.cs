using Scratch.Data.Images;
using Scratch.Data.Visualization;
using Xunit;

namespace Scratch.Tests.Data;

public sealed class VisualizationTests
{
    private static Tensor Grey(int h, int w) => Tensor.From(Enumerable.Repeat(0.5f, 3 * h * w).ToArray(), new Shape(3, h, w));

    [Fact]
    public void BoxOutlineHasTheClassColourAndTheInsideIsUntouched()
    {
        var img = Grey(40, 50);
        var outImg = DetectionVisualizer.Draw(img, Tensor.From(new[] { 10.2f, 20.5f, 30.0f, 35.7f }, new Shape(1, 4)),
            Tensor.From(new[] { 3L }, new Shape(1)), thickness: 1);
        var c = new Canvas(outImg);
        var color = Palette.ColorOf(3);
        // Pixel rectangle: columns 10..29, rows 20..35.
        foreach (var (x, y) in new[] { (10, 28), (29, 28), (20, 35), (15, 35), (10, 35), (29, 35) })
            Assert.Equal(color, c[x, y]);
        Assert.Equal(new Rgb(0.5f, 0.5f, 0.5f), c[20, 28]);  // inside
        Assert.Equal(new Rgb(0.5f, 0.5f, 0.5f), c[9, 28]);   // outside, left
        Assert.Equal(new Rgb(0.5f, 0.5f, 0.5f), c[30, 28]);  // outside, right
        Assert.Equal(new Rgb(0.5f, 0.5f, 0.5f), c[20, 36]);  // outside, below
        Assert.Equal(0.5f, img.ToArray<float>()[0]);         // input not modified
    }

    [Fact]
    public void GlyphsHaveTheirKnownPixelPatterns()
    {
        // the table's columns for 'I' are 00 41 7F 41 00 (bit 0 = top row)
        Assert.Equal([".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."], BitmapFont.Pattern('I'));
        Assert.Equal([".###.", "#...#", "#...#", "#...#", "#####", "#...#", "#...#"], BitmapFont.Pattern('A'));
        Assert.Equal(["#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."], BitmapFont.Pattern('T'));
        Assert.Equal([".....", ".....", ".....", ".....", ".....", ".##..", ".##.."], BitmapFont.Pattern('.'));
        Assert.Equal(BitmapFont.Pattern('?'), BitmapFont.Pattern('\u00e9'));
    }

    [Fact]
    public void TextIsDrawnAtItsPositionInTheFontPattern()
    {
        var c = new Canvas(10, 20);
        c.DrawText(2, 1, "T", Rgb.White);
        var pattern = BitmapFont.Pattern('T');
        for (var y = 0; y < 10; y++)
            for (var x = 0; x < 20; x++)
            {
                var ink = x >= 2 && x < 7 && y >= 1 && y < 8 && pattern[y - 1][x - 2] == '#';
                Assert.Equal(ink ? Rgb.White : Rgb.Black, c[x, y]);
            }
        var big = new Canvas(20, 20);
        big.DrawText(0, 0, "T", Rgb.White, scale: 2);
        Assert.Equal(Rgb.White, big[9, 0]);
        Assert.Equal(Rgb.White, big[4, 13]);
        Assert.Equal(Rgb.Black, big[0, 2]);
    }

    [Fact]
    public void MasksAreAlphaBlendedInTheClassColour()
    {
        var img = Grey(20, 20);
        var mask = new byte[20 * 20];
        mask[1 * 20 + 2] = 1; // (x 2, y 1); the box and its tag are far away
        var outImg = new Canvas(DetectionVisualizer.Draw(img, Tensor.From(new[] { 15f, 15f, 16f, 16f }, new Shape(1, 4)), Tensor.From(new[] { 0L }, new Shape(1)),
            masks: Tensor.From(mask, new Shape(1, 20, 20)), maskAlpha: 0.25f, thickness: 1));
        var col = Palette.ColorOf(0);
        var px = outImg[2, 1];
        Assert.Equal(0.75f * 0.5f + 0.25f * col.R, px.R, 1e-6f);
        Assert.Equal(0.75f * 0.5f + 0.25f * col.G, px.G, 1e-6f);
        Assert.Equal(0.75f * 0.5f + 0.25f * col.B, px.B, 1e-6f);
        Assert.Equal(new Rgb(0.5f, 0.5f, 0.5f), outImg[3, 1]);
    }

    [Fact]
    public void ScoreThresholdSkipsWeakDetectionsAndTagsShowNames()
    {
        var img = Grey(60, 80);
        var boxes = Tensor.From(new[] { 5f, 30f, 40f, 50f, 45f, 30f, 75f, 55f }, new Shape(2, 4));
        var labels = Tensor.From(new[] { 0L, 1L }, new Shape(2));
        var scores = Tensor.From(new[] { 0.9f, 0.1f }, new Shape(2));
        var c = new Canvas(DetectionVisualizer.Draw(img, boxes, labels, scores, ["cat", "dog"], scoreThreshold: 0.3, thickness: 1));
        Assert.Equal(Palette.ColorOf(0), c[5, 40]);
        Assert.Equal(new Rgb(0.5f, 0.5f, 0.5f), c[45, 40]); // the 0.1 detection is not drawn
        // the tag sits above the first box: rows 21..29, filled with the class colour at 85 %
        var tag = c[5, 21];
        Assert.NotEqual(new Rgb(0.5f, 0.5f, 0.5f), tag);
    }

    [Fact]
    public void SavedPngRoundTripsTheCanvas()
    {
        var c = new Canvas(8, 9, new Rgb(0.2f, 0.4f, 1f));
        var path = Path.Combine(Path.GetTempPath(), $"vis-{Guid.NewGuid():N}.png");
        try
        {
            c.Save(path);
            var png = PngReader.Read(path);
            Assert.Equal((9, 8, 3), (png.Width, png.Height, png.Channels));
            Assert.Equal(new byte[] { 51, 102, 255 }, png.Pixels[..3]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void BadInputThrowsNamingTheArgument()
    {
        var img = Grey(10, 10);
        var one = Tensor.From(new[] { 0L }, new Shape(1));
        var box = Tensor.From(new[] { 1f, 1f, 5f, 5f }, new Shape(1, 4));
        Assert.Contains("image", Assert.Throws<ShapeMismatchException>(() => DetectionVisualizer.Draw(Tensor.Zeros(new Shape(1, 10, 10)), box, one)).Message, StringComparison.Ordinal);
        Assert.Contains("boxes", Assert.Throws<ShapeMismatchException>(() => DetectionVisualizer.Draw(img, Tensor.Zeros(new Shape(1, 3)), one)).Message, StringComparison.Ordinal);
        Assert.Contains("labels", Assert.Throws<ShapeMismatchException>(() => DetectionVisualizer.Draw(img, box, Tensor.From(new[] { 0L, 1L }, new Shape(2)))).Message, StringComparison.Ordinal);
        Assert.Contains("labels", Assert.Throws<DTypeMismatchException>(() => DetectionVisualizer.Draw(img, box, Tensor.Zeros(new Shape(1)))).Message, StringComparison.Ordinal);
        Assert.Contains("scores", Assert.Throws<ShapeMismatchException>(() => DetectionVisualizer.Draw(img, box, one, Tensor.Zeros(new Shape(2)))).Message, StringComparison.Ordinal);
        Assert.Contains("masks", Assert.Throws<ShapeMismatchException>(() => DetectionVisualizer.Draw(img, box, one, masks: Tensor.Zeros(new Shape(1, 9, 10)))).Message, StringComparison.Ordinal);
        Assert.Contains("labels", Assert.Throws<ArgumentOutOfRangeException>(() => DetectionVisualizer.Draw(img, box, Tensor.From(new[] { 2L }, new Shape(1)), classNames: ["a", "b"])).Message, StringComparison.Ordinal);
        Assert.Contains("boxes", Assert.Throws<ArgumentException>(() => DetectionVisualizer.Draw(img, Tensor.From(new[] { 5f, 1f, 2f, 5f }, new Shape(1, 4)), one)).Message, StringComparison.Ordinal);
        Assert.Contains("boxes", Assert.Throws<ArgumentException>(() => DetectionVisualizer.Draw(img, Tensor.From(new[] { float.NaN, 1f, 2f, 5f }, new Shape(1, 4)), one)).Message, StringComparison.Ordinal);
        Assert.Contains("height", Assert.Throws<ArgumentOutOfRangeException>(() => new Canvas(0, 4)).Message, StringComparison.Ordinal);
        Assert.Contains("mask", Assert.Throws<ArgumentException>(() => new Canvas(2, 2).BlendMask(new byte[3], Rgb.White)).Message, StringComparison.Ordinal);
        Assert.Contains("image", Assert.Throws<DTypeMismatchException>(() => new Canvas(Tensor.From(new byte[12], new Shape(3, 2, 2)))).Message, StringComparison.Ordinal);
    }
}
