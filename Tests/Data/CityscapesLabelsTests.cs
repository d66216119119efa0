using Scratch.Data.Cityscapes;
using Scratch.Data.Images;
using Xunit;

namespace Scratch.Tests.Data;

public sealed class CityscapesLabelsTests
{
    [Fact]
    public void TableMatchesCityscapesScripts()
    {
        // cityscapesScripts labels.py: 34 labels with ids 0..33, 19 training classes road(7)->0 ... bicycle(33)->18.
        Assert.Equal(Enumerable.Range(0, 34), CityscapesLabels.All.Select(l => l.Id));
        Assert.Equal(
            ["road", "sidewalk", "building", "wall", "fence", "pole", "traffic light", "traffic sign", "vegetation", "terrain",
             "sky", "person", "rider", "car", "truck", "bus", "train", "motorcycle", "bicycle"],
            CityscapesLabels.TrainClasses);
        var t = CityscapesLabels.IdToTrainId();
        Assert.Equal(256, t.Length);
        Assert.Equal(new[] { 0, 1, 255, 255, 2, 3, 4, 255, 255, 255, 5, 255, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 255, 255, 16, 17, 18 },
            t[7..34]);
        Assert.All(t[..7], v => Assert.Equal(255, v));
        Assert.Equal(255, t[255]);
        Assert.All(t[34..255], v => Assert.Equal(-1, v));
    }

    private static string WriteLabels(int w, int h, byte[] ids, int channels = 1)
    {
        var path = Path.Combine(Path.GetTempPath(), $"scratch-labelIds-{Guid.NewGuid():N}.png");
        PngWriter.Write(path, new PngImage(w, h, channels, ids));
        return path;
    }

    [Fact]
    public void ReadMapsIdsToTrainIdsAndKeepsIgnore()
    {
        var path = WriteLabels(3, 2, [7, 26, 0, 255, 33, 24]);
        try
        {
            var m = CityscapesLabels.Read(path);
            Assert.Equal((2, 3), (m.Height, m.Width));
            Assert.Equal(new byte[] { 0, 13, 255, 255, 18, 11 }, m.Labels);
            var raw = CityscapesLabels.Read(path, CityscapesLabels.Identity());
            Assert.Equal(new byte[] { 7, 26, 0, 255, 33, 24 }, raw.Labels);
            var t = m.ToTensor();
            Assert.Equal(new Shape(2, 3), t.Shape);
            Assert.Equal(new long[] { 0, 13, 255, 255, 18, 11 }, t.ToArray<long>());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void UnknownIdsColourImagesAndBadTablesAreRejected()
    {
        var path = WriteLabels(3, 2, [7, 7, 7, 7, 40, 7]);
        var rgb = WriteLabels(1, 1, [128, 64, 128], channels: 3);
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => CityscapesLabels.Read(path));
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
            Assert.Contains("pixel (row 1, col 1) holds label id 40", e.Message, StringComparison.Ordinal);
            var c = Assert.Throws<InvalidDataException>(() => CityscapesLabels.Read(rgb));
            Assert.Contains("single-channel", c.Message, StringComparison.Ordinal);
            var shortTable = Assert.Throws<ArgumentException>(() => CityscapesLabels.Read(path, new int[10]));
            Assert.Equal("table", shortTable.ParamName);
            Assert.Throws<FileNotFoundException>(() => CityscapesLabels.Read(path + ".missing"));
        }
        finally
        {
            File.Delete(path);
            File.Delete(rgb);
        }
    }
}
