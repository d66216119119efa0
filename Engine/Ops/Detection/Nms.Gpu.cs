using System.Numerics;
using Scratch.Backends.Gpu;

namespace Scratch;

public static partial class F
{
    /// <summary>NMS on a GPU device, as torchvision's CUDA <c>nms</c>: the visiting order (score sort, as the host
    /// kernel) and the box areas are computed on the host; <see cref="DetectionGpuKernels.NmsMask{T}"/> computes the
    /// [K, ⌈K/64⌉] overlap bitmask (one 64-thread group per (row tile, column tile)); the greedy sweep over the mask
    /// runs on the host. The kept indices and their order are those of the host kernels.</summary>
    private static long[] NmsGpu<T>(Tensor boxes, T[] s, long[]? cls, double thr, string op)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var n = s.Length;
        if (n == 0) return [];
        var b = boxes.Detach().Contiguous().ToArray<T>();
        var order = NmsScoreOrder(s);
        var (sorted, area, c) = (new T[4 * n], new T[n], new long[n]);
        for (var r = 0; r < n; r++)
        {
            var i = order[r];
            for (var q = 0; q < 4; q++) sorted[4 * r + q] = b[4 * i + q];
            area[r] = (b[4 * i + 2] - b[4 * i]) * (b[4 * i + 3] - b[4 * i + 1]);
            c[r] = cls?[i] ?? 0;
        }
        var blocks = (n + DetectionGpuKernels.NmsTile - 1) / DetectionGpuKernels.NmsTile;
        var device = boxes.Device;
        var mask = Tensor.Empty(new Shape(n, blocks), DType.I64, device);
        GpuRuntime.BackendFor(device).NmsMask<T>(Tensor.From(sorted, device: device),
            Tensor.From(area, device: device), Tensor.From(c, device: device), mask, n, thr, op);
        var bits = mask.ToArray<long>();
        var removed = new long[blocks];
        var keep = new List<long>();
        for (var r = 0; r < n; r++)
        {
            if ((removed[r / 64] >> (r % 64) & 1) != 0) continue;
            keep.Add(order[r]);
            for (var q = r / 64; q < blocks; q++) removed[q] |= bits[(long)r * blocks + q];
        }
        return [.. keep];
    }
}
