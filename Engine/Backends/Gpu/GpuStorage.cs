using ILGPU;
using ILGPU.Runtime;

namespace Scratch.Backends.Gpu;

/// <summary>Device storage: one ILGPU buffer of <typeparamref name="T"/> on the accelerator of a GPU device.</summary>
/// <remarks>Views share the storage as they share host arrays. The buffer goes back to the device's
/// <see cref="GpuAllocator"/> when the storage is disposed or collected; dispose only when no view is used again.
/// </remarks>
/// <typeparam name="T">float, double, int, long or byte (U8 and Bool).</typeparam>
public sealed class GpuStorage<T> : Storage, IDisposable where T : unmanaged
{
    private readonly GpuAllocator _allocator;
    private int _released;

    internal GpuStorage(GpuAllocator allocator, MemoryBuffer1D<T, Stride1D.Dense> buffer, long length, DType dtype,
        Device device) : base(dtype, device, length)
    {
        _allocator = allocator;
        Buffer = buffer;
    }

    /// <summary>Returns the buffer to the allocator when the storage was never disposed.</summary>
    ~GpuStorage() => Release();

    /// <summary>The device buffer (at least one element long, so empty tensors have a buffer too).</summary>
    public MemoryBuffer1D<T, Stride1D.Dense> Buffer { get; }

    /// <summary>True once the buffer went back to the allocator.</summary>
    public bool IsReleased => Volatile.Read(ref _released) != 0;

    /// <summary>The whole buffer as a view.</summary>
    internal ArrayView<T> View => Live().View;

    /// <summary>Elements [offset, offset + count) as a view.</summary>
    internal ArrayView<T> Slice(long offset, long count) => Live().View.SubView(offset, Math.Max(count, 0));

    private MemoryBuffer1D<T, Stride1D.Dense> Live() => IsReleased
        ? throw new ObjectDisposedException(nameof(GpuStorage<T>),
            $"storage of {DType.Name()} on {Device} was disposed")
        : Buffer;

    /// <summary>Gives the buffer back to the device's allocator for reuse (views of this storage become unusable).
    /// </summary>
    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    private void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0) _allocator.Return(Buffer);
    }
}
