using System.Numerics;
using ILGPU;
using ILGPU.Runtime;

namespace Scratch.Backends.Gpu;

/// <summary>Fused row kernels on the GPU: softmax / log-softmax of each row of a contiguous [rows, len] tensor and
/// their backward passes; one group of <see cref="GpuKernels.ReduceGroup"/> threads per row, shared-memory trees for
/// the row maximum and sums.</summary>
internal static class RowGpuKernels
{
    private const int G = GpuKernels.ReduceGroup;

    /// <summary>Maximum that propagates NaN (as the host kernels do).</summary>
    private static T MaxNaN<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> =>
        T.IsNaN(a) ? a : T.IsNaN(b) ? b : a > b ? a : b;

    /// <summary>Tree-reduces <paramref name="shared"/> (one partial per thread) to shared[0], max or sum.</summary>
    private static T Combine<T>(ArrayView<T> shared, int t, bool max) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Group.Barrier();
        for (var s = G / 2; s > 0; s >>= 1)
        {
            if (t < s) shared[t] = max ? MaxNaN(shared[t], shared[t + s]) : shared[t] + shared[t + s];
            Group.Barrier();
        }
        var r = shared[0];
        Group.Barrier();
        return r;
    }

    /// <summary>y = softmax(x) (log = 0) or log_softmax(x) (log = 1) per row; grid = rows, group = 64.</summary>
    public static void Softmax<T>(ArrayView<T> x, ArrayView<T> y, int len, int log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shared = SharedMemory.Allocate<T>(G);
        int t = Group.IdxX;
        long row = (long)Grid.IdxX * len;
        var m = T.NegativeInfinity;
        for (var j = t; j < len; j += G) m = MaxNaN(m, x[row + j]);
        shared[t] = m;
        m = Combine(shared, t, true);
        var s = T.Zero;
        for (var j = t; j < len; j += G) s += T.Exp(x[row + j] - m);
        shared[t] = s;
        s = Combine(shared, t, false);
        var shift = m + T.Log(s);
        for (var j = t; j < len; j += G)
            y[row + j] = log != 0 ? x[row + j] - shift : T.Exp(x[row + j] - m) / s;
    }

    /// <summary>dx = y·(g − Σ g·y) (softmax) or dx = g − eʸ·Σ g (log-softmax) per row; grid = rows, group = 64.
    /// </summary>
    public static void SoftmaxBackward<T>(ArrayView<T> g, ArrayView<T> y, ArrayView<T> dx, int len, int log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shared = SharedMemory.Allocate<T>(G);
        int t = Group.IdxX;
        long row = (long)Grid.IdxX * len;
        var acc = T.Zero;
        for (var j = t; j < len; j += G) acc += log != 0 ? g[row + j] : g[row + j] * y[row + j];
        shared[t] = acc;
        acc = Combine(shared, t, false);
        for (var j = t; j < len; j += G)
            dx[row + j] = log != 0 ? g[row + j] - T.Exp(y[row + j]) * acc : y[row + j] * (g[row + j] - acc);
    }
}

public sealed partial class IlgpuBackend
{
    /// <summary>Softmax (or log-softmax) of each row of contiguous [rows, len] <paramref name="x"/> into
    /// <paramref name="y"/>, both on this device.</summary>
    internal void Softmax<T>(Tensor x, Tensor y, int rows, int len, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var op = log ? "LogSoftmax" : "Softmax";
        if (rows == 0 || len == 0) return;
        var k = Kernel("Softmax", typeof(T), typeof(T), op,
            acc => acc.LoadStreamKernel<ArrayView<T>, ArrayView<T>, int, int>(RowGpuKernels.Softmax));
        k(new KernelConfig(rows, GpuKernels.ReduceGroup), Dense<T>(x, op), Dense<T>(y, op), len, log ? 1 : 0);
    }

    /// <summary>Backward of <see cref="Softmax{T}"/> per row: <paramref name="g"/> the output gradient,
    /// <paramref name="y"/> the forward output, into <paramref name="dx"/>.</summary>
    internal void SoftmaxBackward<T>(Tensor g, Tensor y, Tensor dx, int rows, int len, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var op = log ? "LogSoftmaxBackward" : "SoftmaxBackward";
        if (rows == 0 || len == 0) return;
        var k = Kernel("SoftmaxBackward", typeof(T), typeof(T), op,
            acc => acc.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, int, int>(
                RowGpuKernels.SoftmaxBackward));
        k(new KernelConfig(rows, GpuKernels.ReduceGroup), Dense<T>(g, op), Dense<T>(y, op), Dense<T>(dx, op), len,
            log ? 1 : 0);
    }
}
