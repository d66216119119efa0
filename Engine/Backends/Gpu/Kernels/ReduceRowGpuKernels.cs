using System.Numerics;
using ILGPU;
using ILGPU.Runtime;

namespace Scratch.Backends.Gpu;

/// <summary>The row scans of <see cref="ReduceRowGpuKernels.Scan{T}"/>.</summary>
internal enum GpuScan
{
    /// <summary>Inclusive prefix sum.</summary>
    Cumsum,

    /// <summary>Inclusive suffix sum (the cumsum gradient).</summary>
    ReverseCumsum,

    /// <summary>Inclusive prefix product.</summary>
    Cumprod,

    /// <summary>Cumprod gradient from x and g (exact with zeros).</summary>
    CumprodBackward,

    /// <summary>Prod gradient from x and the row's g (exact with zeros).</summary>
    ProdBackward,
}

/// <summary>Row kernels of the reductions on the GPU over contiguous [rows, len] tensors: log-sum-exp and p-norms
/// (one group of <see cref="GpuKernels.ReduceGroup"/> threads per row, shared-memory trees), scans (one thread per
/// row, the host's loop order) and the elementwise norm gradient.</summary>
internal static class ReduceRowGpuKernels
{
    private const int G = GpuKernels.ReduceGroup;

    /// <summary>NaN-propagating maximum (mode 1) or minimum (mode 2), or the sum (mode 0).</summary>
    private static T Fold<T>(T a, T b, int mode) where T : unmanaged, IFloatingPointIeee754<T> =>
        mode == 0 ? a + b : T.IsNaN(a) ? a : T.IsNaN(b) ? b : (mode == 1 ? a > b : a < b) ? a : b;

    /// <summary>Tree-folds <paramref name="shared"/> (one partial per thread) and returns the result to all threads.
    /// </summary>
    private static T Combine<T>(ArrayView<T> shared, int t, int mode) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Group.Barrier();
        for (var s = G / 2; s > 0; s >>= 1)
        {
            if (t < s) shared[t] = Fold(shared[t], shared[t + s], mode);
            Group.Barrier();
        }
        var r = shared[0];
        Group.Barrier();
        return r;
    }

    /// <summary>y[row] = m + log Σ e^(x − m) with m the row maximum; −∞ for an empty row, m itself when m is ±∞ or
    /// NaN. Grid = rows, group = 64.</summary>
    public static void LogSumExp<T>(ArrayView<T> x, ArrayView<T> y, int len)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shared = SharedMemory.Allocate<T>(G);
        int t = Group.IdxX;
        long row = (long)Grid.IdxX * len;
        var m = T.NegativeInfinity;
        for (var j = t; j < len; j += G) m = Fold(m, x[row + j], 1);
        shared[t] = m;
        m = Combine(shared, t, 1);
        var s = T.Zero;
        var finite = !T.IsInfinity(m) && !T.IsNaN(m);
        if (finite)
            for (var j = t; j < len; j += G) s += T.Exp(x[row + j] - m);
        shared[t] = s;
        s = Combine(shared, t, 0);
        if (t == 0) y[Grid.IdxX] = finite ? m + T.Log(s) : m;
    }

    /// <summary>y[row] = (Σ|x|ᵖ)^(1/p) (p = 1, 2 without powers; p = 0 counts non-zeros), max |x| (p = ∞) or
    /// min |x| (p = −∞), NaN propagating; 0 for an empty row. Grid = rows, group = 64.</summary>
    public static void Norm<T>(ArrayView<T> x, ArrayView<T> y, int len, double p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shared = SharedMemory.Allocate<T>(G);
        int t = Group.IdxX;
        long row = (long)Grid.IdxX * len;
        var mode = double.IsPositiveInfinity(p) ? 1 : double.IsNegativeInfinity(p) ? 2 : 0;
        var tp = T.CreateTruncating(p);
        var acc = mode == 2 ? T.PositiveInfinity : T.Zero;
        for (var j = t; j < len; j += G)
        {
            var v = x[row + j];
            var a = T.Abs(v);
            var term = mode != 0 ? a
                : p == 0 ? v != T.Zero ? T.One : T.Zero
                : p == 1 ? a
                : p == 2 ? a * a
                : T.Pow(a, tp);
            acc = Fold(acc, term, mode);
        }
        shared[t] = acc;
        acc = Combine(shared, t, mode);
        if (t != 0) return;
        y[Grid.IdxX] = len == 0 ? T.Zero
            : mode != 0 || p == 0 || p == 1 ? acc
            : p == 2 ? T.Sqrt(acc)
            : T.Pow(acc, T.One / tp);
    }

    /// <summary>One scan per row (one thread per row, in the host's order): see <see cref="GpuScan"/>. g is the
    /// gradient row (len values), or one value per row for <see cref="GpuScan.ProdBackward"/>.</summary>
    public static void Scan<T>(Index1D r, ArrayView<T> x, ArrayView<T> g, ArrayView<T> y, int len, int kind)
        where T : unmanaged, INumber<T>
    {
        long o = (long)(int)r * len;
        var acc = T.Zero;
        switch ((GpuScan)kind)
        {
            case GpuScan.Cumsum:
                for (var j = 0; j < len; j++) y[o + j] = acc += x[o + j];
                break;
            case GpuScan.ReverseCumsum:
                for (var j = len - 1; j >= 0; j--) y[o + j] = acc += x[o + j];
                break;
            case GpuScan.Cumprod:
                acc = T.One;
                for (var j = 0; j < len; j++) y[o + j] = acc *= x[o + j];
                break;
            case GpuScan.CumprodBackward:
                CumprodBackward(x, g, y, o, len);
                break;
            default:
                acc = g[r];
                for (var j = 0; j < len; j++)
                {
                    y[o + j] = acc;
                    acc *= x[o + j];
                }
                acc = T.One;
                for (var j = len - 1; j >= 0; j--)
                {
                    y[o + j] *= acc;
                    acc *= x[o + j];
                }
                break;
        }
    }

    /// <summary>dx[i] = op(x[i], y[i], g[i], count[i]): the p-norm gradient (see <see cref="F.NormGradOp"/>).
    /// </summary>
    public static void NormGrad<T>(Index1D i, F.NormGradOp op, ArrayView<T> x, ArrayView<T> y, ArrayView<T> g,
        ArrayView<T> count, ArrayView<T> dx) where T : unmanaged, IFloatingPointIeee754<T> =>
        dx[i] = op.Apply(x[i], y[i], g[i], count[i]);

    /// <summary>dxⱼ = Σₖ≥ⱼ gₖ Πᵢ≤ₖ,ᵢ≠ⱼ xᵢ for one row (as the host's CumprodBackwardKernel: elements before the first
    /// zero z divide a suffix sum by xⱼ, z accumulates the products that skip it, later elements get 0).</summary>
    private static void CumprodBackward<T>(ArrayView<T> x, ArrayView<T> g, ArrayView<T> dx, long o, int n)
        where T : unmanaged, INumber<T>
    {
        var z = n;
        for (var j = n - 1; j >= 0; j--)
            if (x[o + j] == T.Zero) z = j;
        var prefix = T.One;
        for (var j = 0; j < z; j++) dx[o + j] = prefix *= x[o + j];
        var suffix = T.Zero;
        for (var j = z - 1; j >= 0; j--)
        {
            suffix += g[o + j] * dx[o + j];
            dx[o + j] = suffix / x[o + j];
        }
        if (z == n) return;
        var run = T.One;
        for (var i = 0; i < z; i++) run *= x[o + i];
        var acc = T.Zero;
        for (var k = z; k < n; k++)
        {
            if (k > z) run *= x[o + k];
            acc += g[o + k] * run;
        }
        dx[o + z] = acc;
        for (var j = z + 1; j < n; j++) dx[o + j] = T.Zero;
    }
}

public sealed partial class IlgpuBackend
{
    /// <summary>Log-sum-exp of each row of contiguous [rows, len] <paramref name="x"/> into
    /// <paramref name="y"/> (rows values).</summary>
    internal void LogSumExp<T>(Tensor x, Tensor y, int rows, int len) where T : unmanaged, IFloatingPointIeee754<T>
    {
        const string op = "LogSumExp";
        if (rows == 0) return;
        var k = Kernel("LogSumExpRows", typeof(T), typeof(T), op,
            acc => acc.LoadStreamKernel<ArrayView<T>, ArrayView<T>, int>(ReduceRowGpuKernels.LogSumExp));
        k(new KernelConfig(rows, GpuKernels.ReduceGroup), Dense<T>(x, op), Dense<T>(y, op), len);
    }

    /// <summary>p-norm of each row of contiguous [rows, len] <paramref name="x"/> into <paramref name="y"/>.</summary>
    internal void NormRows<T>(Tensor x, Tensor y, int rows, int len, double p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const string op = "Norm";
        if (rows == 0) return;
        var k = Kernel("NormRows", typeof(T), typeof(T), op,
            acc => acc.LoadStreamKernel<ArrayView<T>, ArrayView<T>, int, double>(ReduceRowGpuKernels.Norm));
        k(new KernelConfig(rows, GpuKernels.ReduceGroup), Dense<T>(x, op), Dense<T>(y, op), len, p);
    }

    /// <summary>The p-norm gradient elementwise over contiguous tensors of one shape.</summary>
    internal void NormGrad(F.NormGradOp op, Tensor x, Tensor y, Tensor g, Tensor count, Tensor dx)
    {
        if (x.DType == DType.F32) NormGradT<float>(op, x, y, g, count, dx);
        else NormGradT<double>(op, x, y, g, count, dx);
    }

    private void NormGradT<T>(F.NormGradOp op, Tensor x, Tensor y, Tensor g, Tensor count, Tensor dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const string name = "NormBackward";
        if (dx.Numel == 0) return;
        var k = Kernel("NormGrad", typeof(T), typeof(T), name,
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, F.NormGradOp, ArrayView<T>, ArrayView<T>, ArrayView<T>,
                ArrayView<T>, ArrayView<T>>(ReduceRowGpuKernels.NormGrad));
        k(checked((int)dx.Numel), op, Dense<T>(x, name), Dense<T>(y, name), Dense<T>(g, name), Dense<T>(count, name),
            Dense<T>(dx, name));
    }

    /// <summary>A row scan (see <see cref="GpuScan"/>) of contiguous [rows, len] x (and g) into y.</summary>
    internal void Scan(GpuScan kind, Tensor x, Tensor? g, Tensor y, int rows, int len, string op)
    {
        switch (x.DType)
        {
            case DType.F32: ScanT<float>(kind, x, g, y, rows, len, op); break;
            case DType.F64: ScanT<double>(kind, x, g, y, rows, len, op); break;
            case DType.I32: ScanT<int>(kind, x, g, y, rows, len, op); break;
            case DType.I64: ScanT<long>(kind, x, g, y, rows, len, op); break;
            default: throw new DTypeMismatchException(op, "input", "float32, float64, int32 or int64", x.DType.Name());
        }
    }

    private void ScanT<T>(GpuScan kind, Tensor x, Tensor? g, Tensor y, int rows, int len, string op)
        where T : unmanaged, INumber<T>
    {
        if (rows == 0 || len == 0) return;
        var k = Kernel("Scan", typeof(T), typeof(T), op,
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, int, int>(
                ReduceRowGpuKernels.Scan));
        var xv = Dense<T>(x, op);
        k(rows, xv, g is null ? xv : Dense<T>(g, op), Dense<T>(y, op), len, (int)kind);
    }
}
