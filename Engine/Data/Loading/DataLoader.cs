using System.Threading.Channels;

namespace Scratch.Data;

/// <summary>Options of <see cref="DataLoader{TSample, TBatch}"/>.</summary>
public sealed record DataLoaderOptions
{
    /// <summary>Samples per batch (≥ 1).</summary>
    public int BatchSize { get; init; } = 1;

    /// <summary>Reshuffle the sample order every epoch (a permutation drawn from (seed, epoch)).</summary>
    public bool Shuffle { get; init; }

    /// <summary>Drop the incomplete last batch (of each aspect group when grouping).</summary>
    public bool DropLast { get; init; }

    /// <summary>Background workers; 0 loads on the consumer's thread.</summary>
    public int Workers { get; init; }

    /// <summary>Batches loaded ahead of the consumer (at least <see cref="Workers"/> are used).</summary>
    public int Prefetch { get; init; } = 2;

    /// <summary>Seed of the shuffle and of every sample's generator.</summary>
    public ulong Seed { get; init; }

    /// <summary>When set, batches are formed within two groups (true = wide: w ≥ h; false = tall) as in torchvision's
    /// <c>GroupedBatchSampler</c>: indices are visited in (shuffled) order and a batch is emitted when its group
    /// fills; leftovers are emitted at the end (wide group first) unless <see cref="DropLast"/>.</summary>
    public Func<int, bool>? IsWide { get; init; }
}

/// <summary>The sample index that failed, the epoch, and the loader's original exception as inner exception.</summary>
public sealed class DataLoaderException(int index, int epoch, Exception inner)
    : Exception($"DataLoader: loading sample {index} (epoch {epoch}) failed: {inner.Message}", inner)
{
    /// <summary>Index of the sample whose load threw (the first index of the batch when the collate threw).</summary>
    public int Index { get; } = index;

    /// <summary>Epoch being loaded.</summary>
    public int Epoch { get; } = epoch;
}

/// <summary>Batches <paramref name="count"/> samples: <paramref name="load"/>(index, rng) makes a sample from a
/// generator seeded from (seed, epoch, index) only, <paramref name="collate"/> turns a batch's samples (in batch order)
/// into a batch. Workers take whole batches from a <see cref="Channel{T}"/> and results are delivered in plan order,
/// so the batches of an epoch are identical for any worker count.</summary>
/// <remarks>Exceptions thrown by <paramref name="load"/> or <paramref name="collate"/> reach the consumer as a
/// <see cref="DataLoaderException"/> when it reaches that batch. Breaking out of the enumeration cancels the workers.
/// <paramref name="load"/> and <paramref name="collate"/> must be safe to call concurrently.</remarks>
public sealed class DataLoader<TSample, TBatch>(int count, Func<int, Generator, TSample> load,
    Func<IReadOnlyList<TSample>, TBatch> collate, DataLoaderOptions options)
{
    private readonly DataLoaderOptions _o = Validate(count, options);

    /// <summary>Number of samples.</summary>
    public int Count => count;

    /// <summary>The sample indices of each batch of <paramref name="epoch"/>, in delivery order.</summary>
    public IReadOnlyList<int[]> Plan(int epoch)
    {
        var order = new int[count];
        for (var i = 0; i < count; i++) order[i] = i;
        if (_o.Shuffle)
        {
            var g = new Generator(Mix(_o.Seed, (ulong)epoch, ulong.MaxValue));
            for (var i = count - 1; i > 0; i--)
            {
                var j = (int)g.NextInt64(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
        }
        var batches = new List<int[]>();
        var b = _o.BatchSize;
        if (_o.IsWide is null)
        {
            for (var s = 0; s < count; s += b)
            {
                var n = Math.Min(b, count - s);
                if (n < b && _o.DropLast) break;
                batches.Add(order[s..(s + n)]);
            }
            return batches;
        }
        var groups = new[] { new List<int>(b), new List<int>(b) };
        foreach (var i in order)
        {
            var g = groups[_o.IsWide(i) ? 0 : 1];
            g.Add(i);
            if (g.Count == b) { batches.Add([.. g]); g.Clear(); }
        }
        if (!_o.DropLast)
            foreach (var g in groups)
                if (g.Count > 0) batches.Add([.. g]);
        return batches;
    }

    /// <summary>The seed of sample <paramref name="index"/>'s generator in <paramref name="epoch"/>.</summary>
    public ulong SampleSeed(int epoch, int index) => Mix(_o.Seed, (ulong)epoch, (ulong)index);

    /// <summary>The batches of <paramref name="epoch"/>, loaded in the background.</summary>
    public IEnumerable<TBatch> Epoch(int epoch)
    {
        var plan = Plan(epoch);
        if (_o.Workers == 0)
        {
            foreach (var idx in plan) yield return LoadBatch(idx, epoch);
            yield break;
        }
        var results = new TaskCompletionSource<TBatch>[plan.Count];
        for (var i = 0; i < results.Length; i++) results[i] = new(TaskCreationOptions.RunContinuationsAsynchronously);
        var jobs = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleWriter = true });
        for (var i = 0; i < plan.Count; i++) jobs.Writer.TryWrite(i);
        jobs.Writer.Complete();
        using var slots = new SemaphoreSlim(Math.Max(_o.Prefetch, _o.Workers));
        using var cts = new CancellationTokenSource();
        var workers = new Task[_o.Workers];
        for (var w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                while (true)
                {
                    await slots.WaitAsync(cts.Token).ConfigureAwait(false);
                    if (!jobs.Reader.TryRead(out var b)) return;
                    try
                    {
                        results[b].TrySetResult(LoadBatch(plan[b], epoch));
                    }
                    catch (Exception e)
                    {
                        results[b].TrySetException(e);
                    }
                }
            }, cts.Token);
        }
        try
        {
            for (var b = 0; b < plan.Count; b++)
            {
                var batch = results[b].Task.GetAwaiter().GetResult();
                slots.Release();
                yield return batch;
            }
        }
        finally
        {
            cts.Cancel();
            try { Task.WaitAll(workers); }
            catch (AggregateException) { }
        }
    }

    private TBatch LoadBatch(int[] indices, int epoch)
    {
        var samples = new TSample[indices.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            try
            {
                samples[i] = load(indices[i], new Generator(SampleSeed(epoch, indices[i])));
            }
            catch (Exception e)
            {
                throw new DataLoaderException(indices[i], epoch, e);
            }
        }
        try
        {
            return collate(samples);
        }
        catch (Exception e)
        {
            throw new DataLoaderException(indices[0], epoch, e);
        }
    }

    private static ulong Mix(ulong a, ulong b, ulong c)
    {
        var h = a * 0x9E3779B97F4A7C15UL ^ 0xD1B54A32D192ED03UL;
        h = (h ^ (h >> 31) ^ b) * 0xBF58476D1CE4E5B9UL;
        h = (h ^ (h >> 29) ^ c) * 0x94D049BB133111EBUL;
        return h ^ (h >> 32);
    }

    private static DataLoaderOptions Validate(int count, DataLoaderOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (o.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(o), o.BatchSize, "DataLoader: BatchSize must be >= 1.");
        if (o.Workers < 0) throw new ArgumentOutOfRangeException(nameof(o), o.Workers, "DataLoader: Workers must be >= 0.");
        if (o.Prefetch < 1) throw new ArgumentOutOfRangeException(nameof(o), o.Prefetch, "DataLoader: Prefetch must be >= 1.");
        return o;
    }
}
