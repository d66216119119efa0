using Scratch.Data.Coco;
using Scratch.Data.FashionDet;
using Scratch.Data.Images;
using Xunit;

namespace Scratch.Tests.Data;

public sealed class MnistDigitsTests
{
    /// <summary>A synthetic 2000×1000 sheet: cell (row, col) holds row + 1 at its pixel (10, 10), col + 1 at (10, 11)
    /// and 0 elsewhere.</summary>
    private static string WriteSheet(int width = 2000, int height = 1000)
    {
        var px = new byte[width * height];
        for (var row = 0; row < height / 20; row++)
            for (var col = 0; col < width / 20; col++)
            {
                px[(row * 20 + 10) * width + col * 20 + 10] = (byte)(row + 1);
                px[(row * 20 + 10) * width + col * 20 + 11] = (byte)(col + 1);
            }
        var path = Path.Combine(Path.GetTempPath(), $"scratch-digits-{Guid.NewGuid():N}.png");
        PngWriter.Write(path, new PngImage(width, height, 1, px));
        return path;
    }

    [Fact]
    public void SplitsTheSheetIntoDisjointCentredItemsLabelledByRowBlock()
    {
        var path = WriteSheet();
        try
        {
            var (trainItems, trainLabels) = MnistDigits.Load("train", path);
            var (valItems, valLabels) = MnistDigits.Load("val", path);
            Assert.Equal(4000, trainLabels.Length);
            Assert.Equal(1000, valLabels.Length);
            Assert.Equal(4000 * 784, trainItems.Length);
            for (var d = 0; d < 10; d++)
            {
                Assert.Equal(400, trainLabels.Count(l => l == d));
                Assert.Equal(100, valLabels.Count(l => l == d));
            }
            // A cell's pixel (10, 10) lands at (14, 14) of its 28×28 item; the item tells which cell it came from.
            static (int Row, int Col) CellOf(byte[] items, int k) => (items[k * 784 + 14 * 28 + 14] - 1, items[k * 784 + 14 * 28 + 15] - 1);
            var trainCells = Enumerable.Range(0, 4000).Select(k => CellOf(trainItems, k)).ToList();
            var valCells = Enumerable.Range(0, 1000).Select(k => CellOf(valItems, k)).ToList();
            Assert.Equal(5000, trainCells.Concat(valCells).Distinct().Count()); // disjoint and complete
            Assert.All(trainCells, c => Assert.InRange(c.Col, 0, 79));
            Assert.All(valCells, c => Assert.InRange(c.Col, 80, 99));
            for (var k = 0; k < 4000; k++) Assert.Equal(trainCells[k].Row / 5, trainLabels[k]);
            for (var k = 0; k < 1000; k++) Assert.Equal(valCells[k].Row / 5, valLabels[k]);
            Assert.Equal(2, trainItems.AsSpan(0, 784).ToArray().Count(v => v != 0)); // nothing else copied
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void BadSheetsAndSplitsAreRejected()
    {
        var path = WriteSheet(400, 200);
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => MnistDigits.Load("train", path));
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
            Assert.Throws<FileNotFoundException>(() => MnistDigits.Load("train", path + ".missing"));
            var s = Assert.Throws<ArgumentException>(() => MnistDigits.Load("test", path));
            Assert.Equal("split", s.ParamName);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void SecondDomainLabelsNeedNumClassesAndGetDigitCategories()
    {
        var items = new byte[2 * 784];
        for (var i = 0; i < 784; i++) items[i] = items[784 + i] = (byte)(i % 28 is > 6 and < 20 && i / 28 is > 6 and < 20 ? 200 : 0);
        var e = Assert.Throws<ArgumentException>(() => new FashionDetGenerator(items, [3, 13]));
        Assert.Contains("got 13 at index 1", e.Message, StringComparison.Ordinal);
        var gen = new FashionDetGenerator(items, [3, 13], new FashionDetOptions { Size = 64, NumClasses = 20 });
        var labels = Enumerable.Range(0, 20).SelectMany(i => gen.Generate(new Generator((ulong)i)).Instances.Select(x => x.Label)).ToHashSet();
        Assert.Equal(new HashSet<int> { 3, 13 }, labels);
        var dir = Path.Combine(Path.GetTempPath(), $"fashiondet-digits-{Guid.NewGuid():N}");
        try
        {
            Assert.Throws<ArgumentException>(() => FashionDetWriter.Write(gen, dir, "train", 1, 0));
            var ds = FashionDetWriter.Write(gen, dir, "train", 2, 0, classes: FashionDetWriter.ClassesWithDigits);
            Assert.Equal(20, ds.NumClasses);
            Assert.Equal(("digit 3", "digit"), (ds.Categories[13].Name, ds.Categories[13].Supercategory));
            Assert.Equal("Dress", ds.Categories[3].Name);
            var back = CocoDataset.Read(Path.Combine(dir, "annotations", "instances_train.json"));
            Assert.Equal(ds.Annotations.Select(a => a.CategoryId), back.Annotations.Select(a => a.CategoryId));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
