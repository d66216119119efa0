using System.Numerics;
using System.Numerics.Tensors;

namespace Scratch.Backends.Cpu;

/// <summary>Host GEMM: C = A·B per batch. Packs each operand to row-major, then runs row-parallel i-k-j
/// fused-multiply-add over rows of B (or dot products against packed Bᵀ when N is small).</summary>
/// <remarks>This is the seam for the cache-blocked, register-tiled kernel: callers only see
/// <see cref="Batched{T}"/>.</remarks>
internal static class Gemm
{
    public static void Batched<T>(Tensor a, Tensor b, Tensor c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int batch = c.Size(0), m = c.Size(1), n = c.Size(2), k = a.Size(2);
        var cv = c.HostArray<T>();
        var av = a.HostArray<T>();
        var bv = b.HostArray<T>();
        var packA = new T[(long)m * k];
        var packB = new T[(long)k * n];
        var smallN = n < 16;
        for (var p = 0; p < batch; p++)
        {
            Pack(av, a.Offset + p * a.Stride(0), m, k, a.Stride(1), a.Stride(2), packA);
            if (smallN)
                Pack(bv, b.Offset + p * b.Stride(0), n, k, b.Stride(2), b.Stride(1), packB);
            else
                Pack(bv, b.Offset + p * b.Stride(0), k, n, b.Stride(1), b.Stride(2), packB);
            var cOff = c.Offset + (long)p * m * n;
            var work = (long)m * n * k;
            void Row(int i)
            {
                var arow = new ReadOnlySpan<T>(packA, i * k, k);
                var crow = new Span<T>(cv, (int)(cOff + (long)i * n), n);
                if (smallN)
                {
                    for (var j = 0; j < n; j++) crow[j] = TensorPrimitives.Dot(arow, new ReadOnlySpan<T>(packB, j * k, k));
                    return;
                }
                crow.Clear();
                for (var q = 0; q < k; q++)
                {
                    var s = arow[q];
                    if (s == T.Zero) continue;
                    TensorPrimitives.FusedMultiplyAdd(new ReadOnlySpan<T>(packB, q * n, n), s, crow, crow);
                }
            }
            if (work >= 1 << 16 && m > 1)
                Parallel.For(0, m, Row);
            else
                for (var i = 0; i < m; i++) Row(i);
        }
    }

    /// <summary>dst[r, c] = src[offset + r·rowStride + c·colStride] into a dense rows×cols buffer.</summary>
    private static void Pack<T>(T[] src, long offset, int rows, int cols, long rowStride, long colStride, T[] dst)
    {
        for (var r = 0; r < rows; r++)
        {
            var o = offset + r * rowStride;
            if (colStride == 1)
                Array.Copy(src, o, dst, (long)r * cols, cols);
            else
                for (var c = 0; c < cols; c++) dst[(long)r * cols + c] = src[o + c * colStride];
        }
    }
}
