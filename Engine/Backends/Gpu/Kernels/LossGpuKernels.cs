using System.Numerics;
using ILGPU;
using ILGPU.Runtime;

namespace Scratch.Backends.Gpu;

/// <summary>The device halves of the fused classification losses (<c>NllLoss</c>, <c>CrossEntropy</c> with index
/// targets) over a contiguous class-last [rows, C] tensor; t holds each row's target class, or −1 for a row that
/// takes no part (ignored, or zero weight where the host kernel skips it). Per-row scalars (losses, totals, the
/// upstream scale) stay on the host in double, exactly as the host kernels compute them.</summary>
internal static class LossGpuKernels
{
    /// <summary>picked[i] = a[i, tᵢ] widened to double (0 for rows with tᵢ &lt; 0).</summary>
    public static void Pick<T>(Index1D i, ArrayView<T> a, ArrayView<int> t, ArrayView<double> picked, int classes)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        picked[i] = t[i] < 0 ? 0.0 : double.CreateTruncating(a[(long)(int)i * classes + t[i]]);

    /// <summary>sums[i] = Σ_c w[c]·a[i, c] accumulated in double in class order (the host's smoothing term).
    /// </summary>
    public static void WeightedRowSum<T>(Index1D i, ArrayView<T> a, ArrayView<double> w, ArrayView<double> sums,
        int classes) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var s = 0.0;
        for (var c = 0; c < classes; c++) s += w[c] * double.CreateTruncating(a[(long)(int)i * classes + c]);
        sums[i] = s;
    }

    /// <summary>dx[i, c] = coefᵢ·exp(logp[i, c]) − sᵢ·smoothW[c], minus hotᵢ at c = tᵢ; rows with tᵢ &lt; 0 stay 0.
    /// rowCoef is [rows, 3] = (coef, s, hot).</summary>
    public static void CrossEntropyBackward<T>(Index1D e, ArrayView<T> logp, ArrayView<T> rowCoef, ArrayView<int> t,
        ArrayView<T> smoothW, ArrayView<T> dx, int classes) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var i = e / classes;
        var c = e % classes;
        if (t[i] < 0) return;
        var v = rowCoef[3 * i] * T.Exp(logp[e]) - rowCoef[3 * i + 1] * smoothW[c];
        if (c == t[i]) v -= rowCoef[3 * i + 2];
        dx[e] = v;
    }

    /// <summary>dx[i, tᵢ] = v[i] for rows with tᵢ ≥ 0 (dx zeroed).</summary>
    public static void RowScatter<T>(Index1D i, ArrayView<int> t, ArrayView<T> v, ArrayView<T> dx, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (t[i] >= 0) dx[(long)(int)i * classes + t[i]] = v[i];
    }

    /// <summary>Smooth L1 per element, d = |x − t|: y = d·d·q where d &lt; β, else d − l (q = ½/β, l = ½β rounded
    /// to T on the host; β = 0 always takes the linear branch, giving d).</summary>
    public static void SmoothL1<T>(Index1D i, ArrayView<T> x, ArrayView<T> t, ArrayView<T> y, T beta, T q, T l)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var d = T.Abs(x[i] - t[i]);
        y[i] = d < beta ? d * d * q : d - l;
    }

    /// <summary>∂ℓ/∂x of <see cref="SmoothL1{T}"/> times g: (g·q·d + g·q·d)·sign(x − t) where d &lt; β (the product
    /// rule of d·d, as the composite host graph accumulates it), else g·sign(x − t); sign(0) = 0.</summary>
    public static void SmoothL1Backward<T>(Index1D i, ArrayView<T> x, ArrayView<T> t, ArrayView<T> g, ArrayView<T> dx,
        T beta, T q) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var diff = x[i] - t[i];
        var d = T.Abs(diff);
        var gd = d < beta ? g[i] * q * d + g[i] * q * d : g[i];
        var sign = diff > T.Zero ? T.One : diff < T.Zero ? -T.One : diff == T.Zero ? T.Zero : diff;
        dx[i] = gd * sign;
    }
}

public sealed partial class IlgpuBackend
{
    /// <summary>a[i, tᵢ] of a contiguous [rows, C] tensor, widened to double, into picked [rows] (F64).</summary>
    internal void LossPick<T>(Tensor a, Tensor t, Tensor picked, int classes, string op)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (picked.Numel == 0) return;
        Kernel("LossPick", typeof(T), typeof(T), op,
                acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<T>, ArrayView<int>, ArrayView<double>, int>(
                    LossGpuKernels.Pick))
            (checked((int)picked.Numel), Dense<T>(a, op), Dense<int>(t, op), Dense<double>(picked, op), classes);
    }

    /// <summary>Σ_c w[c]·a[i, c] per row of a contiguous [rows, C] tensor into sums [rows] (F64).</summary>
    internal void LossWeightedRowSum<T>(Tensor a, Tensor w, Tensor sums, int classes, string op)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (sums.Numel == 0) return;
        Kernel("LossWeightedRowSum", typeof(T), typeof(T), op,
                acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<T>, ArrayView<double>, ArrayView<double>,
                    int>(LossGpuKernels.WeightedRowSum))
            (checked((int)sums.Numel), Dense<T>(a, op), Dense<double>(w, op), Dense<double>(sums, op), classes);
    }

    /// <summary>The fused cross-entropy backward into the zeroed contiguous dx [rows, C].</summary>
    internal void CrossEntropyBackward<T>(Tensor logp, Tensor rowCoef, Tensor t, Tensor smoothW, Tensor dx,
        int classes, string op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.Numel == 0) return;
        Kernel("CrossEntropyBackward", typeof(T), typeof(T), op,
                acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<int>,
                    ArrayView<T>, ArrayView<T>, int>(LossGpuKernels.CrossEntropyBackward))
            (checked((int)dx.Numel), Dense<T>(logp, op), Dense<T>(rowCoef, op), Dense<int>(t, op),
                Dense<T>(smoothW, op), Dense<T>(dx, op), classes);
    }

    /// <summary>dx[i, tᵢ] = v[i] into the zeroed contiguous dx [rows, C].</summary>
    internal void LossRowScatter<T>(Tensor t, Tensor v, Tensor dx, int classes, string op)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (t.Numel == 0) return;
        Kernel("LossRowScatter", typeof(T), typeof(T), op,
                acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<T>, ArrayView<T>, int>(
                    LossGpuKernels.RowScatter))
            (checked((int)t.Numel), Dense<int>(t, op), Dense<T>(v, op), Dense<T>(dx, op), classes);
    }

    /// <summary>Smooth L1 per element of contiguous x and t into y.</summary>
    internal void SmoothL1<T>(Tensor x, Tensor t, Tensor y, T beta, T q, T l, string op)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (y.Numel == 0) return;
        Kernel("SmoothL1", typeof(T), typeof(T), op,
                acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, T, T, T>(
                    LossGpuKernels.SmoothL1))
            (checked((int)y.Numel), Dense<T>(x, op), Dense<T>(t, op), Dense<T>(y, op), beta, q, l);
    }

    /// <summary>The Smooth L1 input gradient from contiguous x, t and g into dx.</summary>
    internal void SmoothL1Backward<T>(Tensor x, Tensor t, Tensor g, Tensor dx, T beta, T q, string op)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.Numel == 0) return;
        Kernel("SmoothL1Backward", typeof(T), typeof(T), op,
                acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>,
                    ArrayView<T>, T, T>(LossGpuKernels.SmoothL1Backward))
            (checked((int)dx.Numel), Dense<T>(x, op), Dense<T>(t, op), Dense<T>(g, op), Dense<T>(dx, op), beta, q);
    }
}
