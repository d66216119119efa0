using System.Numerics;
using ILGPU;
using ILGPU.Runtime;

namespace Scratch.Backends.Gpu;

/// <summary>Row normalisation y = (x − μ)/√(σ² + ε) of a contiguous [rows, len] tensor (the building block of batch,
/// group, layer and instance norm) and its backward; one group of <see cref="GpuKernels.ReduceGroup"/> threads per
/// row with shared-memory sums. Statistics go to a [rows, 2] tensor (μ, biased σ²).</summary>
internal static class NormGpuKernels
{
    private const int G = GpuKernels.ReduceGroup;

    /// <summary>Σ of the per-thread partials in <paramref name="shared"/>, returned to every thread.</summary>
    private static T Sum<T>(ArrayView<T> shared, int t, T partial) where T : unmanaged, IFloatingPointIeee754<T>
    {
        shared[t] = partial;
        Group.Barrier();
        for (var s = G / 2; s > 0; s >>= 1)
        {
            if (t < s) shared[t] += shared[t + s];
            Group.Barrier();
        }
        var r = shared[0];
        Group.Barrier();
        return r;
    }

    /// <summary>Two passes per row: μ = Σx/len, σ² = Σ(x − μ)²/len; y = (x − μ)·rsqrt(σ² + ε).</summary>
    public static void Forward<T>(ArrayView<T> x, ArrayView<T> y, ArrayView<T> stats, int len, T eps)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shared = SharedMemory.Allocate<T>(G);
        int t = Group.IdxX, r = Grid.IdxX;
        long row = (long)r * len;
        var n = T.CreateTruncating(len);
        var acc = T.Zero;
        for (var j = t; j < len; j += G) acc += x[row + j];
        var mean = Sum(shared, t, acc) / n;
        acc = T.Zero;
        for (var j = t; j < len; j += G)
        {
            var d = x[row + j] - mean;
            acc += d * d;
        }
        var variance = Sum(shared, t, acc) / n;
        var rstd = T.One / T.Sqrt(variance + eps);
        for (var j = t; j < len; j += G) y[row + j] = (x[row + j] - mean) * rstd;
        if (t == 0)
        {
            stats[2L * r] = mean;
            stats[2L * r + 1] = variance;
        }
    }

    /// <summary>dx = (g − mean(g) − y·mean(g·y))·rsqrt(σ² + ε) per row.</summary>
    public static void Backward<T>(ArrayView<T> g, ArrayView<T> y, ArrayView<T> stats, ArrayView<T> dx, int len,
        T eps) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shared = SharedMemory.Allocate<T>(G);
        int t = Group.IdxX, r = Grid.IdxX;
        long row = (long)r * len;
        var n = T.CreateTruncating(len);
        T sg = T.Zero, sgy = T.Zero;
        for (var j = t; j < len; j += G)
        {
            sg += g[row + j];
            sgy += g[row + j] * y[row + j];
        }
        var mg = Sum(shared, t, sg) / n;
        var mgy = Sum(shared, t, sgy) / n;
        var rstd = T.One / T.Sqrt(stats[2L * r + 1] + eps);
        for (var j = t; j < len; j += G) dx[row + j] = (g[row + j] - mg - y[row + j] * mgy) * rstd;
    }
}

public sealed partial class IlgpuBackend
{
    /// <summary>Normalises each row of contiguous x [rows, len] into y; (μ, σ²) per row into stats [rows, 2].</summary>
    internal void NormalizeRows<T>(Tensor x, Tensor y, Tensor stats, int rows, int len, double eps)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const string op = "NormalizeRows";
        if (rows == 0 || len == 0) return;
        var k = Kernel("NormalizeRows", typeof(T), typeof(T), op,
            acc => acc.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, int, T>(NormGpuKernels.Forward));
        k(new KernelConfig(rows, GpuKernels.ReduceGroup), Dense<T>(x, op), Dense<T>(y, op), Dense<T>(stats, op), len,
            T.CreateTruncating(eps));
    }

    /// <summary>Backward of <see cref="NormalizeRows{T}"/> from the output gradient g, the output y and stats.</summary>
    internal void NormalizeRowsBackward<T>(Tensor g, Tensor y, Tensor stats, Tensor dx, int rows, int len, double eps)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const string op = "NormalizeRows";
        if (rows == 0 || len == 0) return;
        var k = Kernel("NormalizeRowsBackward", typeof(T), typeof(T), op,
            acc => acc.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, int, T>(
                NormGpuKernels.Backward));
        k(new KernelConfig(rows, GpuKernels.ReduceGroup), Dense<T>(g, op), Dense<T>(y, op), Dense<T>(stats, op),
            Dense<T>(dx, op), len, T.CreateTruncating(eps));
    }
}
