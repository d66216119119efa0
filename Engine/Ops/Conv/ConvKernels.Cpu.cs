using System.Buffers;
using System.Numerics;
using Scratch.Backends.Cpu;

namespace Scratch.Ops;

/// <summary>The Cpu convolution kernels: depthwise convs take the direct kernels of ConvKernels.Depthwise.cs; a
/// pointwise (1×1, stride 1, unpadded) conv is one GEMM per image and group on the input itself; any other conv
/// is lowered with im2col a block of output columns at a time (the block stays in cache between the lowering and
/// the GEMM), in independent tasks that each run a single-threaded <see cref="Gemm.Run{T}"/>; with fewer images than threads and
/// a small plane the output channels are split over the threads instead. An optional epilogue (a fused
/// per-channel affine, residual and ReLU) runs on each task's output block after its GEMM.</summary>
/// <remarks>A stride-1 input gradient is the forward conv of the output gradient with the flipped, transposed
/// filters. Tasks: the forward runs over (image, group, column block); the strided input gradient over (image, group,
/// channel chunk), so the col2im of different tasks touches disjoint channels; the weight gradient lowers each
/// (image, column block) over channel chunks in parallel, then runs one threaded GEMM per group into dW (β = 1). Column buffers
/// come from <see cref="ArrayPool{T}"/>.</remarks>
internal static partial class ConvKernels
{
    // The tunables below are per-thread overrides of their defaults, read on the thread that calls the kernel: a
    // test that lowers one to exercise a schedule changes no other test's schedule (and so its rounding).

    /// <summary>Multiply-accumulates under which a conv runs on one thread (2¹⁷ unless set on this thread); any
    /// value gives the same result, tests lower it to exercise the threaded schedules on small shapes.</summary>
    internal static long ParallelWork
    {
        get => t_parallelWork ?? 1 << 17;
        set => t_parallelWork = value;
    }

    [ThreadStatic] private static long? t_parallelWork;

    /// <summary>Elements of one task's column block, rows × columns (2¹⁹ unless set on this thread); any value ≥ 1
    /// gives the same result, tests lower it to exercise the blocking.</summary>
    internal static long ColumnBudget
    {
        get => t_columnBudget ?? 1 << 19;
        set => t_columnBudget = value;
    }

    [ThreadStatic] private static long? t_columnBudget;

    /// <summary>Fewest columns of a block while the budget allows it (narrower blocks repack the weights more
    /// often than they save cache misses).</summary>
    private const int MinBlockColumns = 192;

    private static int Threads(in ConvGeometry g) => g.Work >= ParallelWork ? Environment.ProcessorCount : 1;

    /// <summary>Columns per block for a column matrix of <paramref name="rows"/> rows.</summary>
    private static int BlockColumns(int rows, int l) => BlockColumns(rows, l, ColumnBudget);

    /// <summary>Columns per block for a column matrix of <paramref name="rows"/> rows within
    /// <paramref name="budget"/> elements (read on the calling thread, for use inside tasks).</summary>
    private static int BlockColumns(int rows, int l, long budget)
    {
        var cols = (int)Math.Clamp(budget / Math.Max(1, rows), 1, l);
        if (budget >= (long)rows * MinBlockColumns) cols = Math.Max(cols, Math.Min(l, MinBlockColumns));
        if (cols >= 32 && cols < l) cols &= ~15;
        return cols;
    }

    /// <summary>Runs body(0 … count − 1) on up to <paramref name="threads"/> threads.</summary>
    private static void Tasks(int count, int threads, Action<int> body)
    {
        if (threads > 1 && count > 1)
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads }, body);
        else
            for (var i = 0; i < count; i++) body(i);
    }

    private static bool IsDepthwise(in ConvGeometry g) => g.CinG == 1 && g.CoutG == 1;

    /// <summary>Per image and group: y[n, g] [CoutG, L] = W_g [CoutG, K] · im2col(x[n, g]) [K, L], then the
    /// optional epilogue on each task's output block while it is still in cache.</summary>
    private static void CpuForward<T>(Tensor x, Tensor w, Tensor y, ConvGeometry g, ConvEpilogue<T>? ep = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var ya = y.HostArray<T>();
        if (IsDepthwise(g))
        {
            DepthwiseForward<T>(x, w, y, g);
            if (ep is not null)
                Tasks(g.N * g.Cout, Threads(g), t => ep.Apply(ya, g, t / g.Cout, t % g.Cout, 1, 0, g.L));
            return;
        }
        var (xa, wa) = (x.HostArray<T>(), w.HostArray<T>());
        var (xo, wo) = ((int)x.Offset, (int)w.Offset);
        int hw = g.H * g.W, threads = Threads(g);
        if (UseWide(g))
        {
            WideForward(xa, xo, wa, wo, ya, g, threads, ep);
            return;
        }
        if (threads > 1 && g.N * g.Groups < threads && (!g.IsPointwise || g.L <= SmallColumns)
            && (g.IsPointwise || BlockColumns(g.K, g.L) >= g.L))
        {
            SplitRowsForward(xa, xo, wa, wo, ya, g, threads, ep);
            return;
        }
        if (g.IsPointwise)
        {
            var perImage = g.N * g.Groups >= threads ? 1 : threads;
            Tasks(g.N * g.Groups, threads / perImage, t =>
            {
                int n = t / g.Groups, grp = t % g.Groups;
                Gemm.Run(false, false, g.CoutG, g.L, g.K, T.One, wa.AsSpan(wo + grp * g.CoutG * g.K), g.K,
                    xa.AsSpan(xo + (n * g.Cin + grp * g.CinG) * hw), g.L, T.Zero,
                    ya.AsSpan((n * g.Cout + grp * g.CoutG) * g.L), g.L, perImage);
                if (perImage == 1) ep?.Apply(ya, g, n, grp * g.CoutG, g.CoutG, 0, g.L);
            });
            if (ep is not null && perImage > 1)
                Tasks(g.N * g.Cout, threads, t => ep.Apply(ya, g, t / g.Cout, t % g.Cout, 1, 0, g.L));
            return;
        }
        var lb = BlockColumns(g.K, g.L);
        var blocks = (g.L + lb - 1) / lb;
        if (threads > 1 && blocks > 1 && g.N * g.Groups * blocks < 8 * threads)
        {
            // Few tasks: equal blocks in a multiple of the thread count, so no thread waits on a ragged last one.
            blocks = (blocks + threads - 1) / threads * threads;
            lb = Math.Min(g.L, ((g.L + blocks - 1) / blocks + 15) & ~15);
            blocks = (g.L + lb - 1) / lb;
        }
        var tasks = g.N * g.Groups * blocks;
        var gemmThreads = tasks >= threads ? 1 : threads;
        Tasks(tasks, threads / gemmThreads, t =>
        {
            int b = t % blocks, grp = t / blocks % g.Groups, n = t / blocks / g.Groups;
            int l0 = b * lb, nl = Math.Min(lb, g.L - l0);
            var col = ArrayPool<T>.Shared.Rent(g.K * nl);
            Im2Col.LowerCols<T>(xa.AsSpan(xo + (n * g.Cin + grp * g.CinG) * hw, g.CinG * hw), g.CinG, g, l0, nl,
                col, nl);
            Gemm.Run(false, false, g.CoutG, nl, g.K, T.One, wa.AsSpan(wo + grp * g.CoutG * g.K), g.K, col, nl,
                T.Zero, ya.AsSpan((n * g.Cout + grp * g.CoutG) * g.L + l0), g.L, gemmThreads);
            ep?.Apply(ya, g, n, grp * g.CoutG, g.CoutG, l0, nl);
            ArrayPool<T>.Shared.Return(col);
        });
    }

    /// <summary>Output planes of at most this many positions (a 14×14 map) split a pointwise conv over output
    /// channels when there are fewer images than threads.</summary>
    private const int SmallColumns = 256;

    /// <summary>Few images (fewer than threads) with a small output plane (the 14×14 and 7×7 stages of a
    /// backbone at batch 1): the column matrix of each image is lowered whole (channel chunks in parallel), then
    /// each task multiplies one slice of the output channels single-threaded over the full depth. One barrier per
    /// phase instead of one per depth slice of a threaded GEMM whose N (the plane) is too narrow to share.</summary>
    private static void SplitRowsForward<T>(T[] xa, int xo, T[] wa, int wo, T[] ya, in ConvGeometry g, int threads,
        ConvEpilogue<T>? ep) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int hw = g.H * g.W, images = g.N * g.Groups, khw = g.KH * g.KW;
        var geo = g;
        T[]? col = null;
        if (!g.IsPointwise)
        {
            col = ArrayPool<T>.Shared.Rent(images * g.K * g.L);
            var cc = ChannelChunk(g.CinG, images, threads);
            var chunks = (g.CinG + cc - 1) / cc;
            Tasks(images * chunks, threads, t =>
            {
                int ch = t % chunks, img = t / chunks, n = img / geo.Groups, grp = img % geo.Groups;
                int c0 = ch * cc, nc = Math.Min(cc, geo.CinG - c0);
                Im2Col.LowerCols<T>(xa.AsSpan(xo + (n * geo.Cin + grp * geo.CinG + c0) * hw, nc * hw), nc, geo, 0,
                    geo.L, col.AsSpan((img * geo.K + c0 * khw) * geo.L), geo.L);
            });
        }
        // Row slices in multiples of 8 (the micro-kernel height), one per thread.
        var rows = Math.Max(8, ((g.CoutG + threads - 1) / threads + 7) & ~7);
        var slices = (g.CoutG + rows - 1) / rows;
        Tasks(images * slices, threads, t =>
        {
            int s = t % slices, img = t / slices, n = img / geo.Groups, grp = img % geo.Groups;
            int r0 = s * rows, nr = Math.Min(rows, geo.CoutG - r0);
            ReadOnlySpan<T> b = col is null
                ? xa.AsSpan(xo + (n * geo.Cin + grp * geo.CinG) * hw, geo.K * geo.L)
                : col.AsSpan(img * geo.K * geo.L, geo.K * geo.L);
            Gemm.Run(false, false, nr, geo.L, geo.K, T.One, wa.AsSpan(wo + (grp * geo.CoutG + r0) * geo.K), geo.K,
                b, geo.L, T.Zero, ya.AsSpan((n * geo.Cout + grp * geo.CoutG + r0) * geo.L), geo.L, 1);
            ep?.Apply(ya, geo, n, grp * geo.CoutG + r0, nr, 0, geo.L);
        });
        if (col is not null) ArrayPool<T>.Shared.Return(col);
    }

    /// <summary>Splits <paramref name="channels"/> into chunks so that <paramref name="outer"/>·chunks tasks keep
    /// <paramref name="threads"/> threads busy; returns the chunk size.</summary>
    private static int ChannelChunk(int channels, int outer, int threads)
    {
        if (threads <= 1) return channels;
        var chunks = Math.Clamp((2 * threads + outer - 1) / outer, 1, channels);
        return (channels + chunks - 1) / chunks;
    }

    /// <summary>Per image, group and channel chunk: dcol [cc·KH·KW, L] = W_g[:, chunk]ᵀ · gy[n, g] a column block
    /// at a time, each block added into gx with col2im (written directly by one GEMM for a pointwise conv).</summary>
    private static void CpuInputGrad<T>(Tensor gy, Tensor w, Tensor gx, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (FlippedGeometry(g) is { } fg && (UseWide(fg) || (long)g.N * g.L >= FlipMinPositions))
        {
            // Stride 1: gx is the forward conv of gy with the flipped, transposed filters (no col2im or scatter).
            if (UseWide(fg))
            {
                WideForward(gy.HostArray<T>(), (int)gy.Offset, w.HostArray<T>(), (int)w.Offset, gx.HostArray<T>(), fg,
                    Threads(fg), null, flipped: true);
                return;
            }
            var wf = FlipTranspose<T>(w, g);
            CpuForward<T>(gy, wf, gx, fg);
            return;
        }
        if (IsDepthwise(g))
        {
            gx.HostArray<T>().AsSpan((int)gx.Offset, (int)gx.Numel).Clear();
            DepthwiseInputGrad<T>(gy, w, gx, g);
            return;
        }
        var (ga, wa, xa) = (gy.HostArray<T>(), w.HostArray<T>(), gx.HostArray<T>());
        var (go, wo) = ((int)gy.Offset, (int)w.Offset);
        int hw = g.H * g.W, threads = Threads(g), khw = g.KH * g.KW;
        if (g.IsPointwise)
        {
            var perImage = g.N * g.Groups >= threads ? 1 : threads;
            Tasks(g.N * g.Groups, threads / perImage, t =>
            {
                int n = t / g.Groups, grp = t % g.Groups;
                Gemm.Run(true, false, g.CinG, g.L, g.CoutG, T.One, wa.AsSpan(wo + grp * g.CoutG * g.K), g.K,
                    ga.AsSpan(go + (n * g.Cout + grp * g.CoutG) * g.L), g.L, T.Zero,
                    xa.AsSpan((n * g.Cin + grp * g.CinG) * hw), g.L, perImage);
            });
            return;
        }
        if (g.N > 1 && InputGradAcrossImages(g, threads))
        {
            CpuInputGradAcrossImages<T>(ga, go, wa, wo, xa, g, threads);
            return;
        }
        var cc = ChannelChunk(g.CinG, g.N * g.Groups, threads);
        var chunks = (g.CinG + cc - 1) / cc;
        var tasks = g.N * g.Groups * chunks;
        var budget = ColumnBudget;
        var gemmThreads = tasks >= threads ? 1 : threads;
        Tasks(tasks, threads / gemmThreads, t =>
        {
            int ch = t % chunks, grp = t / chunks % g.Groups, n = t / chunks / g.Groups;
            int c0 = ch * cc, nc = Math.Min(cc, g.CinG - c0), rows = nc * khw;
            var lb = BlockColumns(rows, g.L, budget);
            var col = ArrayPool<T>.Shared.Rent(rows * lb);
            var dst = xa.AsSpan((n * g.Cin + grp * g.CinG + c0) * hw, nc * hw);
            dst.Clear(); // col2im adds into it
            for (var l0 = 0; l0 < g.L; l0 += lb)
            {
                var nl = Math.Min(lb, g.L - l0);
                Gemm.Run(true, false, rows, nl, g.CoutG, T.One, wa.AsSpan(wo + grp * g.CoutG * g.K + c0 * khw), g.K,
                    ga.AsSpan(go + (n * g.Cout + grp * g.CoutG) * g.L + l0), g.L, T.Zero, col, nl, gemmThreads);
                Im2Col.RaiseCols<T>(col, nl, nc, g, l0, nl, dst);
            }
            ArrayPool<T>.Shared.Return(col);
        });
    }

    /// <summary>Output positions (N·OH·OW) from which a stride-1 input gradient that the wide kernel does not take
    /// runs as the forward conv with flipped filters; below it, copying the flipped filters costs more than the
    /// col2im it saves (3×3 512→512 at 8×8, batch 2), so the transposed GEMM + col2im path runs.</summary>
    internal static long FlipMinPositions
    {
        get => t_flipMinPositions ?? 1024;
        set => t_flipMinPositions = value;
    }

    [ThreadStatic] private static long? t_flipMinPositions;

    /// <summary>For a stride-1 conv whose padding is at most the dilated kernel extent, the geometry of the conv
    /// gx = conv(gy, flip(w)ᵀ) with padding D·(K − 1) − P that computes its input gradient; null otherwise.</summary>
    private static ConvGeometry? FlippedGeometry(in ConvGeometry g)
    {
        if (g.SH != 1 || g.SW != 1 || g.IsPointwise) return null;
        int ph = g.DH * (g.KH - 1) - g.PH, pw = g.DW * (g.KW - 1) - g.PW;
        if (ph < 0 || pw < 0) return null;
        if (ConvGeometry.OutSize(g.OH, g.KH, 1, ph, g.DH) != g.H || ConvGeometry.OutSize(g.OW, g.KW, 1, pw, g.DW) != g.W)
            return null;
        return new ConvGeometry(g.N, g.Cout, g.OH, g.OW, g.Cin, g.H, g.W, g.KH, g.KW, 1, 1, ph, pw, g.DH, g.DW,
            g.Groups);
    }

    /// <summary>wf [G·CinG, CoutG, KH, KW] with wf[g·CinG + ci, co, i, j] = w[g·CoutG + co, ci, KH−1−i, KW−1−j],
    /// written in order (one task per output row block of wf).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static Tensor FlipTranspose<T>(Tensor w, in ConvGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var wf = Tensor.Uninitialized(new Shape(g.Cin, g.CoutG, g.KH, g.KW), w.DType, w.Device);
        var (src, so, dst) = (w.HostArray<T>(), (int)w.Offset, wf.HostArray<T>());
        var geo = g;
        Tasks(g.Cin, (long)g.Cin * g.CoutG * g.KH * g.KW >= 1 << 16 ? Threads(g) : 1, row =>
        {
            int grp = row / geo.CinG, ci = row % geo.CinG, khw = geo.KH * geo.KW;
            for (var co = 0; co < geo.CoutG; co++)
            {
                var s = so + ((grp * geo.CoutG + co) * geo.CinG + ci) * khw;
                var d = (row * geo.CoutG + co) * khw;
                for (var t = 0; t < khw; t++) dst[d + khw - 1 - t] = src[s + t];
            }
        });
        return wf;
    }

    /// <summary>Per image and column block: gw_g [CoutG, CinG·KH·KW] += gy[n, g] [CoutG, block] ·
    /// im2col(x[n, g])[:, block]ᵀ (β = 0 for the first block, which overwrites the unzeroed gradient, then 1), the lowering split over channel chunks and
    /// each GEMM over all threads; a pointwise conv multiplies by the input itself.</summary>
    private static void CpuWeightGrad<T>(Tensor x, Tensor gy, Tensor gw, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (IsDepthwise(g))
        {
            gw.HostArray<T>().AsSpan((int)gw.Offset, (int)gw.Numel).Clear();
            DepthwiseWeightGrad<T>(x, gy, gw, g);
            return;
        }
        var (xa, ga, wa) = (x.HostArray<T>(), gy.HostArray<T>(), gw.HostArray<T>());
        var (xo, go) = ((int)x.Offset, (int)gy.Offset);
        int hw = g.H * g.W, threads = Threads(g), khw = g.KH * g.KW;
        if (g.IsPointwise)
        {
            var perGroup = g.Groups >= threads ? 1 : threads;
            Tasks(g.Groups, threads / perGroup, grp =>
            {
                for (var n = 0; n < g.N; n++)
                    Gemm.Run(false, true, g.CoutG, g.CinG, g.L, T.One,
                        ga.AsSpan(go + (n * g.Cout + grp * g.CoutG) * g.L), g.L,
                        xa.AsSpan(xo + (n * g.Cin + grp * g.CinG) * hw), g.L, n == 0 ? T.Zero : T.One,
                        wa.AsSpan(grp * g.CoutG * g.K), g.K, perGroup);
            });
            return;
        }
        if (UseWideWeightGrad(g))
        {
            WideWeightGrad(xa, xo, ga, go, wa, g, threads);
            return;
        }
        // Per image and column block: lower every input channel at once (channel chunks in parallel), then one
        // threaded GEMM per group over the whole depth of that block, accumulating into dW (β = 1).
        var lb = WeightGradColumns(g.Cin * khw, g.L);
        var col = ArrayPool<T>.Shared.Rent(g.Cin * khw * lb);
        var cc = ChannelChunk(g.Cin, 1, threads);
        var chunks = (g.Cin + cc - 1) / cc;
        var geo = g;
        for (var n = 0; n < g.N; n++)
        for (var l0 = 0; l0 < g.L; l0 += lb)
        {
            int nl = Math.Min(lb, g.L - l0), img = n, start = l0;
            Tasks(chunks, threads, ch =>
            {
                int c0 = ch * cc, nc = Math.Min(cc, geo.Cin - c0);
                Im2Col.LowerCols<T>(xa.AsSpan(xo + (img * geo.Cin + c0) * hw, nc * hw), nc, geo, start, nl,
                    col.AsSpan(c0 * khw * nl), nl);
            });
            for (var grp = 0; grp < g.Groups; grp++)
                Gemm.Run(false, true, g.CoutG, g.K, nl, T.One,
                    ga.AsSpan(go + (n * g.Cout + grp * g.CoutG) * g.L + l0), g.L, col.AsSpan(grp * g.K * nl), nl,
                    n == 0 && l0 == 0 ? T.Zero : T.One, wa.AsSpan(grp * g.CoutG * g.K), g.K, threads);
        }
        ArrayPool<T>.Shared.Return(col);
    }

    /// <summary>Elements of the weight gradient's column block (2²⁰ unless set on this thread): deep enough that
    /// each GEMM amortises its packing, small enough (4 MiB in float) to stay in L2 + L3 between the lowering and
    /// the GEMM.</summary>
    internal static long WeightGradBudget
    {
        get => t_weightGradBudget ?? 1 << 20;
        set => t_weightGradBudget = value;
    }

    [ThreadStatic] private static long? t_weightGradBudget;

    /// <summary>Columns per weight-gradient block for <paramref name="rows"/> column-matrix rows: the budget's
    /// share, a multiple of 16 when narrower than the plane.</summary>
    private static int WeightGradColumns(int rows, int l)
    {
        var cols = (int)Math.Clamp(WeightGradBudget / Math.Max(1, rows), 1, l);
        if (cols >= 32 && cols < l) cols &= ~15;
        return cols;
    }
}
