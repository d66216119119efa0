using System.Text.RegularExpressions;
using Scratch.Data;
using Scratch.Data.Coco;
using Scratch.Data.FashionDet;
using Scratch.Data.Images;
using Scratch.Tests.Eval;
using Xunit;

namespace Scratch.Tests.Data;

public sealed class PhotoSetTests
{
    [Fact]
    public void EmbeddedTrainAndValAreDisjointAndEachPhotoHasALicenceLine()
    {
        var train = PhotoSet.Embedded("train");
        var val = PhotoSet.Embedded("val");
        Assert.True(train.Count >= 4);
        Assert.True(val.Count >= 3);
        Assert.Empty(train.Names.Intersect(val.Names));
        var licences = File.ReadAllText(Path.Combine(Fixtures.Path(), "..", "..", "Engine", "Data", "FashionDet", "Photos", "LICENSES"));
        foreach (var (split, set) in new[] { ("train", train), ("val", val) })
            foreach (var name in set.Names)
                Assert.Matches(new Regex($@"^{split}/{Regex.Escape(name)}\.png .*(CC0|public domain)", RegexOptions.Multiline), licences);
        var e = Assert.Throws<ArgumentException>(() => PhotoSet.Embedded("test"));
        Assert.Equal("split", e.ParamName);
    }

    [Fact]
    public void CropIsDeterministicInRangeAndVaries()
    {
        var set = PhotoSet.Embedded("val");
        var a = set.Crop(48, new Generator(3));
        Assert.Equal(3 * 48 * 48, a.Length);
        Assert.Equal(a, set.Crop(48, new Generator(3)));
        Assert.All(a, v => Assert.InRange(v, 0f, 1f));
        Assert.NotEqual(a, set.Crop(48, new Generator(4)));
        var std = Math.Sqrt(a.Select(v => (double)v * v).Average() - Math.Pow(a.Average(), 2));
        Assert.True(std > 0.01, $"a photo crop should not be flat, std = {std}");
    }

    [Fact]
    public void GreyPhotosAreReplicatedAndSmallPhotosRejected()
    {
        var grey = new PngImage(8, 8, 1, [.. Enumerable.Range(0, 64).Select(i => (byte)(i * 4))]);
        var set = new PhotoSet([grey], ["ramp"]) { ColorJitter = 0, MinCropFraction = 1 };
        var c = set.Crop(8, new Generator(1));
        Assert.Equal(c.AsSpan(0, 64).ToArray(), c.AsSpan(64, 64).ToArray());
        Assert.Equal(c.AsSpan(0, 64).ToArray(), c.AsSpan(128, 64).ToArray());
        var e = Assert.Throws<ArgumentException>(() => new PhotoSet([new PngImage(4, 4, 3, new byte[48])], ["tiny"]));
        Assert.Contains("tiny", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new PhotoSet([], []));
        Assert.Throws<ArgumentException>(() => new PhotoSet([grey], ["a", "b"]));
    }

    [Fact]
    public void GeneratorBackgroundIsThePhotoCrop()
    {
        // Items of zero intensity leave the canvas untouched: the image is exactly the photo crop drawn first.
        var photos = PhotoSet.Embedded("train");
        var gen = new FashionDetGenerator(new byte[10 * 784], [.. Enumerable.Range(0, 10)], new FashionDetOptions { Size = 64, Photos = photos });
        var im = gen.Generate(new Generator(9));
        Assert.Empty(im.Instances);
        var crop = photos.Crop(64, new Generator(9));
        for (var p = 0; p < 64 * 64; p++)
            for (var ch = 0; ch < 3; ch++)
                Assert.Equal((byte)MathF.Round(crop[ch * 64 * 64 + p] * 255f), im.Rgb[3 * p + ch]);
    }

    /// <summary>Solid 28×28 squares (intensity 220) with a 4-pixel margin, labels 0..9.</summary>
    private static FashionDetGenerator Squares(int size, PhotoSet photos)
    {
        var items = new byte[10 * 784];
        for (var l = 0; l < 10; l++)
            for (var r = 4; r < 24; r++)
                for (var c = 4; c < 24; c++) items[l * 784 + r * 28 + c] = 220;
        return new FashionDetGenerator(items, [.. Enumerable.Range(0, 10)], new FashionDetOptions { Size = size, Photos = photos });
    }

    [Fact]
    public void PhotoBackedSetLoadsBackThroughCocoDetectionSource()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"fashiondet-photo-{Guid.NewGuid():N}");
        try
        {
            var g = Squares(64, PhotoSet.Embedded("val"));
            FashionDetWriter.Write(g, dir, "val", 3, 21, maxParallelism: 2);
            var ds = CocoDataset.Read(Path.Combine(dir, "annotations", "instances_val.json"));
            var src = new CocoDetectionSource(ds, Path.Combine(dir, "images", "val"));
            Assert.Equal(3, src.Count);
            for (var i = 0; i < 3; i++)
            {
                var want = g.Generate(new Generator(FashionDetWriter.ImageSeed(21, i))).ToSample();
                var got = src.Load(i);
                Assert.Equal(ds.Images[i].Id, got.Tag);
                Assert.Equal(want.Image, got.Image);
                Assert.Equal(want.Boxes, got.Boxes);
                Assert.Equal(want.Labels, got.Labels);
                Assert.Equal(want.Masks, got.Masks);
            }
            Assert.Null(new CocoDetectionSource(ds, Path.Combine(dir, "images", "val"), masks: false).Load(0).Masks);

            // Bad input: each error names the file and the record.
            var first = Path.Combine(dir, "images", "val", ds.Images[0].FileName);
            var bytes = File.ReadAllBytes(first);
            File.WriteAllBytes(first, bytes[..(bytes.Length / 2)]);
            var trunc = Assert.Throws<InvalidDataException>(() => src.Load(0));
            Assert.Contains(first, trunc.Message, StringComparison.Ordinal);
            File.Delete(first);
            var missing = Assert.Throws<FileNotFoundException>(() => src.Load(0));
            Assert.Contains(first, missing.Message, StringComparison.Ordinal);
            Assert.Contains($"image id {ds.Images[0].Id}", missing.Message, StringComparison.Ordinal);
            PngWriter.Write(first, new PngImage(32, 64, 3, new byte[32 * 64 * 3]));
            var size = Assert.Throws<CocoFormatException>(() => src.Load(0));
            Assert.Contains("is 32x64, the record says 64x64", size.Message, StringComparison.Ordinal);
            Assert.Throws<ArgumentOutOfRangeException>(() => src.Load(3));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void BoxesOutsideTheImageAreRejectedWithTheAnnotationId()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"coco-src-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            PngWriter.Write(Path.Combine(dir, "a.png"), new PngImage(8, 6, 3, new byte[8 * 6 * 3]));
            var ds = new CocoDataset([new CocoImage(5, "a.png", 8, 6)],
                [new CocoAnnotation(1, 5, 3, [1, 1, 2, 2], 4, false), new CocoAnnotation(2, 5, 3, [9, 1, 2, 2], 4, false)],
                [new CocoCategory(3, "thing")], "mem.json");
            var e = Assert.Throws<CocoFormatException>(() => new CocoDetectionSource(ds, dir, masks: false).Load(0));
            Assert.Contains("mem.json", e.Message, StringComparison.Ordinal);
            Assert.Contains("annotation id 2 (image id 5)", e.Message, StringComparison.Ordinal);
            Assert.Contains("outside the 8x6 image", e.Message, StringComparison.Ordinal);
            var noSeg = Assert.Throws<CocoFormatException>(() => new CocoDetectionSource(ds, dir).Load(0));
            Assert.Contains("annotation id 1", noSeg.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
