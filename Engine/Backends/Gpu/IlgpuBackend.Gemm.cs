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

    /// <summary>fp32 tensors on CUDA tensor cores with TF32 inputs (10-bit mantissa, relative error ≈ 1e-3 per
    /// product) and fp32 accumulation; fp64, or a device that is not CUDA, computes as <see cref="Default"/>.</summary>
    Tf32,
}

public sealed partial class IlgpuBackend
{
    /// <summary>Products with at least this many output elements per matrix (M·N) use the 128×128 register-blocked
    /// kernel; smaller ones the 16×16 shared-memory kernel (less idle work on tiny shapes and on the CPU
    /// accelerator, which emulates every thread). Internal so tests can force either kernel.</summary>
    internal int TiledMatmulMinOutputs { get; set; } = 64 * 64;

    /// <summary>The precision <see cref="IBackend.Matmul"/> uses on this device (opt-in TF32; default IEEE).
    /// </summary>
    public MatmulPrecision MatmulPrecision { get; set; }

    /// <summary>True when this device runs the TF32 tensor-core kernel (CUDA, compute capability 8.0 or newer).
    /// </summary>
    public bool SupportsTf32 => Accelerator is CudaAccelerator cuda && cuda.Architecture >= CudaArchitecture.SM_80;

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

    /// <summary>Runs the register-blocked (or, for fp32 with <see cref="MatmulPrecision.Tf32"/> on CUDA, the
    /// tensor-core) GEMM with generic operand and output layouts.</summary>
    internal void Gemm<T, TA, TB, TC>(ArrayView<T> a, TA la, ArrayView<T> b, TB lb, ArrayView<T> c, TC lc,
        GemmShape s, int batch, MatmulPrecision precision, string op) where T : unmanaged, INumber<T>
        where TA : struct, IGemmOperand where TB : struct, IGemmOperand where TC : struct, IGemmOutput
    {
        if (precision == MatmulPrecision.Tf32 && typeof(T) == typeof(float) && SupportsTf32)
        {
            var tc = Kernel("GemmTf32", typeof((TA, TB, TC)), typeof(float), op,
                acc => acc.LoadStreamKernel<ArrayView<float>, TA, ArrayView<float>, TB, ArrayView<float>, TC,
                    GemmShape>(TensorCoreGpuKernels.GemmTf32));
            const int e = TensorCoreGpuKernels.Block;
            var tgrid = new Index3D((s.N + e - 1) / e, (s.M + e - 1) / e, batch);
            tc(new KernelConfig(tgrid, new Index3D(TensorCoreGpuKernels.Threads, 1, 1)), a.Cast<float>(), la,
                b.Cast<float>(), lb, c.Cast<float>(), lc, s);
            return;
        }
        var k = Kernel("Gemm", typeof((TA, TB, TC)), typeof(T), op,
            acc => acc.LoadStreamKernel<ArrayView<T>, TA, ArrayView<T>, TB, ArrayView<T>, TC, GemmShape>(
                GemmGpuKernels.Gemm));
        var grid = new Index3D((s.N + GemmGpuKernels.BN - 1) / GemmGpuKernels.BN,
            (s.M + GemmGpuKernels.BM - 1) / GemmGpuKernels.BM, batch);
        k(new KernelConfig(grid, new Index3D(GemmGpuKernels.Threads, 1, 1)), a, la, b, lb, c, lc, s);
    }
}
