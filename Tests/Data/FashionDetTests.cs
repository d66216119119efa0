using Scratch.Data;
using Scratch.Data.Coco;
using Scratch.Data.FashionDet;
using Scratch.Data.Images;
using Xunit;

namespace Scratch.Tests.Data;

public sealed class FashionDetTests
{
    /// <summary>Synthetic 28×28 items: label l is a ring (hole in the middle) of radius 6 + l, intensity 200.</summary>
    private static (byte[] Items, int[] Labels) Rings()
    {
        var items = new byte[10 * 784];
        for (var l = 0; l < 10; l++)
            for (var r = 0; r < 28; r++)
                for (var c = 0; c < 28; c++)
                {
                    var d = Math.Sqrt((r - 13.5) * (r - 13.5) + (c - 13.5) * (c - 13.5));
                    if (d <= Math.Min(13, 4 + l) && d >= 3) items[l * 784 + r * 28 + c] = 200;
                }
        return (items, [.. Enumerable.Range(0, 10)]);
    }

    private static FashionDetGenerator Gen(int size = 96)
    {
        var (items, labels) = Rings();
        return new FashionDetGenerator(items, labels, new FashionDetOptions { Size = size });
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    [InlineData(4UL)]
    [InlineData(5UL)]
    public void BoxesAreTightVisibleMasksAndMasksAgreeWithTheSemanticMap(ulong seed)
    {
        var im = Gen().Generate(new Generator(seed));
        var s = im.Size;
        Assert.InRange(im.Instances.Count, 1, 12);
        var cover = new int[s * s];
        foreach (var inst in im.Instances)
        {
            Assert.Equal(DetectionSample.MaskBounds(inst.Mask, s, s), inst.Box);
            Assert.Equal(inst.Mask.Count(v => v != 0), inst.Area);
            for (var p = 0; p < s * s; p++)
            {
                if (inst.Mask[p] == 0) continue;
                cover[p]++;
                Assert.Equal(inst.Label + 1, im.Semantic[p]);
            }
        }
        Assert.All(cover, c => Assert.InRange(c, 0, 1)); // visible masks never overlap
        Assert.Contains(im.Semantic, v => v == 0);
        var sample = im.ToSample();
        Assert.Equal(im.Instances.Count, sample.Count);
        for (var k = 0; k < sample.Count; k++) Assert.Equal(sample.MaskBounds(k), sample.Boxes.AsSpan(4 * k, 4).ToArray());
    }

    [Fact]
    public void SameSeedSameImageAndOcclusionDropsHiddenItems()
    {
        var g = Gen();
        var a = g.Generate(new Generator(9));
        var b = g.Generate(new Generator(9));
        Assert.Equal(a.Rgb, b.Rgb);
        Assert.Equal(a.Semantic, b.Semantic);
        Assert.NotEqual(a.Rgb, g.Generate(new Generator(10)).Rgb);
        // Crowded canvas: many items occlude each other, so some are dropped but every kept one is >= 30% visible.
        var crowded = new FashionDetGenerator(Rings().Items, Rings().Labels,
            new FashionDetOptions { Size = 48, MinItems = 12, MaxItems = 12, MinScale = 1.5, MaxScale = 1.7 });
        var counts = Enumerable.Range(0, 10).Select(i => crowded.Generate(new Generator((ulong)i)).Instances.Count).ToArray();
        Assert.All(counts, c => Assert.InRange(c, 1, 11));
    }

    [Fact]
    public void HolesAreFilledButOpenNotchesAreNot()
    {
        // 5x5 ring with a one-pixel hole in the centre, and a notch open to the border at the top.
        float[] ring =
        [
            0, 0, 0, 0, 0,
            0, 99, 0, 99, 0,
            0, 99, 0, 99, 0,
            0, 99, 99, 99, 0,
            0, 0, 0, 0, 0,
        ];
        var m = FashionDetGenerator.FilledMask(ring, 5, 5, 10);
        Assert.Equal(0, m[1 * 5 + 2]); // the notch connects to the border through (0, 2)
        ring[1 * 5 + 2] = 99;
        m = FashionDetGenerator.FilledMask(ring, 5, 5, 10);
        Assert.Equal(1, m[2 * 5 + 2]); // enclosed hole filled
        Assert.Equal(0, m[0]);
    }

    [Fact]
    public void WritesACocoSetThatReadsBack()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"fashiondet-{Guid.NewGuid():N}");
        try
        {
            var g = Gen(64);
            var written = FashionDetWriter.Write(g, dir, "val", 4, 5, maxParallelism: 2);
            var ds = CocoDataset.Read(Path.Combine(dir, "annotations", "instances_val.json"));
            Assert.Equal(4, ds.Images.Count);
            Assert.Equal(written.Annotations.Count, ds.Annotations.Count);
            Assert.Equal(10, ds.NumClasses);
            Assert.Equal("Ankle boot", ds.Categories[9].Name);
            for (var i = 0; i < 4; i++)
            {
                var im = g.Generate(new Generator(FashionDetWriter.ImageSeed(5, i)));
                var png = PngReader.Read(Path.Combine(dir, "images", "val", ds.Images[i].FileName));
                Assert.Equal(im.Rgb, png.Pixels);
                Assert.Equal(im.Semantic, PngReader.Read(Path.Combine(dir, "labels", "val", ds.Images[i].FileName)).Pixels);
                var anns = ds.AnnotationsOf(ds.Images[i].Id);
                Assert.Equal(im.Instances.Count, anns.Count);
                for (var k = 0; k < anns.Count; k++)
                {
                    var inst = im.Instances[k];
                    Assert.Equal(inst.Label, ds.LabelOf(anns[k].CategoryId));
                    Assert.Equal([inst.Box[0], inst.Box[1], inst.Box[2] - inst.Box[0], inst.Box[3] - inst.Box[1]], anns[k].Bbox);
                    Assert.Equal(inst.Area, anns[k].Area);
                    var rle = anns[k].Segmentation!.ToRle(64, 64);
                    Assert.Equal(anns[k].Bbox, rle.ToBbox());
                    var col = rle.Decode();
                    for (var p = 0; p < 64 * 64; p++) Assert.Equal(inst.Mask[p], col[p % 64 * 64 + p / 64]);
                }
            }
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void AugmentedFashionDetBatchesAreDeterministicAcrossWorkers()
    {
        var g = Gen(64);
        var aug = new Compose(new RandomHorizontalFlip(), new RandomResizedCrop(48, 48, 0.5), new BrightnessContrast(), new PadToMultiple(32));
        DataLoader<DetectionSample, DetectionBatch> Make(int workers) => new(12,
            (i, rng) => aug.Apply(g.Generate(new Generator(FashionDetWriter.ImageSeed(3, i))).ToSample(i), rng),
            xs => DetectionBatch.Collate(xs), new DataLoaderOptions { BatchSize = 4, Shuffle = true, Seed = 11, Workers = workers });
        var a = Make(0).Epoch(1).ToList();
        var b = Make(2).Epoch(1).ToList();
        Assert.Equal(3, a.Count);
        for (var i = 0; i < a.Count; i++)
        {
            Assert.Equal(new Shape(4, 3, 64, 64), a[i].Images.Shape);
            Assert.Equal(a[i].Tags, b[i].Tags);
            Assert.Equal(a[i].Images.ToArray<float>(), b[i].Images.ToArray<float>());
            for (var k = 0; k < 4; k++) Assert.Equal(a[i].Boxes[k].ToArray<float>(), b[i].Boxes[k].ToArray<float>());
        }
    }

    [Fact]
    public void BadItemsAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new FashionDetGenerator(new byte[783], [0]));
        Assert.Equal("items", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => new FashionDetGenerator(new byte[784], [10]));
        Assert.Equal("labels", e.ParamName);
    }
}
