using ILGPU.Runtime;

namespace Scratch.Backends.Gpu;

/// <summary>Copies between host arrays and device buffers (and between two GPU devices through the host).</summary>
internal static class GpuTransfer
{
    /// <summary>dst = src for contiguous tensors of equal dtype and numel on different devices, at least one a GPU.
    /// Synchronises when the destination is the host.</summary>
    public static void Copy(Tensor src, Tensor dst)
    {
        switch (src.DType)
        {
            case DType.F32: CopyT<float>(src, dst); break;
            case DType.F64: CopyT<double>(src, dst); break;
            case DType.I32: CopyT<int>(src, dst); break;
            case DType.I64: CopyT<long>(src, dst); break;
            default: CopyT<byte>(src, dst); break;
        }
    }

    private static void CopyT<T>(Tensor src, Tensor dst) where T : unmanaged
    {
        var n = (int)src.Numel;
        if (n == 0) return;
        if (src.Device.IsHost)
        {
            var to = GpuRuntime.BackendFor(dst.Device);
            to.Bind();
            to.Dense<T>(dst, "To").CopyFromCPU(to.Stream, new ReadOnlySpan<T>(src.HostArray<T>(), (int)src.Offset, n));
            return;
        }
        var from = GpuRuntime.BackendFor(src.Device);
        from.Bind();
        var host = dst.Device.IsHost ? dst.HostArray<T>() : new T[n];
        var offset = dst.Device.IsHost ? (int)dst.Offset : 0;
        from.Dense<T>(src, "To").CopyToCPU(from.Stream, new Span<T>(host, offset, n));
        from.Stream.Synchronize();
        if (dst.Device.IsHost) return;
        var to2 = GpuRuntime.BackendFor(dst.Device);
        to2.Bind();
        to2.Dense<T>(dst, "To").CopyFromCPU(to2.Stream, new ReadOnlySpan<T>(host));
    }
}
