using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace Scratch.Backends.Gpu;

/// <summary>Counters of a <see cref="GpuAllocator"/>.</summary>
/// <param name="Allocations">Buffers requested.</param>
/// <param name="CacheHits">Requests served from the cache instead of the device allocator.</param>
/// <param name="BytesInUse">Bytes held by live storages.</param>
/// <param name="BytesCached">Bytes of freed buffers kept for reuse.</param>
/// <param name="PressureReleases">Times an allocation failed (or would pass <see cref="GpuAllocator.LimitBytes"/>)
/// and the cache was emptied to retry it.</param>
public readonly record struct GpuMemoryStats(long Allocations, long CacheHits, long BytesInUse, long BytesCached,
    long PressureReleases = 0);

/// <summary>A device allocation that failed even after the allocator released its cache.</summary>
public sealed class GpuOutOfMemoryException : Exception
{
    /// <summary>Creates the exception for <paramref name="requestedBytes"/> on <paramref name="device"/>.</summary>
    public GpuOutOfMemoryException(string device, long requestedBytes, long freeBytes, GpuMemoryStats stats,
        Exception? inner = null) : base(
        $"Out of memory on {device}: requested {requestedBytes} bytes, " +
        (freeBytes >= 0 ? $"{freeBytes} bytes free" : "free bytes unknown") +
        $" ({stats.BytesInUse} bytes in use by live tensors; the cache was emptied and the allocation retried).",
        inner)
    {
        Device = device;
        RequestedBytes = requestedBytes;
        FreeBytes = freeBytes;
    }

    /// <summary>The device that ran out.</summary>
    public string Device { get; }

    /// <summary>Bytes the failed allocation asked for.</summary>
    public long RequestedBytes { get; }

    /// <summary>Bytes free on the device (or under <see cref="GpuAllocator.LimitBytes"/>) when it failed; −1 when
    /// the device cannot tell.</summary>
    public long FreeBytes { get; }
}

/// <summary>A caching allocator: buffers released by a <see cref="GpuStorage{T}"/> (disposed or collected) are kept
/// per (element type, size bucket) and handed out again, so steady-state training does not call the device
/// allocator. Sizes are rounded up to a bucket (<see cref="BucketBytes"/>: 512 bytes below 1 MiB, 1 MiB above), so
/// tensors whose sizes differ a little (a detector's varying proposal counts) share buffers.</summary>
/// <remarks>The allocator holds every buffer it made, so ILGPU never finalizes one behind its back; a storage returns
/// its buffer from <see cref="GpuStorage{T}.Dispose"/> or from its finalizer. Reuse is safe without events because
/// every kernel and copy of a device runs on its one stream, in order.</remarks>
public sealed class GpuAllocator : IDisposable
{
    private readonly Accelerator _accelerator;
    private readonly Lock _gate = new();
    private readonly Dictionary<(Type Type, long Length), Stack<MemoryBuffer>> _free = new();
    private readonly HashSet<MemoryBuffer> _live = new();
    private long _allocations, _hits, _bytesInUse, _bytesCached, _pressureReleases;
    private bool _disposed;

    internal GpuAllocator(Accelerator accelerator) => _accelerator = accelerator;

    /// <summary>Current counters.</summary>
    public GpuMemoryStats Stats
    {
        get
        {
            lock (_gate) return new GpuMemoryStats(_allocations, _hits, _bytesInUse, _bytesCached,
                _pressureReleases);
        }
    }

    /// <summary>Bytes a request of <paramref name="bytes"/> occupies: rounded up to a multiple of 512 bytes up to
    /// 1 MiB (at least 512), of 1 MiB above (so a large buffer carries less than 1 MiB spare).</summary>
    public static long BucketBytes(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        long step = bytes <= SmallLimit ? 512 : SmallLimit;
        return Math.Max(step, (bytes + step - 1) / step * step);
    }

    private const long SmallLimit = 1 << 20;

    /// <summary>A buffer of at least <paramref name="length"/> elements: the whole bucket (contents undefined).
    /// </summary>
    internal MemoryBuffer1D<T, Stride1D.Dense> Rent<T>(long length) where T : unmanaged
    {
        var size = Unsafe.SizeOf<T>();
        length = BucketBytes(length * size) / size;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _allocations++;
            MemoryBuffer1D<T, Stride1D.Dense> buffer;
            if (_free.TryGetValue((typeof(T), length), out var stack) && stack.Count > 0)
            {
                buffer = (MemoryBuffer1D<T, Stride1D.Dense>)stack.Pop();
                _hits++;
                _bytesCached -= buffer.LengthInBytes;
            }
            else
            {
                buffer = AllocateUnderPressure<T>(length);
            }
            _live.Add(buffer);
            _bytesInUse += buffer.LengthInBytes;
            return buffer;
        }
    }

    /// <summary>Optional cap on the bytes this allocator holds (live plus cached); null (the default) lets the device
    /// decide. An allocation that would pass it is treated as a device out-of-memory.</summary>
    public long? LimitBytes
    {
        get
        {
            lock (_gate) return _limit;
        }
        set
        {
            if (value is < 0)
                throw new ArgumentOutOfRangeException(nameof(value), value,
                    "GpuAllocator.LimitBytes: expected null or a non-negative byte count.");
            lock (_gate) _limit = value;
        }
    }

    private long? _limit;

    /// <summary>A new device buffer; on failure (or past <see cref="LimitBytes"/>) the cache is emptied and the
    /// allocation retried once, then <see cref="GpuOutOfMemoryException"/> names the requested (bucket) and free
    /// bytes. Caller holds the gate.</summary>
    private MemoryBuffer1D<T, Stride1D.Dense> AllocateUnderPressure<T>(long length) where T : unmanaged
    {
        var bytes = length * Unsafe.SizeOf<T>();
        for (var attempt = 0;; attempt++)
        {
            Exception? failure = null;
            if (_limit is not { } limit || _bytesInUse + _bytesCached + bytes <= limit)
            {
                try
                {
                    return _accelerator.Allocate1D<T>(length);
                }
                catch (Exception e) when (IsOutOfMemory(e))
                {
                    failure = e;
                }
            }
            if (attempt > 0 || _bytesCached == 0)
                throw new GpuOutOfMemoryException(_accelerator.Name, bytes, FreeBytesLocked(), StatsLocked(), failure);
            _pressureReleases++;
            EmptyCache();
        }
    }

    private GpuMemoryStats StatsLocked() =>
        new(_allocations, _hits, _bytesInUse, _bytesCached, _pressureReleases);

    private long FreeBytesLocked()
    {
        if (_limit is { } limit) return Math.Max(0, limit - _bytesInUse - _bytesCached);
        try
        {
            return _accelerator is CudaAccelerator cuda ? cuda.GetFreeMemory() : -1;
        }
        catch (CudaException)
        {
            return -1;
        }
    }

    private static bool IsOutOfMemory(Exception e) => e switch
    {
        OutOfMemoryException => true,
        CudaException c => c.Error.Contains("OUT_OF_MEMORY", StringComparison.Ordinal),
        AggregateException a => a.InnerExceptions.Any(IsOutOfMemory),
        _ => e.InnerException is { } inner && IsOutOfMemory(inner),
    };

    /// <summary>Takes back a buffer from <see cref="Rent{T}"/> (ignored after <see cref="Dispose"/>).</summary>
    internal void Return<T>(MemoryBuffer1D<T, Stride1D.Dense> buffer) where T : unmanaged
    {
        lock (_gate)
        {
            if (_disposed || !_live.Remove(buffer)) return;
            _bytesInUse -= buffer.LengthInBytes;
            _bytesCached += buffer.LengthInBytes;
            var key = (typeof(T), buffer.Length);
            if (!_free.TryGetValue(key, out var stack)) _free[key] = stack = new Stack<MemoryBuffer>();
            stack.Push(buffer);
        }
    }

    /// <summary>Frees every cached buffer (live storages keep theirs).</summary>
    public void EmptyCache()
    {
        lock (_gate)
        {
            foreach (var stack in _free.Values)
            foreach (var b in stack)
                b.Dispose();
            _free.Clear();
            _bytesCached = 0;
        }
    }

    /// <summary>Frees every buffer, live or cached; storages still alive become unusable.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            EmptyCache();
            foreach (var b in _live) b.Dispose();
            _live.Clear();
            _bytesInUse = 0;
            _disposed = true;
        }
    }
}
