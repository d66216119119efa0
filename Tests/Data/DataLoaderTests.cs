using Scratch.Data;
using Xunit;

namespace Scratch.Tests.Data;

public sealed class DataLoaderTests
{
    private static DataLoader<(int Index, double Draw), (int Index, double Draw)[]> Loader(int count, DataLoaderOptions o,
        Func<int, bool>? fail = null) =>
        new(count, (i, rng) =>
        {
            if (fail?.Invoke(i) == true) throw new InvalidOperationException($"bad sample {i}");
            if (i % 3 == 0) Thread.Sleep(1); // uneven load times so workers finish out of order
            return (i, rng.NextDouble());
        }, xs => [.. xs], o);

    private static List<(int Index, double Draw)[]> Run(DataLoader<(int Index, double Draw), (int Index, double Draw)[]> l, int epoch) =>
        [.. l.Epoch(epoch)];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SameSeedGivesSameBatchesForAnyWorkerCount(bool grouped)
    {
        var o = new DataLoaderOptions { BatchSize = 4, Shuffle = true, Seed = 42, IsWide = grouped ? i => i % 3 != 0 : null };
        var reference = Run(Loader(37, o), 2);
        foreach (var workers in new[] { 1, 2, 4 })
        {
            var got = Run(Loader(37, o with { Workers = workers, Prefetch = 3 }), 2);
            Assert.Equal(reference.Count, got.Count);
            for (var b = 0; b < got.Count; b++) Assert.Equal(reference[b], got[b]);
        }
        Assert.Equal(Enumerable.Range(0, 37), reference.SelectMany(b => b.Select(x => x.Index)).Order());
        var other = Run(Loader(37, o with { Seed = 43 }), 2);
        Assert.NotEqual(reference.SelectMany(b => b.Select(x => x.Draw)), other.SelectMany(b => b.Select(x => x.Draw)));
    }

    [Fact]
    public void DropLastDropsOnlyTheIncompleteBatch()
    {
        var keep = Run(Loader(10, new DataLoaderOptions { BatchSize = 4, Workers = 2 }), 0);
        Assert.Equal([4, 4, 2], keep.Select(b => b.Length));
        Assert.Equal(Enumerable.Range(0, 10), keep.SelectMany(b => b.Select(x => x.Index)));
        var drop = Run(Loader(10, new DataLoaderOptions { BatchSize = 4, Workers = 2, DropLast = true }), 0);
        Assert.Equal([4, 4], drop.Select(b => b.Length));
        Assert.Empty(Run(Loader(3, new DataLoaderOptions { BatchSize = 4, DropLast = true }), 0));
    }

    [Fact]
    public void EachEpochIsADifferentPermutation()
    {
        var l = Loader(50, new DataLoaderOptions { BatchSize = 5, Shuffle = true, Seed = 7, Workers = 2 });
        var e0 = Run(l, 0).SelectMany(b => b.Select(x => x.Index)).ToArray();
        var e1 = Run(l, 1).SelectMany(b => b.Select(x => x.Index)).ToArray();
        Assert.Equal(Enumerable.Range(0, 50), e0.Order());
        Assert.Equal(Enumerable.Range(0, 50), e1.Order());
        Assert.NotEqual(e0, e1);
        Assert.Equal(e0, Run(l, 0).SelectMany(b => b.Select(x => x.Index)));
    }

    [Fact]
    public void AspectGroupsNeverMix()
    {
        var o = new DataLoaderOptions { BatchSize = 3, Shuffle = true, Seed = 1, Workers = 2, IsWide = i => i % 4 == 0 };
        var batches = Run(Loader(30, o), 0);
        Assert.All(batches, b => Assert.Single(b.Select(x => x.Index % 4 == 0).Distinct()));
        Assert.Equal(30, batches.Sum(b => b.Length));
        var dropped = Run(Loader(30, o with { DropLast = true }), 0);
        Assert.All(dropped, b => Assert.Equal(3, b.Length));
        Assert.Equal(27, dropped.Sum(b => b.Length)); // 8 wide (2 left over) + 22 tall (1 left over)
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void WorkerExceptionsReachTheConsumerWithTheIndex(int workers)
    {
        var l = Loader(20, new DataLoaderOptions { BatchSize = 4, Workers = workers }, fail: i => i == 13);
        var seen = new List<int>();
        var e = Assert.Throws<DataLoaderException>(() =>
        {
            foreach (var b in l.Epoch(5)) seen.AddRange(b.Select(x => x.Index));
        });
        Assert.Equal(13, e.Index);
        Assert.Equal(5, e.Epoch);
        Assert.IsType<InvalidOperationException>(e.InnerException);
        Assert.Contains("sample 13", e.Message, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(0, 12), seen); // batches before the failing one were delivered
    }

    [Fact]
    public void BreakingEarlyStopsTheWorkers()
    {
        var l = Loader(1000, new DataLoaderOptions { BatchSize = 2, Workers = 2, Prefetch = 4 });
        var first = l.Epoch(0).Take(3).ToList();
        Assert.Equal([0, 1, 2, 3, 4, 5], first.SelectMany(b => b.Select(x => x.Index)));
    }

    [Fact]
    public void DetectionCollatePadsToMultipleAndKeepsSizes()
    {
        var a = new DetectionSample(Enumerable.Repeat(1f, 3 * 20 * 40).ToArray(), 3, 20, 40, [1, 2, 5, 6], [3], new byte[20 * 40]);
        var b = new DetectionSample(Enumerable.Repeat(2f, 3 * 50 * 10).ToArray(), 3, 50, 10, [], [], []);
        var batch = DetectionBatch.Collate([a, b]);
        Assert.Equal(new Shape(2, 3, 64, 64), batch.Images.Shape);
        Assert.Equal([(20, 40), (50, 10)], batch.ImageSizes);
        Assert.Equal(new Shape(1, 4), batch.Boxes[0].Shape);
        Assert.Equal(new Shape(0, 4), batch.Boxes[1].Shape);
        Assert.Equal(new Shape(1, 64, 64), batch.Masks![0].Shape);
        var px = batch.Images.ToArray<float>();
        Assert.Equal(1f, px[19 * 64 + 39]);
        Assert.Equal(0f, px[20 * 64 + 39]);
        Assert.Equal(0f, px[19 * 64 + 40]);
        Assert.Equal(2f, px[3 * 64 * 64 + 49 * 64 + 9]);
        Assert.Throws<ArgumentException>(() => DetectionBatch.Collate([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader<int, int>(1, (i, _) => i, x => x[0], new DataLoaderOptions { BatchSize = 0 }));
    }
}
