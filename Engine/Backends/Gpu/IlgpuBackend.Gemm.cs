using System.Numerics;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace Scratch.Backends.Gpu;

/// <summary>Arithmetic of a GPU matrix product.</summary>
public enum MatmulPrecision
{
    /// <summary>IEEE products in the tensor's dtype (fp32 or fp64 FMAs).</summary>
    Default,

    /// <summary>fp32 tensors on the tensor cores with TF32 inputs (10-bit mantissa, rounded to nearest with ties
    /// away; relative error ≤ 2⁻¹¹ per input) and fp32 accumulation.</summary>
    Tf32,

    /// <summary>fp32 tensors on the tensor cores with BF16 inputs (8-bit mantissa, fp32's range; rounded to nearest
    /// even, relative error ≤ 2⁻⁹ per input) and fp32 accumulation.</summary>
    Bf16,

    /// <summary>fp32 tensors on the tensor cores with IEEE half inputs (10-bit mantissa; rounded to nearest even;
    /// magnitudes above 65504 become infinite and below 2⁻²⁴ vanish) and fp32 accumulation.</summary>
    F16,
}

public sealed partial class IlgpuBackend
{
    /// <summary>Products with at least this many output elements per matrix (M·N) use the 128×128 register-blocked
    /// kernel; smaller ones the 16×16 shared-memory kernel (less idle work on tiny shapes and on the CPU
    /// accelerator, which emulates every thread). Internal so tests can force either kernel.</summary>
    internal int TiledMatmulMinOutputs { get; set; } = 64 * 64;

    /// <summary>The precision <see cref="IBackend.Matmul"/> and the convolutions use on this device (opt-in tensor
    /// cores; default IEEE).</summary>
    public MatmulPrecision MatmulPrecision { get; set; }

    /// <summary>True when this device runs the tensor-core kernel for <see cref="MatmulPrecision.Tf32"/>,
    /// <see cref="MatmulPrecision.Bf16"/> and <see cref="MatmulPrecision.F16"/>: CUDA devices of compute capability
    /// 8.0 or newer (inline PTX <c>mma.sync</c>), and ILGPU's CPU accelerator, which emulates <c>mma.sync</c> with
    /// the same fragment layout (<see cref="EmulatedTensorCore{TFormat}"/>). Elsewhere (fp64, older GPUs) the
    /// reduced precisions compute as <see cref="MatmulPrecision.Default"/>.</summary>
    public bool SupportsTensorCores => Accelerator is CudaAccelerator cuda
        ? cuda.Architecture >= CudaArchitecture.SM_80
        : Device.Kind == DeviceKind.IlgpuCpu;

    /// <summary>Whether a product of <paramref name="dtype"/> tensors at <paramref name="precision"/> runs on the
    /// tensor cores here (fp32 only).</summary>
    public bool UsesTensorCores(DType dtype, MatmulPrecision precision) =>
        precision != MatmulPrecision.Default && dtype == DType.F32 && SupportsTensorCores;

    /// <summary>The value the tensor cores multiply for the fp32 input <paramref name="x"/> at
    /// <paramref name="precision"/>: x rounded to TF32 (nearest, ties away), BF16 or IEEE half (nearest, ties to
    /// even), exactly as the kernel's <c>cvt</c> rounds it; x itself for <see cref="MatmulPrecision.Default"/>.
    /// </summary>
    public static float TensorCoreInput(MatmulPrecision precision, float x) => precision switch
    {
        MatmulPrecision.Default => x,
        MatmulPrecision.Tf32 => default(Tf32Format).Unpack(default(Tf32Format).Pack(x, 0), 0),
        MatmulPrecision.Bf16 => default(Bf16Format).Unpack(Bf16Format.Round(x), 0),
        MatmulPrecision.F16 => F16Format.Widen(F16Format.Round(x)),
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "not a matmul precision"),
    };

    internal bool UsesTensorCores<T>(MatmulPrecision precision) =>
        UsesTensorCores(typeof(T) == typeof(float) ? DType.F32 : DType.F64, precision);

    /// <summary>c[p] = a[p] @ b[p] for a [B, M, K], b [B, K, N] (any strides) and contiguous c [B, M, N], with an
    /// explicit <paramref name="precision"/> (the op-level opt-in; <see cref="IBackend.Matmul"/> uses
    /// <see cref="MatmulPrecision"/>).</summary>
    public void Matmul(Tensor a, Tensor b, Tensor c, MatmulPrecision precision)
    {
        switch (a.DType)
        {
            case DType.F32: MatmulT<float>(a, b, c, precision); break;
            case DType.F64: MatmulT<double>(a, b, c, precision); break;
            default: throw DTypeDispatch.Floating("Matmul", a.DType);
        }
    }

    private static StridedOperand Strided(Tensor t) => new()
    {
        Offset = t.Offset, S0 = t.Strides[0], S1 = t.Strides[1], S2 = t.Strides[2],
    };

    /// <summary>Runs the register-blocked (or, for fp32 at a reduced <paramref name="precision"/> where
    /// <see cref="SupportsTensorCores"/>, the tensor-core) GEMM with generic operand and output layouts.</summary>
    internal void Gemm<T, TA, TB, TC>(ArrayView<T> a, TA la, ArrayView<T> b, TB lb, ArrayView<T> c, TC lc,
        GemmShape s, int batch, MatmulPrecision precision, string op) where T : unmanaged, INumber<T>
        where TA : struct, IGemmOperand where TB : struct, IGemmOperand where TC : struct, IGemmOutput
    {
        if (UsesTensorCores<T>(precision))
        {
            TensorCoreGemm(a.Cast<float>(), la, b.Cast<float>(), lb, c.Cast<float>(), lc, s, batch, precision, op);
            return;
        }
        var k = Kernel("Gemm", typeof((TA, TB, TC)), typeof(T), op,
            acc => acc.LoadStreamKernel<ArrayView<T>, TA, ArrayView<T>, TB, ArrayView<T>, TC, GemmShape>(
                GemmGpuKernels.Gemm));
        var grid = new Index3D((s.N + GemmGpuKernels.BN - 1) / GemmGpuKernels.BN,
            (s.M + GemmGpuKernels.BM - 1) / GemmGpuKernels.BM, batch);
        k(new KernelConfig(grid, new Index3D(GemmGpuKernels.Threads, 1, 1)), a, la, b, lb, c, lc, s);
    }

    private void TensorCoreGemm<TA, TB, TC>(ArrayView<float> a, TA la, ArrayView<float> b, TB lb, ArrayView<float> c,
        TC lc, GemmShape s, int batch, MatmulPrecision precision, string op) where TA : struct, IGemmOperand
        where TB : struct, IGemmOperand where TC : struct, IGemmOutput
    {
        var cuda = Accelerator is CudaAccelerator;
        switch (precision)
        {
            case MatmulPrecision.Tf32 when cuda: Mma<Tf32Core>(); break;
            case MatmulPrecision.Bf16 when cuda: Mma<Bf16Core>(); break;
            case MatmulPrecision.F16 when cuda: Mma<F16Core>(); break;
            case MatmulPrecision.Tf32: Mma<EmulatedTensorCore<Tf32Format>>(); break;
            case MatmulPrecision.Bf16: Mma<EmulatedTensorCore<Bf16Format>>(); break;
            case MatmulPrecision.F16: Mma<EmulatedTensorCore<F16Format>>(); break;
            default: throw new ArgumentOutOfRangeException(nameof(precision), precision, "not a tensor-core precision");
        }

        void Mma<TCore>() where TCore : struct, ITensorCore
        {
            var k = Kernel("GemmMma", typeof((TA, TB, TC, TCore)), typeof(float), op,
                acc => acc.LoadStreamKernel<ArrayView<float>, TA, ArrayView<float>, TB, ArrayView<float>, TC,
                    GemmShape>(TensorCoreGpuKernels.GemmMma<TA, TB, TC, TCore>));
            const int e = TensorCoreGpuKernels.Block;
            var grid = new Index3D((s.N + e - 1) / e, (s.M + e - 1) / e, batch);
            k(new KernelConfig(grid, new Index3D(TensorCoreGpuKernels.Threads, 1, 1)), a, la, b, lb, c, lc, s);
        }
    }
}
