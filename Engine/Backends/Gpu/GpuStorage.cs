using ILGPU;
using ILGPU.Runtime;

namespace Scratch.Backends.Gpu;

/// <summary>Device storage: one ILGPU buffer of <typeparamref name="T"/> on the accelerator of a GPU device.</summary>
/// <remarks>Views share the storage as they share host arrays. The buffer is released by <see cref="Dispose"/> or,
/// failing that, by ILGPU's finalizer when the storage is collected.</remarks>
/// <typeparam name="T">float, double, int, long or byte (U8 and Bool).</typeparam>
public sealed class GpuStorage<T> : Storage, IDisposable where T : unmanaged
{
    internal GpuStorage(MemoryBuffer1D<T, Stride1D.Dense> buffer, long length, DType dtype, Device device)
        : base(dtype, device, length)
    {
        Buffer = buffer;
    }

    /// <summary>The device buffer (at least one element long, so empty tensors have a buffer too).</summary>
    public MemoryBuffer1D<T, Stride1D.Dense> Buffer { get; }

    /// <summary>The whole buffer as a view.</summary>
    internal ArrayView<T> View => Buffer.View;

    /// <summary>Elements [offset, offset + count) as a view.</summary>
    internal ArrayView<T> Slice(long offset, long count) => Buffer.View.SubView(offset, Math.Max(count, 0));

    /// <summary>Frees the device buffer now.</summary>
    public void Dispose() => Buffer.Dispose();
}
