using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;

namespace Scratch.Backends.Cpu;

/// <summary>Which SIMD micro-kernel a GEMM runs.</summary>
internal enum GemmPath
{
    /// <summary>The widest accelerated one: 512-bit, else 256-bit, else 128-bit.</summary>
    Auto,

    /// <summary>8 rows × 2 Vector512 columns.</summary>
    V512,

    /// <summary>6 rows × 2 Vector256 columns.</summary>
    V256,

    /// <summary>8 (ARM64) or 6 rows × 2 Vector128 columns.</summary>
    V128,
}

/// <summary>Host GEMM for the Cpu backend: cache-blocked, packed, register-tiled SIMD kernels
/// (<see cref="GemmDriver{T, K}"/>) for float and double, any operand strides, broadcast batches.</summary>
internal static unsafe class Gemm
{
    /// <summary>c[p] = a[p]·b[p] for a [B, M, K], b [B, K, N] with any strides (batch stride 0 broadcasts) into a
    /// contiguous c [B, M, N].</summary>
    public static void Batched<T>(Tensor a, Tensor b, Tensor c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int batch = c.Size(0), m = c.Size(1), n = c.Size(2), k = a.Size(2);
        fixed (T* pa = a.HostArray<T>())
        fixed (T* pb = b.HostArray<T>())
        fixed (T* pc = c.HostArray<T>())
        {
            Dispatch(GemmPath.Auto,
                new GemmOperand<T>(pa + a.Offset, a.Stride(0), a.Stride(1), a.Stride(2)),
                new GemmOperand<T>(pb + b.Offset, b.Stride(0), b.Stride(1), b.Stride(2)),
                new GemmOperand<T>(pc + c.Offset, (long)m * n, n, 1),
                batch, m, n, k, T.One, T.Zero, Environment.ProcessorCount);
        }
    }

    /// <summary>BLAS-style row-major GEMM: C = α·op(A)·op(B) + β·C with op(A) m×k, op(B) k×n, C m×n.</summary>
    /// <remarks>op(A)[i, p] = transA ? a[p·lda + i] : a[i·lda + p]; op(B)[p, j] = transB ? b[j·ldb + p] : b[p·ldb + j];
    /// C[i, j] = c[i·ldc + j]. β = 0 overwrites C without reading it (NaNs there do not propagate); k = 0 or α = 0
    /// gives C = β·C. Throws <see cref="ArgumentException"/> when a span is too short for its shape and leading
    /// dimension.</remarks>
    public static void Run<T>(bool transA, bool transB, int m, int n, int k, T alpha, ReadOnlySpan<T> a, int lda,
        ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc, int threads = 0, GemmPath path = GemmPath.Auto)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        Require(a.Length, transA ? k : m, transA ? m : k, lda, "a", "lda");
        Require(b.Length, transB ? n : k, transB ? k : n, ldb, "b", "ldb");
        Require(c.Length, m, n, ldc, "c", "ldc");
        if (m == 0 || n == 0) return;
        fixed (T* pa = a)
        fixed (T* pb = b)
        fixed (T* pc = c)
        {
            Dispatch(path,
                new GemmOperand<T>(pa, 0, transA ? 1 : lda, transA ? lda : 1),
                new GemmOperand<T>(pb, 0, transB ? 1 : ldb, transB ? ldb : 1),
                new GemmOperand<T>(pc, 0, ldc, 1),
                1, m, n, k, alpha, beta, threads > 0 ? threads : Environment.ProcessorCount);
        }
    }

    /// <summary>A rows × cols row-major matrix with leading dimension ld needs (rows - 1)·ld + cols elements.</summary>
    private static void Require(int length, int rows, int cols, int ld, string name, string ldName)
    {
        if (rows > 0 && cols > 0 && ld < cols)
            throw new ArgumentException($"Gemm: {ldName} must be >= {cols} (the row length of {name}), got {ld}.", ldName);
        var need = rows == 0 || cols == 0 ? 0 : (long)(rows - 1) * ld + cols;
        if (length < need)
            throw new ArgumentException($"Gemm: {name} needs at least {need} elements for {rows}x{cols} with {ldName} = {ld}, got {length}.", name);
    }

    private static void Dispatch<T>(GemmPath path, GemmOperand<T> a, GemmOperand<T> b, GemmOperand<T> c,
        int batch, int m, int n, int k, T alpha, T beta, int threads) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (path == GemmPath.Auto)
            path = Vector512.IsHardwareAccelerated ? GemmPath.V512
                : Vector256.IsHardwareAccelerated ? GemmPath.V256 : GemmPath.V128;
        switch (path)
        {
            case GemmPath.V512:
                GemmDriver<T, GemmTile8<T, Vector512<T>, GemmV512<T>>>.Run(a, b, c, batch, m, n, k, alpha, beta, threads);
                break;
            case GemmPath.V256:
                GemmDriver<T, GemmTile6<T, Vector256<T>, GemmV256<T>>>.Run(a, b, c, batch, m, n, k, alpha, beta, threads);
                break;
            default:
                if (AdvSimd.Arm64.IsSupported)
                    GemmDriver<T, GemmTile8<T, Vector128<T>, GemmV128<T>>>.Run(a, b, c, batch, m, n, k, alpha, beta, threads);
                else
                    GemmDriver<T, GemmTile6<T, Vector128<T>, GemmV128<T>>>.Run(a, b, c, batch, m, n, k, alpha, beta, threads);
                break;
        }
    }
}
