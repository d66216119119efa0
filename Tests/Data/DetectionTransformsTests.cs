using FsCheck;
using FsCheck.Fluent;
using Scratch.Data;
using Xunit;

namespace Scratch.Tests.Data;

public sealed class DetectionTransformsTests
{
    /// <summary>A random sample: C in 1..3, H, W in 6..40 (even when <c>Even</c>), K in 0..4 rectangular masks (one pixel
    /// knocked out of each interior, bounds kept), boxes = tight mask bounds.</summary>
    public sealed record SampleCase(int Seed)
    {
        public DetectionSample Build(bool even = false)
        {
            var g = new Generator((ulong)Seed);
            var c = 1 + (int)g.NextInt64(3);
            var h = 6 + (int)g.NextInt64(35);
            var w = 6 + (int)g.NextInt64(35);
            if (even) { h += h % 2; w += w % 2; }
            var k = (int)g.NextInt64(5);
            var img = new float[c * h * w];
            for (var i = 0; i < img.Length; i++) img[i] = (float)g.NextDouble();
            var boxes = new float[4 * k];
            var masks = new byte[k * h * w];
            for (var m = 0; m < k; m++)
            {
                var x0 = (int)g.NextInt64(w - 2);
                var y0 = (int)g.NextInt64(h - 2);
                var x1 = x0 + 2 + (int)g.NextInt64(w - x0 - 1);
                var y1 = y0 + 2 + (int)g.NextInt64(h - y0 - 1);
                for (var r = y0; r < y1; r++)
                    for (var x = x0; x < x1; x++) masks[m * h * w + r * w + x] = 1;
                if (x1 - x0 > 2 && y1 - y0 > 2) masks[m * h * w + (y0 + 1) * w + x0 + 1] = 0;
                (boxes[4 * m], boxes[4 * m + 1], boxes[4 * m + 2], boxes[4 * m + 3]) = (x0, y0, x1, y1);
            }
            return new DetectionSample(img, c, h, w, boxes, [.. Enumerable.Range(0, k)], masks);
        }
    }

    public static class Arbs
    {
        public static Arbitrary<SampleCase> Samples() => Gen.Choose(0, int.MaxValue).Select(s => new SampleCase(s)).ToArbitrary();
    }

    private static void BoxesMatchMasks(DetectionSample s, float tolerance)
    {
        Assert.Equal(s.Count, s.Labels.Length);
        for (var k = 0; k < s.Count; k++)
        {
            var b = s.MaskBounds(k);
            Assert.NotNull(b);
            for (var j = 0; j < 4; j++) Assert.True(Math.Abs(b[j] - s.Boxes[4 * k + j]) <= tolerance, $"instance {k} coord {j}: box {s.Boxes[4 * k + j]} mask {b[j]}");
        }
    }

    /// <summary>Each mask's bounds lie inside its box widened by <paramref name="tolerance"/>: nearest resampling only
    /// samples inside the source mask, so an output pixel is set only where its centre maps into the source box
    /// (half an output pixel of slack). When shrinking, rows and columns are skipped, so a mask may end well inside
    /// its box: only containment holds.</summary>
    private static void MasksInsideBoxes(DetectionSample s, float tolerance)
    {
        for (var k = 0; k < s.Count; k++)
        {
            var b = s.MaskBounds(k);
            Assert.NotNull(b);
            Assert.True(b[0] >= s.Boxes[4 * k] - tolerance && b[1] >= s.Boxes[4 * k + 1] - tolerance
                && b[2] <= s.Boxes[4 * k + 2] + tolerance && b[3] <= s.Boxes[4 * k + 3] + tolerance,
                $"instance {k}: mask bounds [{string.Join(", ", b)}] outside box [{string.Join(", ", s.Boxes.AsSpan(4 * k, 4).ToArray())}]");
        }
    }

    private static void BoxesInside(DetectionSample s)
    {
        for (var k = 0; k < s.Count; k++)
        {
            Assert.InRange(s.Boxes[4 * k], 0f, s.Width);
            Assert.InRange(s.Boxes[4 * k + 2], s.Boxes[4 * k], s.Width);
            Assert.InRange(s.Boxes[4 * k + 1], 0f, s.Height);
            Assert.InRange(s.Boxes[4 * k + 3], s.Boxes[4 * k + 1], s.Height);
        }
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void FlipTwiceIsIdentityAndFlipKeepsMasksOnBoxes(SampleCase c)
    {
        var s = c.Build();
        var f = RandomHorizontalFlip.Flip(s);
        BoxesMatchMasks(f, 0f);
        var ff = RandomHorizontalFlip.Flip(f);
        Assert.Equal(s.Image, ff.Image);
        Assert.Equal(s.Boxes, ff.Boxes);
        Assert.Equal(s.Masks, ff.Masks);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void ResizeScalesBoxesExactly(SampleCase c)
    {
        var s = c.Build();
        var g = new Generator((ulong)c.Seed + 7);
        int oh = 4 + (int)g.NextInt64(60), ow = 4 + (int)g.NextInt64(60);
        var r = DetectionGeometry.Resize(s, oh, ow);
        Assert.Equal((oh, ow), (r.Height, r.Width));
        var kept = 0;
        for (var k = 0; k < s.Count && kept < r.Count; k++)
        {
            if (r.Labels[kept] != s.Labels[k]) continue; // mask vanished when shrinking: dropped
            Assert.Equal(s.Boxes[4 * k] * ow / s.Width, r.Boxes[4 * kept], 4);
            Assert.Equal(s.Boxes[4 * k + 1] * oh / s.Height, r.Boxes[4 * kept + 1], 4);
            Assert.Equal(s.Boxes[4 * k + 2] * ow / s.Width, r.Boxes[4 * kept + 2], 4);
            Assert.Equal(s.Boxes[4 * k + 3] * oh / s.Height, r.Boxes[4 * kept + 3], 4);
            kept++;
        }
        Assert.Equal(r.Count, kept);
        // Nearest mask resampling: masks stay inside their boxes; when enlarging (no source row or column skipped) each
        // edge also moves by at most half a source pixel in output units (plus rounding).
        MasksInsideBoxes(r, 0.5f + 1e-3f);
        if (oh >= s.Height && ow >= s.Width) BoxesMatchMasks(r, 0.5f * Math.Max((float)ow / s.Width, (float)oh / s.Height) + 1f);
        // Integer upscaling by 2 is exact for masks too.
        BoxesMatchMasks(DetectionGeometry.Resize(s, 2 * s.Height, 2 * s.Width), 0f);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void CropsClipBoxesDropEmptiesAndStayConsistent(SampleCase c)
    {
        var s = c.Build();
        var g = new Generator((ulong)c.Seed + 11);
        var rrc = new RandomResizedCrop(24, 20, minSize: 2f);
        var o = rrc.Apply(s, g);
        Assert.Equal((24, 20), (o.Height, o.Width));
        BoxesInside(o);
        for (var k = 0; k < o.Count; k++)
        {
            Assert.True(o.Boxes[4 * k + 2] - o.Boxes[4 * k] >= 2f && o.Boxes[4 * k + 3] - o.Boxes[4 * k + 1] >= 2f);
        }
        Assert.Equal(o.Count * 24 * 20, o.Masks!.Length);
        // A crop without resizing keeps masks and clipped boxes exactly consistent.
        var (y0, x0, ch, cw) = rrc.CropBox(s.Height, s.Width, g);
        var crop = DetectionGeometry.CropResize(s, y0, x0, ch, cw, ch, cw, 1f);
        BoxesInside(crop);
        BoxesMatchMasks(crop, 0f);
        var expected = Enumerable.Range(0, s.Count).Count(k =>
            Math.Min(s.Boxes[4 * k + 2], x0 + cw) - Math.Max(s.Boxes[4 * k], x0) >= 1 &&
            Math.Min(s.Boxes[4 * k + 3], y0 + ch) - Math.Max(s.Boxes[4 * k + 1], y0) >= 1 &&
            s.Masks!.AsSpan(k * s.Height * s.Width, s.Height * s.Width).ToArray()
                .Where((v, i) => v != 0 && i / s.Width >= y0 && i / s.Width < y0 + ch && i % s.Width >= x0 && i % s.Width < x0 + cw).Any());
        Assert.Equal(expected, crop.Count);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void StitchPlacesEachImagesBoxesInItsQuadrant(SampleCase c)
    {
        var parts = Enumerable.Range(0, 4).Select(q => new SampleCase(c.Seed ^ (q * 7919 + 1)).Build(even: true)).ToArray();
        parts = [.. parts.Select(p => p.Channels == parts[0].Channels ? p : new DetectionSample(
            new float[parts[0].Channels * p.Height * p.Width], parts[0].Channels, p.Height, p.Width, p.Boxes, p.Labels, p.Masks))];
        for (var q = 0; q < 4; q++) parts[q] = parts[q].With(parts[q].Image, parts[q].Height, parts[q].Width, parts[q].Boxes,
            [.. parts[q].Labels.Select(_ => q)], parts[q].Masks);
        var st = new Stitcher(64, 48, minSize: 0f).Stitch(parts);
        Assert.Equal((64, 48), (st.Height, st.Width));
        BoxesInside(st);
        for (var k = 0; k < st.Count; k++)
        {
            var q = st.Labels[k];
            float ox = q % 2 * 24, oy = q / 2 * 32;
            Assert.InRange(st.Boxes[4 * k], ox, ox + 24);
            Assert.InRange(st.Boxes[4 * k + 2], ox, ox + 24);
            Assert.InRange(st.Boxes[4 * k + 1], oy, oy + 32);
            Assert.InRange(st.Boxes[4 * k + 3], oy, oy + 32);
        }
        var survivors = parts.Select(p => DetectionGeometry.Resize(p, 32, 24).Count).Sum();
        Assert.Equal(survivors, st.Count);
        BoxesMatchMasks(st, 0.5f * Math.Max(24f / 6, 32f / 6) + 1f);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void PhotometricTransformsKeepGeometryAndPadKeepsContent(SampleCase c)
    {
        var s = c.Build();
        var g = new Generator((ulong)c.Seed);
        var pipeline = new Compose(new BrightnessContrast(0.5, 0.5), new GaussianBlur(0.5, 1.5, p: 1.0), new PadToMultiple(32));
        var o = pipeline.Apply(s, g);
        Assert.Equal(0, o.Height % 32);
        Assert.Equal(0, o.Width % 32);
        Assert.Equal(s.Boxes, o.Boxes);
        BoxesMatchMasks(o, 0f);
        Assert.All(o.Image, v => Assert.InRange(v, -1e-5f, 1f + 1e-5f));
        for (var r = s.Height; r < o.Height; r++) Assert.Equal(0f, o.Image[r * o.Width]);
        var again = pipeline.Apply(s, new Generator((ulong)c.Seed));
        Assert.Equal(o.Image, again.Image);
    }

    [Fact]
    public void BilinearResizeMatchesTorch()
    {
        float[] x = [0, -2, 1, 9, 4, -10, 3, 21, 8, -18, 5, 33];
        var s = new DetectionSample(x, 1, 3, 4, [], []);
        // torch 1.13: F.interpolate(x.reshape(1,1,3,4), size=(5,6), mode='bilinear', align_corners=False)
        double[] up = [0.0, -1.0, -1.5, 0.5, 5.000001, 9.0, 1.6, -1.8, -4.033333, 0.633334, 7.800002, 13.800001, 4.0, -3.0,
            -7.833333, 0.833334, 12.000002, 21.000002, 6.400001, -4.2, -11.633332, 1.033334, 16.200003, 28.200001, 8.0, -5.0,
            -14.166665, 1.166668, 19.000004, 33.0];
        var r = DetectionGeometry.Resize(s, 5, 6);
        for (var i = 0; i < up.Length; i++) Assert.Equal(up[i], r.Image[i], 4);
        // torch 1.13: same with size=(2,3)
        double[] down = [0.166667, -1.25, 10.250001, 3.166666, -5.749999, 25.750002];
        var d = DetectionGeometry.Resize(s, 2, 3);
        for (var i = 0; i < down.Length; i++) Assert.Equal(down[i], d.Image[i], 4);
    }

    [Fact]
    public void ResizeShortestEdgeHonoursMaxSizeAndNormalizeUsesPerChannelStats()
    {
        Assert.Equal((800, 1067), ResizeShortestEdge.Size(480, 640, 800, 1333));
        Assert.Equal((400, 1333), ResizeShortestEdge.Size(300, 1000, 800, 1333));
        var s = new DetectionSample([1, 2, 3, 4, 5, 6, 7, 8], 2, 2, 2, [], []);
        var n = new Normalize([1, 2], [2, 4]).Apply(s, new Generator(0));
        Assert.Equal([0f, 0.5f, 1f, 1.5f, 0.75f, 1f, 1.25f, 1.5f], n.Image);
        var constant = new DetectionSample(Enumerable.Repeat(0.25f, 3 * 10 * 12).ToArray(), 3, 10, 12, [], []);
        Assert.All(new GaussianBlur(2, 2, 1).Apply(constant, new Generator(1)).Image, v => Assert.Equal(0.25f, v, 5));
    }

    [Fact]
    public void BadInputsNameTheArgument()
    {
        var e = Assert.Throws<ArgumentException>(() => new DetectionSample(new float[5], 1, 2, 2, [], []));
        Assert.Equal("image", e.ParamName);
        Assert.Contains("image", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => new DetectionSample(new float[4], 1, 2, 2, new float[3], [1]));
        Assert.Equal("boxes", e.ParamName);
        var s = new DetectionSample(new float[4], 1, 2, 2, [], []);
        e = Assert.Throws<ArgumentException>(() => new Stitcher(8, 8).Stitch([s, s, s]));
        Assert.Contains("4 samples", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => DetectionGeometry.CropResize(s, 1, 0, 2, 2, 2, 2));
        Assert.Throws<ArgumentException>(() => new Normalize([0, 0], [1]));
    }
}
