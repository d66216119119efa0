using Scratch.Data.Coco;
using Xunit;

namespace Scratch.Tests.Data;

public sealed class CocoDatasetTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("scratch-coco-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string Sample = """
        {"images": [{"id": 42, "file_name": "a.jpg", "width": 20, "height": 15},
                    {"id": 7, "file_name": "b.jpg", "width": 4, "height": 5}],
         "annotations": [
           {"id": 1, "image_id": 42, "category_id": 90, "bbox": [1.5, 2, 10, 4.25], "area": 30.5, "iscrowd": 0,
            "segmentation": [[1.3, 2.1, 17.8, 3.0, 15.2, 12.7, 4.4, 10.9]]},
           {"id": 2, "image_id": 7, "category_id": 1, "bbox": [0, 0, 4, 5], "area": 7, "iscrowd": 1,
            "segmentation": {"size": [5, 4], "counts": [6, 3, 1, 1, 6, 3]}},
           {"id": 3, "image_id": 7, "category_id": 5, "bbox": [1, 0, 3, 5], "area": 7, "iscrowd": false,
            "segmentation": {"size": [5, 4], "counts": "631N52"}}],
         "categories": [{"id": 90, "name": "toothbrush"}, {"id": 1, "name": "person", "supercategory": "human"},
                        {"id": 5, "name": "airplane"}]}
        """;

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void ReadsRecordsAndMapsCategoryIdsToContiguousLabels()
    {
        var ds = CocoDataset.Read(Write("gt.json", Sample));
        Assert.Equal(2, ds.Images.Count);
        Assert.Equal(3, ds.Annotations.Count);
        Assert.Equal(3, ds.NumClasses);
        Assert.Equal([1L, 5, 90], ds.Categories.Select(c => c.Id));
        Assert.Equal(0, ds.LabelOf(1));
        Assert.Equal(1, ds.LabelOf(5));
        Assert.Equal(2, ds.LabelOf(90));
        for (var l = 0; l < 3; l++) Assert.Equal(l, ds.LabelOf(ds.CategoryIdOf(l)));
        Assert.Throws<KeyNotFoundException>(() => ds.LabelOf(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => ds.CategoryIdOf(3));
        var a = ds.Annotations[0];
        Assert.Equal([1.5, 2, 10, 4.25], a.Bbox);
        Assert.Equal(30.5, a.Area);
        Assert.False(a.IsCrowd);
        Assert.True(ds.Annotations[1].IsCrowd);
        Assert.False(ds.Annotations[2].IsCrowd);
        Assert.NotNull(a.Segmentation!.Polygons);
        // The list counts and the compressed string describe the same mask (pycocotools: encode of that mask = '631N52').
        Assert.Equal(ds.Annotations[1].Segmentation!.Rle!.Counts, ds.Annotations[2].Segmentation!.Rle!.Counts);
        Assert.False(ds.Annotations[1].Segmentation!.IsCompressed);
        Assert.True(ds.Annotations[2].Segmentation!.IsCompressed);
        Assert.Equal([2L, 3], ds.AnnotationsOf(7).Select(x => x.Id));
        Assert.Empty(ds.AnnotationsOf(8));
    }

    [Fact]
    public void WriteThenReadRoundTrips()
    {
        var ds = CocoDataset.Read(Write("gt.json", Sample));
        var path = Path.Combine(_dir, "out.json");
        ds.Write(path);
        var back = CocoDataset.Read(path);
        Assert.Equal(ds.Images, back.Images);
        Assert.Equal(ds.Categories, back.Categories);
        Assert.Equal(ds.Annotations.Count, back.Annotations.Count);
        for (var i = 0; i < ds.Annotations.Count; i++)
        {
            var (x, y) = (ds.Annotations[i], back.Annotations[i]);
            Assert.Equal((x.Id, x.ImageId, x.CategoryId, x.Area, x.IsCrowd), (y.Id, y.ImageId, y.CategoryId, y.Area, y.IsCrowd));
            Assert.Equal(x.Bbox, y.Bbox);
            Assert.Equal(x.Segmentation!.IsCompressed, y.Segmentation!.IsCompressed);
            Assert.Equal(x.Segmentation.ToRle(15, 20).Counts, y.Segmentation.ToRle(15, 20).Counts);
        }
    }

    [Fact]
    public void MalformedJsonNamesTheFile()
    {
        var path = Write("broken.json", """{"images": [ {"id": 1,, }""");
        var e = Assert.Throws<CocoFormatException>(() => CocoDataset.Read(path));
        Assert.Contains("broken.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("malformed JSON", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<CocoFormatException>(() => CocoDataset.Parse("""{"images": [], "categories": {}}""", "x.json"));
        Assert.Contains("'categories' must be an array", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"category_id\": 90", "\"category_id\": 91", "unknown category_id 91")]
    [InlineData("\"image_id\": 42", "\"image_id\": 43", "image_id 43 is not an image")]
    [InlineData("[1.5, 2, 10, 4.25]", "[1.5, 2, -10, 4.25]", "negative size")]
    [InlineData("[1.5, 2, 10, 4.25]", "[1.5, 2, 10]", "bbox must have 4 numbers")]
    [InlineData("\"area\": 30.5", "\"area\": \"big\"", "field 'area' must be a finite number")]
    [InlineData("\"id\": 2, \"image_id\": 7", "\"id\": 1, \"image_id\": 7", "duplicate annotation id")]
    [InlineData("\"counts\": \"631N52\"", "\"counts\": \"631N5\"", "invalid RLE")]
    public void BadAnnotationThrowsNamingFileAndAnnotationId(string find, string replace, string expected)
    {
        Assert.Contains(find, Sample, StringComparison.Ordinal);
        var text = Sample.Replace(find, replace, StringComparison.Ordinal);
        var e = Assert.Throws<CocoFormatException>(() => CocoDataset.Parse(text, "bad_gt.json"));
        Assert.Contains("bad_gt.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("annotation id", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ZeroSizeBoxesFollowThePolicy()
    {
        var text = Sample.Replace("[1.5, 2, 10, 4.25]", "[1.5, 2, 0, 4.25]", StringComparison.Ordinal);
        var skipped = CocoDataset.Parse(text, "z.json");
        Assert.Equal(1, skipped.SkippedDegenerate);
        Assert.Equal([2L, 3], skipped.Annotations.Select(a => a.Id));
        var kept = CocoDataset.Parse(text, "z.json", DegenerateBoxPolicy.Keep);
        Assert.Equal(3, kept.Annotations.Count);
        Assert.Equal(0, kept.SkippedDegenerate);
        var e = Assert.Throws<CocoFormatException>(() => CocoDataset.Parse(text, "z.json", DegenerateBoxPolicy.Throw));
        Assert.Contains("annotation id 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("zero size", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DetectionsRoundTripAndRejectBadRecords()
    {
        List<CocoDetection> dets = [new(42, 90, [1, 2, 3.5, 4], 0.75), new(7, 1, [0, 0, 1, 1], 0.125, new CocoRle(5, 4, [6, 3, 1, 1, 6, 3]))];
        var path = Path.Combine(_dir, "dt.json");
        CocoDetections.Write(path, dets);
        var back = CocoDetections.Read(path);
        Assert.Equal(2, back.Count);
        Assert.Equal((42L, 90L, 0.75), (back[0].ImageId, back[0].CategoryId, back[0].Score));
        Assert.Equal([1, 2, 3.5, 4], back[0].Bbox!);
        Assert.Null(back[0].Segmentation);
        Assert.Equal([6u, 3, 1, 1, 6, 3], back[1].Segmentation!.Counts);
        Assert.Contains("\"631N52\"", File.ReadAllText(path), StringComparison.Ordinal);

        var e = Assert.Throws<CocoFormatException>(() => CocoDetections.Parse(
            """[{"image_id": 1, "category_id": 1, "bbox": [0,0,1,1], "score": 0.5}, {"image_id": 1, "category_id": 1, "bbox": [0,0,1,1]}]""", "r.json"));
        Assert.Contains("r.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("detection #1", e.Message, StringComparison.Ordinal);
        Assert.Contains("'score'", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<CocoFormatException>(() => CocoDetections.Parse("""{"image_id": 1}""", "r.json"));
        Assert.Contains("JSON array", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<CocoFormatException>(() => CocoDetections.Parse(
            """[{"image_id": 1, "category_id": 1, "bbox": [0,0,-1,1], "score": 0.5}]""", "r.json"));
        Assert.Contains("negative size", e.Message, StringComparison.Ordinal);
    }
}
