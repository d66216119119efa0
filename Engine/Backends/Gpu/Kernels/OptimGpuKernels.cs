using System.Numerics;
using ILGPU;
using ILGPU.Runtime;

namespace Scratch.Backends.Gpu;

/// <summary>Hyper-parameters of one SGD step (converted to the parameter's type in the kernel, as the host converts
/// them).</summary>
internal struct SgdArgs
{
    public double Lr, WeightDecay, Momentum, Dampening;

    /// <summary>1 when the momentum buffer is new (it starts as the first direction).</summary>
    public int First;

    public int Nesterov;
}

/// <summary>Hyper-parameters of one Adam/AdamW step; <see cref="StepSize"/> = lr / (1 − β₁ᵗ) and
/// <see cref="Bc2Sqrt"/> = √(1 − β₂ᵗ) are computed on the host in double, as the host update does.</summary>
internal struct AdamArgs
{
    public double StepSize, Bc2Sqrt, Beta1, Beta2, Eps, WeightDecay, Decay;

    public int Amsgrad, Decoupled;
}

/// <summary>Optimizer updates on the GPU: one thread per parameter element, the host update's arithmetic.</summary>
internal static class OptimGpuKernels
{
    /// <summary>SGD with optional weight decay, momentum (buffer b) and Nesterov momentum; without momentum b is
    /// unused.</summary>
    public static void Sgd<T>(Index1D i, ArrayView<T> p, ArrayView<T> g, ArrayView<T> b, SgdArgs a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var wd = T.CreateTruncating(a.WeightDecay);
        var mom = T.CreateTruncating(a.Momentum);
        var d = a.WeightDecay != 0 ? g[i] + wd * p[i] : g[i];
        if (a.Momentum != 0)
        {
            var damp = T.One - T.CreateTruncating(a.Dampening);
            b[i] = a.First != 0 ? d : mom * b[i] + damp * d;
            d = a.Nesterov != 0 ? d + mom * b[i] : b[i];
        }
        p[i] -= T.CreateTruncating(a.Lr) * d;
    }

    /// <summary>Adam (L2 weight decay in the gradient) or AdamW (decoupled decay), optionally AMSGrad (vmax).
    /// </summary>
    public static void Adam<T>(Index1D i, ArrayView<T> p, ArrayView<T> gr, ArrayView<T> m, ArrayView<T> v,
        ArrayView<T> vmax, AdamArgs a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = gr[i];
        if (a.WeightDecay != 0)
        {
            if (a.Decoupled != 0) p[i] *= T.CreateTruncating(a.Decay);
            else g += T.CreateTruncating(a.WeightDecay) * p[i];
        }
        var b1 = T.CreateTruncating(a.Beta1);
        var b2 = T.CreateTruncating(a.Beta2);
        m[i] = m[i] * b1 + T.CreateTruncating(1 - a.Beta1) * g;
        v[i] = v[i] * b2 + T.CreateTruncating(1 - a.Beta2) * g * g;
        var s = v[i];
        if (a.Amsgrad != 0)
        {
            s = T.Max(vmax[i], s);
            vmax[i] = s;
        }
        var denom = T.Sqrt(s) / T.CreateTruncating(a.Bc2Sqrt) + T.CreateTruncating(a.Eps);
        p[i] += -T.CreateTruncating(a.StepSize) * (m[i] / denom);
    }
}

public sealed partial class IlgpuBackend
{
    /// <summary>One SGD step on contiguous <paramref name="param"/> (in place) given its contiguous gradient and
    /// momentum buffer (null without momentum), all on this device.</summary>
    internal void SgdStep<T>(Tensor param, Tensor grad, Tensor? buffer, SgdArgs args)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const string op = "Sgd";
        if (param.Numel == 0) return;
        var k = Kernel("SgdStep", typeof(T), typeof(T), op,
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, SgdArgs>(
                OptimGpuKernels.Sgd));
        var p = Dense<T>(param, op);
        k(checked((int)param.Numel), p, Dense<T>(grad, op), buffer is null ? p : Dense<T>(buffer, op), args);
    }

    /// <summary>One Adam/AdamW step on contiguous <paramref name="param"/> (in place) with its state buffers
    /// (vmax null without AMSGrad), all on this device.</summary>
    internal void AdamStep<T>(Tensor param, Tensor grad, Tensor m, Tensor v, Tensor? vmax, AdamArgs args)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const string op = "Adam";
        if (param.Numel == 0) return;
        var k = Kernel("AdamStep", typeof(T), typeof(T), op,
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>,
                ArrayView<T>, AdamArgs>(OptimGpuKernels.Adam));
        var mv = Dense<T>(m, op);
        k(checked((int)param.Numel), Dense<T>(param, op), Dense<T>(grad, op), mv, Dense<T>(v, op),
            vmax is null ? mv : Dense<T>(vmax, op), args);
    }
}
