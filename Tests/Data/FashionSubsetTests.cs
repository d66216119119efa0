using Scratch.Data;
using Xunit;

namespace Scratch.Tests.Data;

/// <summary>Integrity of the Fashion-MNIST subset committed under data/fashion-mnist-subset (embedded in the CLI).
/// </summary>
public class FashionSubsetTests
{
    private const string Full = "/usr/share/datasets/fashion-mnist";

    private static string SubsetDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "data", "fashion-mnist-subset");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException($"data/fashion-mnist-subset not found above {AppContext.BaseDirectory}.");
    }

    [Theory]
    [InlineData("train", 6000)]
    [InlineData("t10k", 1000)]
    public void Subset_has_the_documented_size_and_valid_labels(string split, int count)
    {
        var images = Idx.Read(Path.Combine(SubsetDir(), $"{split}-images-idx3-ubyte.gz"));
        var labels = Idx.Read(Path.Combine(SubsetDir(), $"{split}-labels-idx1-ubyte.gz"));
        Assert.Equal(new Shape(count, 28, 28), images.Shape);
        Assert.Equal(new Shape(count), labels.Shape);
        var perClass = labels.ToArray<byte>().GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(10, perClass.Count);
        Assert.All(perClass.Values, n => Assert.InRange(n, count / 20, count / 5));
    }

    [Fact]
    public void Training_subset_is_balanced_and_a_prefix_of_the_full_set()
    {
        var labels = Idx.Read(Path.Combine(SubsetDir(), "train-labels-idx1-ubyte.gz")).ToArray<byte>();
        Assert.All(labels.GroupBy(l => l), g => Assert.InRange(g.Count(), 500, 700));
        var fullLabels = Path.Combine(Full, "train-labels-idx1-ubyte.gz");
        if (!File.Exists(fullLabels)) return;
        Assert.Equal(Idx.Read(fullLabels).ToArray<byte>().Take(6000), labels);
        var full = Idx.Read(Path.Combine(Full, "train-images-idx3-ubyte.gz")).ToArray<byte>().AsSpan(0, 6000 * 784).ToArray();
        Assert.Equal(full, Idx.Read(Path.Combine(SubsetDir(), "train-images-idx3-ubyte.gz")).ToArray<byte>());
    }
}
