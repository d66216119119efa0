using System.Numerics;

namespace Scratch.Ops;

internal static partial class ConvKernels
{
    /// <summary>Batch images processed in parallel when the multiply-accumulate count reaches this.</summary>
    private const long ParallelWork = 1 << 17;

    /// <summary>Upper bound on the elements of one wide column matrix in <see cref="CpuWeightGrad{T}"/> (images
    /// beyond it are processed in further chunks and accumulated). Any value ≥ 1 gives the same result; tests lower
    /// it to exercise the chunking.</summary>
    internal static long ColumnBudget { get; set; } = 1 << 22;

    /// <summary>A [1, rows, cols] matrix view over <paramref name="t"/>'s storage for the backend GEMM.</summary>
    private static Tensor Mat(Tensor t, long offset, int rows, int cols, long rowStride, long colStride) =>
        new(t.Storage, new Shape(1, rows, cols), [0, rowStride, colStride], offset);

    private static void ForEachImage(in ConvGeometry g, Action<int> body)
    {
        if (g.N > 1 && g.Work >= ParallelWork) Parallel.For(0, g.N, body);
        else for (var n = 0; n < g.N; n++) body(n);
    }

    /// <summary>Per image and group: y[n, g] [CoutG, L] = W_g [CoutG, K] · im2col(x[n, g]) [K, L]; for a
    /// pointwise conv the column matrix is x[n, g] itself.</summary>
    private static void CpuForward<T>(Tensor x, Tensor w, Tensor y, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var backend = x.Backend;
        var hw = g.H * g.W;
        ForEachImage(g, n =>
        {
            var col = g.IsPointwise ? null : Tensor.Empty(new Shape(1, g.K, g.L), x.DType, x.Device);
            for (var grp = 0; grp < g.Groups; grp++)
            {
                var xOff = x.Offset + ((long)n * g.Cin + grp * g.CinG) * hw;
                Tensor b;
                if (col is null)
                {
                    b = Mat(x, xOff, g.K, g.L, g.L, 1);
                }
                else
                {
                    Im2Col.Lower<T>(x.HostArray<T>().AsSpan((int)xOff, g.CinG * hw), g.CinG, g, col.HostArray<T>(),
                        g.L);
                    b = col;
                }
                var a = Mat(w, w.Offset + (long)grp * g.CoutG * g.K, g.CoutG, g.K, g.K, 1);
                var c = Mat(y, ((long)n * g.Cout + grp * g.CoutG) * g.L, g.CoutG, g.L, g.L, 1);
                backend.Matmul(a, b, c);
            }
        });
    }

    /// <summary>Per image and group: dcol [K, L] = W_gᵀ · gy[n, g], then col2im into gx[n, g] (written directly
    /// for a pointwise conv).</summary>
    private static void CpuInputGrad<T>(Tensor gy, Tensor w, Tensor gx, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var backend = gy.Backend;
        var hw = g.H * g.W;
        ForEachImage(g, n =>
        {
            var col = g.IsPointwise ? null : Tensor.Empty(new Shape(1, g.K, g.L), gy.DType, gy.Device);
            for (var grp = 0; grp < g.Groups; grp++)
            {
                var xOff = ((long)n * g.Cin + grp * g.CinG) * hw;
                var a = Mat(w, w.Offset + (long)grp * g.CoutG * g.K, g.K, g.CoutG, 1, g.K);
                var b = Mat(gy, gy.Offset + ((long)n * g.Cout + grp * g.CoutG) * g.L, g.CoutG, g.L, g.L, 1);
                if (col is null)
                {
                    backend.Matmul(a, b, Mat(gx, xOff, g.K, g.L, g.L, 1));
                    continue;
                }
                backend.Matmul(a, b, col);
                Im2Col.Raise<T>(col.HostArray<T>(), g.L, g.CinG, g, gx.HostArray<T>().AsSpan((int)xOff, g.CinG * hw));
            }
        });
    }

    /// <summary>Per group, over chunks of images: gw_g [CoutG, K] += gy[chunk, g] [CoutG, n·L] · cols [K, n·L]ᵀ,
    /// with the chunk's column matrices side by side in one wide matrix.</summary>
    private static void CpuWeightGrad<T>(Tensor x, Tensor gy, Tensor gw, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var backend = x.Backend;
        var hw = g.H * g.W;
        var chunk = (int)Math.Clamp(ColumnBudget / Math.Max(1L, (long)g.K * g.L), 1, g.N);
        var gwa = gw.HostArray<T>();
        var xa = x.HostArray<T>();
        var gya = gy.HostArray<T>();
        Tensor? partial = null;
        for (var n0 = 0; n0 < g.N; n0 += chunk)
        {
            var nb = Math.Min(chunk, g.N - n0);
            var ld = nb * g.L;
            var cols = Tensor.Empty(new Shape(1, g.K, ld), x.DType, x.Device);
            var gys = Tensor.Empty(new Shape(1, g.CoutG, ld), x.DType, x.Device);
            var (ca, ga) = (cols.HostArray<T>(), gys.HostArray<T>());
            for (var grp = 0; grp < g.Groups; grp++)
            {
                var grpCopy = grp;
                void Pack(int i)
                {
                    var n = n0 + i;
                    var xOff = (int)(x.Offset + ((long)n * g.Cin + grpCopy * g.CinG) * hw);
                    Im2Col.Lower<T>(xa.AsSpan(xOff, g.CinG * hw), g.CinG, g, ca.AsSpan(i * g.L), ld);
                    for (var co = 0; co < g.CoutG; co++)
                    {
                        var src = (int)(gy.Offset + ((long)n * g.Cout + grpCopy * g.CoutG + co) * g.L);
                        Array.Copy(gya, src, ga, co * ld + i * g.L, g.L);
                    }
                }
                if (nb > 1 && g.Work >= ParallelWork) Parallel.For(0, nb, Pack);
                else for (var i = 0; i < nb; i++) Pack(i);

                var a = Mat(gys, 0, g.CoutG, ld, ld, 1);
                var b = Mat(cols, 0, ld, g.K, 1, ld);
                var wOff = (long)grp * g.CoutG * g.K;
                if (n0 == 0)
                {
                    backend.Matmul(a, b, Mat(gw, wOff, g.CoutG, g.K, g.K, 1));
                    continue;
                }
                partial ??= Tensor.Empty(new Shape(1, g.CoutG, g.K), x.DType, x.Device);
                backend.Matmul(a, b, partial);
                var dst = gwa.AsSpan((int)wOff, g.CoutG * g.K);
                System.Numerics.Tensors.TensorPrimitives.Add(dst, partial.HostArray<T>().AsSpan(0, g.CoutG * g.K), dst);
            }
        }
    }
}
