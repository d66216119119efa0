using System.Runtime.CompilerServices;

namespace Scratch.Backends;

/// <summary>The host buffer pool behind <see cref="MemoryScope"/>: free arrays bucketed by element type and exact
/// length, plus, per thread, the storages allocated while a scope was open on that thread.</summary>
/// <remarks>An array goes back to its bucket only once the garbage collector has shown that its
/// <see cref="Storage"/> object is unreachable (a short weak reference came back empty): every view, saved tensor,
/// gradient and autograd node refers to the storage object, so none of them can still see the array. The check runs
/// when the outermost scope of a thread ends (<see cref="Sweep"/>), on that thread, after a blocking collection of
/// generations 0 and 1 (or the generation the scope asked for); storages found alive stay tracked and are checked
/// again at the next sweep. Buckets unused for <see cref="IdleSweeps"/> sweeps are dropped, so a workload whose
/// shapes change does not pin memory. Thread-safe: buckets are shared under a lock; tracking is per thread.</remarks>
internal static class HostPool
{
    /// <summary>Arrays smaller than this many bytes are not pooled (the collector handles them cheaply).</summary>
    internal const int MinBytes = 8192;

    /// <summary>Sweeps a bucket may go unused before its arrays are released.</summary>
    internal const int IdleSweeps = 3;

    private sealed class Bucket
    {
        public readonly Stack<Array> Free = new();
        public long LastUsed;
    }

    private readonly record struct Tracked(WeakReference<Storage> Owner, Array Data, long Bytes, int Sweeps);

    private static readonly Lock Gate = new();
    private static readonly Dictionary<(Type, int), Bucket> Buckets = [];
    private static long _sweeps, _rented, _fresh, _recycled, _pooledBytes;

    [ThreadStatic] private static int t_depth;
    [ThreadStatic] private static List<Tracked>? t_tracked;
    [ThreadStatic] private static int t_young;

    /// <summary>True while a scope is open on this thread.</summary>
    public static bool Active => t_depth > 0;

    internal static void Enter() => t_depth++;

    /// <summary>Closes one scope level; the outermost sweeps.</summary>
    internal static void Exit(int generation)
    {
        if (--t_depth == 0) Sweep(generation);
    }

    /// <summary>Fills every array handed out unzeroed with all-ones bytes (NaN in floating point, −1 in integers)
    /// instead of leaving its old contents, so that a kernel reading an output it did not write fails loudly.
    /// Process-wide; the test suite turns it on for every test.</summary>
    internal static bool PoisonUninitialized { get; set; }

    /// <summary>An array of exactly <paramref name="length"/> elements for a new storage made by
    /// <paramref name="make"/>: reused from the pool when one is free, tracked while a scope is open; zero-filled
    /// when <paramref name="zeroed"/>, else with unspecified contents (a reused array keeps its old values).</summary>
    public static Storage Allocate<T>(int length, bool zeroed, Func<T[], Storage> make) where T : unmanaged
    {
        var bytes = (long)length * Unsafe.SizeOf<T>();
        if (t_depth == 0 || bytes < MinBytes) return make(Fresh<T>(length, zeroed));
        T[]? data = null;
        lock (Gate)
        {
            if (Buckets.TryGetValue((typeof(T), length), out var b))
            {
                b.LastUsed = _sweeps;
                if (b.Free.TryPop(out var a))
                {
                    data = (T[])a;
                    _pooledBytes -= bytes;
                    _recycled++;
                }
            }
            else Buckets[(typeof(T), length)] = new Bucket { LastUsed = _sweeps };
            _rented++;
            if (data is null) _fresh++;
        }
        if (data is null) data = Fresh<T>(length, zeroed);
        else if (zeroed) Array.Clear(data);
        else if (PoisonUninitialized) Poison(data);
        var storage = make(data);
        (t_tracked ??= []).Add(new Tracked(new WeakReference<Storage>(storage), data, bytes, 0));
        return storage;
    }

    private static T[] Fresh<T>(int length, bool zeroed) where T : unmanaged
    {
        if (zeroed) return new T[length];
        var data = GC.AllocateUninitializedArray<T>(length);
        if (PoisonUninitialized) Poison(data);
        return data;
    }

    private static void Poison<T>(T[] data) where T : unmanaged =>
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan()).Fill(0xFF);

    /// <summary>Collects, then returns the arrays of this thread's unreachable tracked storages to their buckets
    /// and drops idle buckets.</summary>
    internal static void Sweep(int generation)
    {
        var tracked = t_tracked;
        if (tracked is null || tracked.Count == 0) return;
        // Storages that outlived the previous sweep were promoted to generation 2: collect it too while any of
        // them is a candidate (one that survived exactly one sweep), so a step whose results were still referenced
        // at its sweep does not leak its buffers into generation 2 for good.
        if (t_young > 0) generation = 2;
        GC.Collect(generation, GCCollectionMode.Forced, blocking: true);
        var dead = new List<Tracked>();
        var keep = 0;
        var young = 0;
        for (var i = 0; i < tracked.Count; i++)
        {
            var t = tracked[i];
            if (t.Owner.TryGetTarget(out _))
            {
                if (t.Sweeps == 0) young++;
                tracked[keep++] = t with { Sweeps = t.Sweeps + 1 };
            }
            else dead.Add(t);
        }
        tracked.RemoveRange(keep, tracked.Count - keep);
        t_young = young;
        lock (Gate)
        {
            _sweeps++;
            foreach (var d in dead)
            {
                var key = (d.Data.GetType().GetElementType()!, d.Data.Length);
                if (!Buckets.TryGetValue(key, out var b)) Buckets[key] = b = new Bucket { LastUsed = _sweeps };
                b.Free.Push(d.Data);
                _pooledBytes += d.Bytes;
            }
            foreach (var (key, b) in Buckets.ToArray())
            {
                if (_sweeps - b.LastUsed <= IdleSweeps) continue;
                foreach (var a in b.Free) _pooledBytes -= Buffer.ByteLength(a);
                Buckets.Remove(key);
            }
        }
    }

    /// <summary>Drops every free array.</summary>
    internal static void Trim()
    {
        lock (Gate)
        {
            Buckets.Clear();
            _pooledBytes = 0;
        }
    }

    /// <summary>Counters since the process started.</summary>
    internal static MemoryPoolStats Stats()
    {
        lock (Gate) return new MemoryPoolStats(_rented, _fresh, _recycled, _pooledBytes, _sweeps);
    }
}
