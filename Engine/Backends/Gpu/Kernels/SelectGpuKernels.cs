using ILGPU;
using ILGPU.Runtime;

namespace Scratch.Backends.Gpu;

/// <summary><c>Where</c> on the GPU: y = c ? a : b over contiguous operands of the broadcast shape (the op expands
/// and materialises them first with the backend's strided copy); Bool is one byte.</summary>
internal static class SelectGpuKernels
{
    public static void Select<T>(Index1D i, ArrayView<byte> c, ArrayView<T> a, ArrayView<T> b, ArrayView<T> y)
        where T : unmanaged => y[i] = c[i] != 0 ? a[i] : b[i];
}

public sealed partial class IlgpuBackend
{
    /// <summary>y = c ? a : b elementwise over contiguous tensors of y's shape.</summary>
    internal void Select<T>(Tensor c, Tensor a, Tensor b, Tensor y, string op) where T : unmanaged
    {
        if (y.Numel == 0) return;
        Kernel("Select", typeof(T), typeof(T), op,
                acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<byte>, ArrayView<T>, ArrayView<T>,
                    ArrayView<T>>(SelectGpuKernels.Select))
            (checked((int)y.Numel), Dense<byte>(c, op), Dense<T>(a, op), Dense<T>(b, op), Dense<T>(y, op));
    }
}
