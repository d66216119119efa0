using ILGPU;
using ILGPU.Runtime;

namespace Scratch.Backends.Gpu;

/// <summary>Counters of a <see cref="GpuAllocator"/>.</summary>
/// <param name="Allocations">Buffers requested.</param>
/// <param name="CacheHits">Requests served from the cache instead of the device allocator.</param>
/// <param name="BytesInUse">Bytes held by live storages.</param>
/// <param name="BytesCached">Bytes of freed buffers kept for reuse.</param>
public readonly record struct GpuMemoryStats(long Allocations, long CacheHits, long BytesInUse, long BytesCached);

/// <summary>A caching allocator: buffers released by a <see cref="GpuStorage{T}"/> (disposed or collected) are kept
/// per (element type, length) and handed out again, so steady-state training does not call the device allocator.
/// </summary>
/// <remarks>The allocator holds every buffer it made, so ILGPU never finalizes one behind its back; a storage returns
/// its buffer from <see cref="GpuStorage{T}.Dispose"/> or from its finalizer. Reuse is safe without events because
/// every kernel and copy of a device runs on its one stream, in order.</remarks>
public sealed class GpuAllocator : IDisposable
{
    private readonly Accelerator _accelerator;
    private readonly Lock _gate = new();
    private readonly Dictionary<(Type Type, long Length), Stack<MemoryBuffer>> _free = new();
    private readonly HashSet<MemoryBuffer> _live = new();
    private long _allocations, _hits, _bytesInUse, _bytesCached;
    private bool _disposed;

    internal GpuAllocator(Accelerator accelerator) => _accelerator = accelerator;

    /// <summary>Current counters.</summary>
    public GpuMemoryStats Stats
    {
        get
        {
            lock (_gate) return new GpuMemoryStats(_allocations, _hits, _bytesInUse, _bytesCached);
        }
    }

    /// <summary>A buffer of exactly <paramref name="length"/> elements (contents undefined).</summary>
    internal MemoryBuffer1D<T, Stride1D.Dense> Rent<T>(long length) where T : unmanaged
    {
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
                buffer = _accelerator.Allocate1D<T>(length);
            }
            _live.Add(buffer);
            _bytesInUse += buffer.LengthInBytes;
            return buffer;
        }
    }

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
