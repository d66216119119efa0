using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Scratch.Backends.Cpu;

/// <summary>A strided matrix operand: element (i, j) of batch p is at <c>Ptr[p·Batch + i·Row + j·Col]</c>.</summary>
internal readonly unsafe struct GemmOperand<T>(T* ptr, long batch, long row, long col) where T : unmanaged
{
    public readonly T* Ptr = ptr;
    public readonly long Batch = batch, Row = row, Col = col;
}

/// <summary>Cache-blocked GEMM driver (Goto/BLIS loop nest) around the register-tiled kernel <typeparamref name="K"/>:
/// C = α·A·B + β·C for [m, k]·[k, n] with any strides.</summary>
/// <remarks>
/// Loops: jc over NC-column blocks of B, pc over KC-deep slices (β applies to the first slice only), B's
/// KC×NC block packed once into NR-column panels shared by all threads, then tasks over (MC-row blocks of A ×
/// column sub-ranges of the block), each packing its A block into MR-row panels and sweeping micro-tiles jr (outer,
/// a B panel stays in L1) × ir (inner, the A block streams from L2). Ragged tiles run the same kernel into a stack
/// tile that is merged with α/β, so every shape takes the vector path. When M fits one row block (skinny M) each
/// task instead packs the B panels of its own column range just before using them (no shared pass, no extra
/// barrier). At most four columns with row-major A (matrix·vector) become vectorised dot products. Threads: many
/// small batches go one batch per task; a small output (≤ 128×128) with a deep K (e.g. a weight gradient) splits K
/// into one private slice per thread and sums the partial products; otherwise the 2-D task grid (row blocks rounded
/// to a multiple of the thread count, or column sub-ranges) gives all threads equal work. The hot loops are
/// compiled fully optimised up front (tiering would run them at a low tier for many calls).
/// Scratch panels come from <see cref="ArrayPool{T}"/>, so steady-state calls allocate no buffers.
/// </remarks>
internal static unsafe partial class GemmDriver<T, K> where T : unmanaged, IFloatingPointIeee754<T> where K : IGemmKernel<T>
{
    /// <summary>A block rows (MC·KC·sizeof(double) = 384 KiB ≤ half the 1 MiB L2).</summary>
    private const int MC = 192;

    /// <summary>Slice depth (a KC×NR B panel is 32 KiB in float on AVX-512, inside the 48 KiB L1d).</summary>
    private const int KC = 256;

    /// <summary>B block columns (KC·NC floats = 4 MiB, in L3).</summary>
    private const int NC = 4096;

    /// <summary>B panels a task packs at a time when it owns its columns (KC·4·NR floats = 128 KiB, in L2).</summary>
    private const int FusedPanels = 4;

    /// <summary>Flops under which threads cost more than they bring.</summary>
    private const double ParallelFlops = 1 << 18;

    /// <summary>c[p] = α·a[p]·b[p] + β·c[p] for p &lt; batch (C with unit column stride); picks the batch-parallel,
    /// dot-product, split-K or blocked schedule from the shape.</summary>
    public static void Run(GemmOperand<T> a, GemmOperand<T> b, GemmOperand<T> c, int batch, int m, int n, int k,
        T alpha, T beta, int threads)
    {
        if (batch <= 0 || m <= 0 || n <= 0) return;
        if (k == 0 || alpha == T.Zero)
        {
            for (var p = 0; p < batch; p++) Scale(c.Ptr + p * c.Batch, c.Row, c.Col, m, n, beta);
            return;
        }
        var flops = 2.0 * m * n * k;
        if (flops * batch < ParallelFlops) threads = 1;
        if (threads > 1 && batch >= threads && flops < 64.0 * MC * KC * K.NR)
        {
            // Many modest products: one whole product per task.
            var (pa, pb, pc) = (a, b, c);
            Parallel.For(0, batch, Options(threads), p => Blocked(
                pa.Ptr + p * pa.Batch, pa.Row, pa.Col, pb.Ptr + p * pb.Batch, pb.Row, pb.Col,
                pc.Ptr + p * pc.Batch, pc.Row, m, n, k, alpha, beta, 1));
            return;
        }
        for (var p = 0; p < batch; p++)
        {
            T* ap = a.Ptr + p * a.Batch, bp = b.Ptr + p * b.Batch, cp = c.Ptr + p * c.Batch;
            if (n <= 4 && a.Col == 1 && k >= 16)
                Dots(ap, a.Row, bp, b.Row, b.Col, cp, c.Row, m, n, k, alpha, beta, threads);
            else if (threads > 1 && (long)m * n <= 128 * 128 && k >= 2 * KC * threads)
                SplitK(ap, a.Row, a.Col, bp, b.Row, b.Col, cp, c.Row, m, n, k, alpha, beta, threads);
            else
                Blocked(ap, a.Row, a.Col, bp, b.Row, b.Col, cp, c.Row, m, n, k, alpha, beta, threads);
        }
    }

    private static ParallelOptions Options(int threads) => new() { MaxDegreeOfParallelism = threads };

    /// <summary>C = β·C (β = 0 writes zeros without reading C).</summary>
    private static void Scale(T* c, long ldc, long csc, int m, int n, T beta)
    {
        for (var i = 0; i < m; i++)
        for (var j = 0; j < n; j++)
        {
            var q = c + i * ldc + j * csc;
            *q = beta == T.Zero ? T.Zero : beta * *q;
        }
    }

    /// <summary>At most four columns (matrix·vector): a register tile would be mostly padding, so each C element is a
    /// vectorised dot product of a contiguous A row with a (packed) B column; rows split across threads.</summary>
    private static void Dots(T* a, long rsA, T* b, long rsB, long csB, T* c, long ldc, int m, int n, int k,
        T alpha, T beta, int threads)
    {
        var cols = ArrayPool<T>.Shared.Rent(n * k);
        try
        {
            for (var j = 0; j < n; j++)
            for (var p = 0; p < k; p++)
                cols[j * k + p] = b[p * rsB + j * csB];
            fixed (T* colsPtr = cols)
            {
                var bc = colsPtr;
                void Rows(int r0, int r1)
                {
                    for (var i = r0; i < r1; i++)
                    for (var j = 0; j < n; j++)
                    {
                        var dot = System.Numerics.Tensors.TensorPrimitives.Dot(new ReadOnlySpan<T>(a + i * rsA, k), new ReadOnlySpan<T>(bc + j * k, k));
                        var q = c + i * ldc + j;
                        *q = beta == T.Zero ? alpha * dot : alpha * dot + beta * *q;
                    }
                }
                var chunks = threads > 1 && 2.0 * m * n * k >= ParallelFlops ? Math.Min(m, 4 * threads) : 1;
                if (chunks == 1) Rows(0, m);
                else Parallel.For(0, chunks, Options(threads), t => Rows(m * t / chunks, m * (t + 1) / chunks));
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(cols);
        }
    }

    /// <summary>Small C, deep K: each thread multiplies its own K slice single-threaded (thread 0 straight into C
    /// with α, β; the others into pooled partials), then C += α·Σ partials.</summary>
    private static void SplitK(T* a, long rsA, long csA, T* b, long rsB, long csB, T* c, long ldc, int m, int n, int k,
        T alpha, T beta, int threads)
    {
        var chunk = (k + threads - 1) / threads;
        var size = m * n;
        var parts = ArrayPool<T>.Shared.Rent((threads - 1) * size);
        try
        {
            fixed (T* partsPtr = parts)
            {
                var pp = partsPtr;
                Parallel.For(0, threads, Options(threads), t =>
                {
                    var k0 = t * chunk;
                    var kk = Math.Min(chunk, k - k0);
                    T* dst = t == 0 ? c : pp + (t - 1) * size;
                    long ld = t == 0 ? ldc : n;
                    if (kk <= 0)
                    {
                        if (t > 0) new Span<T>(dst, size).Clear();
                        else Scale(c, ldc, 1, m, n, beta);
                        return;
                    }
                    Blocked(a + k0 * csA, rsA, csA, b + k0 * rsB, rsB, csB, dst, ld, m, n, kk,
                        t == 0 ? alpha : T.One, t == 0 ? beta : T.Zero, 1);
                });
                for (var t = 1; t < threads; t++)
                for (var i = 0; i < m; i++)
                {
                    var row = new Span<T>(c + i * ldc, n);
                    var part = new ReadOnlySpan<T>(pp + (t - 1) * size + i * n, n);
                    System.Numerics.Tensors.TensorPrimitives.FusedMultiplyAdd(part, alpha, row, row);
                }
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(parts);
        }
    }

    /// <summary>The blocked loop nest for one product (C row stride ldc, unit column stride).</summary>
    private static void Blocked(T* a, long rsA, long csA, T* b, long rsB, long csB, T* c, long ldc, int m, int n, int k,
        T alpha, T beta, int threads)
    {
        int mr = K.MR, nr = K.NR;
        var ncMax = Math.Min(n, NC);
        var panelsMax = (ncMax + nr - 1) / nr;
        var kcMax = Math.Min(k, KC);
        var tilesM = (m + MC - 1) / MC;
        var nsub = 1;
        // One row block: each B panel is used by one task only, so tasks pack their own panels just before use
        // (no shared packing pass; FusedPanels at a time, still in cache when used) and the columns split finely for balance.
        var fuseB = tilesM == 1;
        if (fuseB)
            nsub = threads > 1 ? Math.Min(panelsMax, 2 * threads) : 1;
        else if (threads > 1 && tilesM % threads != 0 && m / ((tilesM + threads - 1) / threads * threads) >= MC / 2)
            tilesM = (tilesM + threads - 1) / threads * threads; // equal row blocks, one A packing each
        else if (threads > 1 && tilesM < 4 * threads && tilesM % threads != 0)
            nsub = Math.Min(panelsMax, threads / (int)BigInteger.GreatestCommonDivisor(tilesM, threads));
        if (tilesM * nsub == 1) threads = 1;
        var mc = ((m + tilesM - 1) / tilesM + mr - 1) / mr * mr;
        var bBuf = ArrayPool<T>.Shared.Rent((fuseB ? 1 : panelsMax) * nr * kcMax);
        try
        {
            fixed (T* bPacked = bBuf)
            {
                var bpk = bPacked;
                for (var jc = 0; jc < n; jc += NC)
                {
                    var nc = Math.Min(NC, n - jc);
                    var panels = (nc + nr - 1) / nr;
                    for (var pc = 0; pc < k; pc += KC)
                    {
                        var kc = Math.Min(KC, k - pc);
                        var betaNow = pc == 0 ? beta : T.One;
                        T* bSrc = b + pc * rsB + jc * csB;
                        if (!fuseB && threads > 1 && (long)kc * nc >= 1 << 15)
                        {
                            var groups = Math.Min(panels, threads * 4);
                            Parallel.For(0, groups, Options(threads), g =>
                                PackB(bSrc, rsB, csB, kc, nc, panels * g / groups, panels * (g + 1) / groups, bpk));
                        }
                        else if (!fuseB)
                        {
                            PackB(bSrc, rsB, csB, kc, nc, 0, panels, bpk);
                        }
                        T* aSrc = a + pc * csA;
                        T* cBlk = c + jc;
                        var tasks = tilesM * nsub;
                        void Task(int t)
                        {
                            var (im, js) = (t / nsub, t % nsub);
                            var i0 = im * mc;
                            var rows = Math.Min(mc, m - i0);
                            int p0 = panels * js / nsub, p1 = panels * (js + 1) / nsub;
                            if (rows <= 0 || p1 <= p0) return;
                            var aBuf = ArrayPool<T>.Shared.Rent(mc * kc + (fuseB ? FusedPanels * nr * kc : 0));
                            fixed (T* aPacked = aBuf)
                            {
                                PackA(aSrc + i0 * rsA, rsA, csA, rows, kc, aPacked);
                                if (fuseB)
                                {
                                    T* panel = aPacked + mc * kc;
                                    for (var jp = p0; jp < p1; jp += FusedPanels)
                                    {
                                        var g = Math.Min(FusedPanels, p1 - jp);
                                        var cols = Math.Min(g * nr, nc - jp * nr);
                                        PackB(bSrc + jp * nr * csB, rsB, csB, kc, cols, 0, g, panel);
                                        Macro(aPacked, panel, rows, cols, kc, cBlk + i0 * ldc + jp * nr, ldc, alpha, betaNow);
                                    }
                                }
                                else
                                {
                                    var cols = Math.Min(nc, p1 * nr) - p0 * nr;
                                    Macro(aPacked, bpk + p0 * nr * kc, rows, cols, kc, cBlk + i0 * ldc + p0 * nr, ldc, alpha, betaNow);
                                }
                            }
                            ArrayPool<T>.Shared.Return(aBuf);
                        }
                        if (threads > 1) Parallel.For(0, tasks, Options(threads), Task);
                        else for (var t = 0; t < tasks; t++) Task(t);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(bBuf);
        }
    }

    /// <summary>Sweeps the micro-tiles of one packed A block × a run of packed B panels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Macro(T* ap, T* bp, int rows, int cols, int kc, T* c, long ldc, T alpha, T beta)
    {
        int mr = K.MR, nr = K.NR;
        var tile = stackalloc T[mr * nr];
        for (var jr = 0; jr < cols; jr += nr)
        {
            var nv = Math.Min(nr, cols - jr);
            T* bPanel = bp + jr * kc;
            for (var ir = 0; ir < rows; ir += mr)
            {
                var mv = Math.Min(mr, rows - ir);
                T* aPanel = ap + ir * kc;
                T* cTile = c + ir * ldc + jr;
                if (mv == mr && nv == nr)
                {
                    K.Tile(aPanel, bPanel, kc, cTile, ldc, alpha, beta);
                    continue;
                }
                K.Tile(aPanel, bPanel, kc, tile, nr, alpha, T.Zero);
                for (var i = 0; i < mv; i++)
                for (var j = 0; j < nv; j++)
                {
                    var q = cTile + i * ldc + j;
                    *q = beta == T.Zero ? tile[i * nr + j] : tile[i * nr + j] + beta * *q;
                }
            }
        }
    }
}
