using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using Scratch.Backends.Cpu;

namespace Scratch.Ops;

/// <summary>The "wide" direct kernel for stride-1 convolutions: no im2col and no packed input.</summary>
/// <remarks>
/// The input is copied once into zero-padded planes of width Wp = W + 2·PW (height Hp = H + 2·PH). Computing the
/// output over the padded width as well, at wide positions l = oh·Wp + ow (ow &lt; Wp, so Wp − OW columns per row are
/// discarded), makes every filter tap a constant shift of the flat plane: input element (oh + i·DH, ow + j·DW) sits
/// at l + i·DH·Wp + j·DW. So row k = (ci, i, j) of the implicit im2col matrix is the padded plane of channel ci read
/// from offset i·DH·Wp + j·DW, contiguous in l, and the conv is the GEMM y_wide [CoutG, OH·Wp] = W_g [CoutG, K] ·
/// B [K, OH·Wp] whose B rows are loaded straight from the padded input. The micro-kernel is the GEMM's 8 × 2-vector
/// register tile, its B rows addressed through a table of those K offsets. Blocking: K in channel chunks whose
/// weight slice stays in L2 (accumulating into a wide output buffer after the first chunk, whose valid columns are
/// then copied to y); within a chunk, each tile of 2 vectors of positions (its input rows in L1) meets every 8-row
/// weight panel. A conv whose whole depth is one chunk stores each tile's valid columns straight into y with masked
/// stores. Used when the discarded columns and tile padding cost at most a quarter more work; on 512-bit vectors (and ARM64's 32 128-bit
/// registers) only, where the 16 accumulators fit the register file.
/// </remarks>
internal static partial class ConvKernels
{
    /// <summary>Rows of the register tile (output channels).</summary>
    private const int WideMR = 8;

    /// <summary>Weight-slice elements per K chunk (CoutG·chunk·KH·KW ≤ this; 2¹⁷, 512 KiB in float, half the L2, unless
    /// set). Per thread, so a test that narrows it to exercise the chunking changes no other test's rounding.</summary>
    internal static int WideChunkBudget
    {
        get => t_wideChunkBudget > 0 ? t_wideChunkBudget : 1 << 17;
        set => t_wideChunkBudget = value;
    }

    [ThreadStatic] private static int t_wideChunkBudget;

    /// <summary>Whether the host has a vector unit the wide kernel is written for.</summary>
    private static bool WideSupported => Vector512.IsHardwareAccelerated || AdvSimd.Arm64.IsSupported;

    /// <summary>Whether <see cref="WideForward{T}"/> takes this conv: stride 1, not pointwise or depthwise (those
    /// have their own kernels), at most 1.25× the valid work once the discarded columns and the last tile's
    /// padding are counted, and either a depth K ≤ 1152 or a plane of ≥ 2048 wide positions (a deep conv on a
    /// small plane, e.g. 3×3 256@16, measured faster through im2col + GEMM).</summary>
    internal static bool UseWide(in ConvGeometry g) =>
        WideEnabled && WideSupported && g.SH == 1 && g.SW == 1 && !g.IsPointwise && !IsDepthwise(g)
        && g.OW > 0 && g.OH == g.H + 2 * g.PH - g.DH * (g.KH - 1) && g.OW == g.W + 2 * g.PW - g.DW * (g.KW - 1)
        && 4L * WidePositions(g) <= 5L * g.L && (g.K <= 1152 || WidePositions(g) >= 2048);

    /// <summary>Whether the weight gradient of a conv <see cref="UseWide"/> takes also runs on the wide grid: measured
    /// faster than im2col + GEMM for planes of ≥ 1024 wide positions with a depth K ≤ 576 (up to 64 channels at
    /// 3×3); deeper or smaller ones keep the GEMM, whose packed panels reuse better there.</summary>
    internal static bool UseWideWeightGrad(in ConvGeometry g) => UseWide(g) && g.K <= 576 && WidePositions(g) >= 1024;

    /// <summary>Positions the wide kernel computes per plane: OH·Wp rounded up to whole float tiles of 2 vectors
    /// (double tiles are half as wide, so this bounds both).</summary>
    private static long WidePositions(in ConvGeometry g) =>
        new WideGrid(g, 2 * (Vector512.IsHardwareAccelerated ? Vector512<float>.Count : Vector128<float>.Count)).LwPad;

    /// <summary>The wide grid of one conv for tiles of Nr positions: padded width Wp and plane size, wide positions
    /// Lw = OH·Wp in whole tiles (LwPad), the padded input's length (with slack for the last tile's reads past the
    /// final plane), and the output channels of a group in 8-row weight panels.</summary>
    private readonly struct WideGrid
    {
        public WideGrid(in ConvGeometry g, int nr)
        {
            Nr = nr;
            Wp = g.W + 2 * g.PW;
            Plane = (g.H + 2 * g.PH) * Wp;
            Lw = g.OH * Wp;
            Tiles = (Lw + nr - 1) / nr;
            LwPad = Tiles * nr;
            Planes = g.N * g.Cin * Plane;
            InputLength = Planes + (g.KW - 1) * g.DW + nr + LwPad;
            CoBlocks = (g.CoutG + WideMR - 1) / WideMR;
            CoPad = CoBlocks * WideMR;
        }

        public readonly int Nr, Wp, Plane, Lw, Tiles, LwPad, Planes, InputLength, CoBlocks, CoPad;

        /// <summary>Offsets of one group's K taps (ci, i, j), relative to its first channel's padded plane.</summary>
        public int[] TapOffsets(in ConvGeometry g)
        {
            var offs = new int[g.K];
            for (var ci = 0; ci < g.CinG; ci++)
            for (var i = 0; i < g.KH; i++)
            for (var j = 0; j < g.KW; j++)
                offs[(ci * g.KH + i) * g.KW + j] = ci * Plane + i * g.DH * Wp + j * g.DW;
            return offs;
        }

        /// <summary>A rented padded-input buffer whose slack past the planes is zero.</summary>
        public T[] RentInput<T>() where T : unmanaged
        {
            var xp = ArrayPool<T>.Shared.Rent(InputLength);
            xp.AsSpan(Planes, InputLength - Planes).Clear();
            return xp;
        }
    }

    /// <summary>Splits a task grid of <paramref name="outer"/> independent items into ranges of a first and a
    /// second loop (of <paramref name="first"/> and <paramref name="second"/> iterations), splitting the first as
    /// far as needed for 4 tasks per thread and then the second: the per-task range lengths and the range
    /// counts.</summary>
    private static (int FirstPer, int FirstSplit, int SecondPer, int SecondSplit) SplitTasks(int outer, int first,
        int second, int threads)
    {
        var wanted = threads > 1 ? 4 * threads : 1;
        var firstSplit = Math.Clamp((wanted + outer - 1) / outer, 1, first);
        var secondSplit = Math.Clamp((wanted + outer * firstSplit - 1) / (outer * firstSplit), 1, second);
        int firstPer = (first + firstSplit - 1) / firstSplit, secondPer = (second + secondSplit - 1) / secondSplit;
        return (firstPer, (first + firstPer - 1) / firstPer, secondPer, (second + secondPer - 1) / secondPer);
    }

    /// <summary>Switch for tests and benchmarks comparing with the im2col path (per thread, like
    /// <see cref="WideChunkBudget"/>); either value gives the same result up to rounding.</summary>
    internal static bool WideEnabled
    {
        get => !t_wideDisabled;
        set => t_wideDisabled = !value;
    }

    [ThreadStatic] private static bool t_wideDisabled;

    /// <summary>Whether a single-chunk wide conv stores its tiles' valid columns straight into y (else through the
    /// wide buffer and a copy; per thread, for tests and benchmarks). Either gives the same result.</summary>
    internal static bool WideDirectStores
    {
        get => !t_wideBuffered;
        set => t_wideBuffered = !value;
    }

    [ThreadStatic] private static bool t_wideBuffered;

    /// <summary>y = conv(x, w) for a stride-1 conv (see the type remarks), with the optional epilogue applied to
    /// each image's channels after their valid columns are copied out.</summary>
    /// <remarks>With <paramref name="flipped"/>, <paramref name="wa"/> holds the filters of the conv whose input
    /// gradient this is (g is then its flipped geometry): weight [g·CinG + ci, co, i, j] of this conv is read as
    /// w[g·CoutG' + co, ci, KH−1−i, KW−1−j] (CoutG' = this conv's CinG), so no flipped copy is made.</remarks>
    private static unsafe void WideForward<T>(T[] xa, int xo, T[] wa, int wo, T[] ya, in ConvGeometry g, int threads,
        ConvEpilogue<T>? ep, bool flipped = false) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Vector512.IsHardwareAccelerated)
            WideForward<T, Vector512<T>, GemmV512<T>>(xa, xo, wa, wo, ya, g, threads, ep, flipped);
        else
            WideForward<T, Vector128<T>, GemmV128<T>>(xa, xo, wa, wo, ya, g, threads, ep, flipped);
    }

    private static unsafe void WideForward<T, TV, V>(T[] xa, int xo, T[] wa, int wo, T[] ya, ConvGeometry g,
        int threads, ConvEpilogue<T>? ep, bool flipped)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where V : IGemmVector<T, TV>
    {
        var d = new WideGrid(g, 2 * V.Count);
        var images = g.N * g.Groups;
        var xp = d.RentInput<T>();
        var geo = g;
        // Weights packed per group into 8-row panels over the whole depth: panel b holds K groups of 8 values.
        var wpk = ArrayPool<T>.Shared.Rent(g.Groups * d.CoPad * g.K);
        Tasks(g.Groups * d.CoBlocks, threads,
            t => PackWidePanel(wa, wo, wpk, t / d.CoBlocks, t % d.CoBlocks, geo, flipped));
        var offs = d.TapOffsets(g);
        var chunk = Math.Clamp(WideChunkBudget / Math.Max(1, d.CoPad * g.KH * g.KW), 1, g.CinG);
        // One channel chunk: the tiles store their valid columns straight into y. Several: they accumulate into
        // the wide buffer, whose valid columns are copied out at the end.
        var wide = chunk == g.CinG && WideDirectStores ? null : ArrayPool<T>.Shared.Rent(images * d.CoPad * d.LwPad);
        if (images >= threads)
        {
            // An image·group per task: its padding, product and copy-out run back to back in this core's cache.
            Tasks(images, threads, img =>
            {
                int n = img / geo.Groups, grp = img % geo.Groups, c0 = n * geo.Cin + grp * geo.CinG;
                for (var c = c0; c < c0 + geo.CinG; c++) PadPlane(xa, xo + c * geo.H * geo.W, xp, c * d.Plane, geo);
                WideRange<T, TV, V>(xp, wpk, wide, ya, offs, geo, d, img, 0, d.Tiles, 0, d.CoBlocks, chunk);
                for (var co = grp * geo.CoutG; co < (grp + 1) * geo.CoutG; co++)
                {
                    if (wide is not null) WideCopyOut(wide, ya, geo, d, n, co);
                    ep?.Apply(ya, geo, n, co, 1, 0, geo.L);
                }
            });
        }
        else
        {
            // Few images: pad them, split each one's tiles and channel blocks over the threads (first the loop that
            // is outer in WideRange, so each task keeps its L1-resident operand longest), then copy out.
            Tasks(g.N * g.Cin, threads, t => PadPlane(xa, xo + t * geo.H * geo.W, xp, t * d.Plane, geo));
            var panelOuter = WeightPanelOuter(g, chunk);
            var (outerPer, outerSplit, innerPer, innerSplit) = panelOuter
                ? SplitTasks(images, d.CoBlocks, d.Tiles, threads)
                : SplitTasks(images, d.Tiles, d.CoBlocks, threads);
            var (blocksPer, coSplit, tilesPer, tileSplit) = panelOuter
                ? (outerPer, outerSplit, innerPer, innerSplit)
                : (innerPer, innerSplit, outerPer, outerSplit);
            Tasks(images * tileSplit * coSplit, threads, t =>
            {
                int cs = t % coSplit, ts = t / coSplit % tileSplit, img = t / coSplit / tileSplit;
                WideRange<T, TV, V>(xp, wpk, wide, ya, offs, geo, d, img, ts * tilesPer,
                    Math.Min(d.Tiles, (ts + 1) * tilesPer), cs * blocksPer, Math.Min(d.CoBlocks, (cs + 1) * blocksPer),
                    chunk);
            });
            if (wide is not null || ep is not null)
                Tasks(g.N * g.Cout, threads, t =>
                {
                    int n = t / geo.Cout, co = t % geo.Cout;
                    if (wide is not null) WideCopyOut(wide, ya, geo, d, n, co);
                    ep?.Apply(ya, geo, n, co, 1, 0, geo.L);
                });
        }
        if (wide is not null) ArrayPool<T>.Shared.Return(wide);
        ArrayPool<T>.Shared.Return(wpk);
        ArrayPool<T>.Shared.Return(xp);
    }

    /// <summary>Whether the padded planes of one channel chunk are small enough (≤ 512 KiB in float) to stay in L2
    /// while each weight panel sweeps all the tiles; otherwise each tile sweeps all the weight panels.</summary>
    private static bool WeightPanelOuter(in ConvGeometry g, int chunk) =>
        (long)chunk * (g.H + 2 * g.PH) * (g.W + 2 * g.PW) <= 1 << 17;

    /// <summary>Tiles [t0, t1) × channel blocks [b0, b1) of image·group <paramref name="img"/>'s wide output, over the
    /// whole depth in channel chunks (the first chunk overwrites, later ones accumulate). Small planes sweep all the
    /// tiles with each weight panel (kept in L1; the chunk's planes sit in L2), large ones all the weight panels
    /// with each tile (its input rows in L1; the chunk's weights in L2).</summary>
    private static unsafe void WideRange<T, TV, V>(T[] xp, T[] wpk, T[]? wide, T[] ya, int[] offs, in ConvGeometry g,
        in WideGrid d, int img, int t0, int t1, int b0, int b1, int chunk)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where V : IGemmVector<T, TV>
    {
        int khw = g.KH * g.KW, n = img / g.Groups, grp = img % g.Groups, tiles = t1 - t0, blocks = b1 - b0;
        var panelOuter = WeightPanelOuter(g, chunk);
        // The lane runs of each tile, computed once here rather than for every weight panel that meets the tile.
        const int stride = WideStoreSegments * 4 + 1;
        var runs = wide is null ? ArrayPool<int>.Shared.Rent(tiles * stride) : [];
        for (var t = 0; wide is null && t < tiles; t++)
            fixed (int* r = &runs[t * stride])
                r[stride - 1] = WideSegments(r, (t0 + t) * d.Nr, V.Count, g, d);
        fixed (int* pr = runs)
        fixed (T* px = xp)
        fixed (T* pw = wpk)
        fixed (T* pc = wide)
        fixed (T* py = ya)
        fixed (int* po = offs)
        {
            T* xg = px + (long)(n * g.Cin + grp * g.CinG) * d.Plane;
            T* cg = pc + (long)img * d.CoPad * d.LwPad;
            T* yg = py + (long)(n * g.Cout + grp * g.CoutG) * g.L;
            for (var c0 = 0; c0 < g.CinG; c0 += chunk)
            {
                int k0 = c0 * khw, kc = Math.Min(chunk, g.CinG - c0) * khw;
                for (var i = 0; i < tiles * blocks; i++)
                {
                    var (b, tile) = panelOuter ? (b0 + i / tiles, t0 + i % tiles) : (b0 + i % blocks, t0 + i / blocks);
                    T* a = pw + (long)(grp * d.CoPad + b * WideMR) * g.K + k0 * WideMR;
                    if (wide is null)
                    {
                        int* r = pr + (tile - t0) * stride;
                        var store = new WidePlaneStore<T, TV, V>
                        {
                            Plane = yg + (long)b * WideMR * g.L, Stride = g.L,
                            Rows = Math.Min(WideMR, g.CoutG - b * WideMR), Segments = r, Count = r[stride - 1],
                        };
                        WideTile<T, TV, V, WidePlaneStore<T, TV, V>>(a, xg + tile * d.Nr, po + k0, kc, ref store);
                    }
                    else
                    {
                        var store = new WideBufferStore<T, TV, V>
                        {
                            C = cg + (long)b * WideMR * d.LwPad + tile * d.Nr, Ldc = d.LwPad,
                            Beta = c0 > 0 ? T.One : T.Zero,
                        };
                        WideTile<T, TV, V, WideBufferStore<T, TV, V>>(a, xg + tile * d.Nr, po + k0, kc, ref store);
                    }
                }
            }
        }
        if (wide is null) ArrayPool<int>.Shared.Return(runs);
    }

    /// <summary>Copies the valid columns of output channel <paramref name="co"/> of image n from the wide output to
    /// y.</summary>
    private static void WideCopyOut<T>(T[] wide, T[] ya, in ConvGeometry g, in WideGrid d, int n, int co)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int grp = co / g.CoutG, r = co % g.CoutG;
        var src = wide.AsSpan(((n * g.Groups + grp) * d.CoPad + r) * d.LwPad);
        var dst = ya.AsSpan((n * g.Cout + co) * g.L, g.L);
        for (var oh = 0; oh < g.OH; oh++)
            src.Slice(oh * d.Wp, g.OW).CopyTo(dst.Slice(oh * g.OW, g.OW));
    }

    /// <summary>Packs rows [8b, 8b + 8) of group <paramref name="grp"/>'s [CoutG, K] weight matrix as K groups of
    /// 8 values (rows past CoutG are zero); <paramref name="flipped"/> reads them from the original conv's filters
    /// (see <see cref="WideForward{T}"/>).</summary>
    private static void PackWidePanel<T>(T[] wa, int wo, T[] wpk, int grp, int b, in ConvGeometry g, bool flipped)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int coPad = (g.CoutG + WideMR - 1) / WideMR * WideMR, khw = g.KH * g.KW;
        var dst = wpk.AsSpan((grp * coPad + b * WideMR) * g.K, WideMR * g.K);
        for (var r = 0; r < WideMR; r++)
        {
            var co = b * WideMR + r;
            if (co >= g.CoutG)
            {
                for (var k = 0; k < g.K; k++) dst[k * WideMR + r] = T.Zero;
            }
            else if (!flipped)
            {
                var src = wa.AsSpan(wo + (grp * g.CoutG + co) * g.K, g.K);
                for (var k = 0; k < g.K; k++) dst[k * WideMR + r] = src[k];
            }
            else
            {
                // This conv's row co is input channel co of the original conv, whose filters are [Cin', CoutG, KH, KW]
                // per group with Cin' = g.CinG output channels: element (ci, t) is w[grp·CinG + ci, co, KH·KW−1−t].
                for (var ci = 0; ci < g.CinG; ci++)
                {
                    var src = wa.AsSpan(wo + ((grp * g.CinG + ci) * g.CoutG + co) * khw, khw);
                    for (var t = 0; t < khw; t++) dst[(ci * khw + t) * WideMR + r] = src[khw - 1 - t];
                }
            }
        }
    }

    /// <summary>Copies one H×W input plane into the Hp×Wp zero-padded plane at <paramref name="dst"/>.</summary>
    private static void PadPlane<T>(T[] x, int src, T[] xp, int dst, in ConvGeometry g) where T : unmanaged
    {
        int wp = g.W + 2 * g.PW;
        var d = xp.AsSpan(dst, (g.H + 2 * g.PH) * wp);
        d[..(g.PH * wp)].Clear();
        for (var h = 0; h < g.H; h++)
        {
            var row = d.Slice((g.PH + h) * wp, wp);
            row[..g.PW].Clear();
            x.AsSpan(src + h * g.W, g.W).CopyTo(row[g.PW..]);
            row[(g.PW + g.W)..].Clear();
        }
        d[((g.PH + g.H) * wp)..].Clear();
    }

    /// <summary>The 8 × 2-vector tile: row r = Σ_p a[p·8 + r] · x[offs[p] .. offs[p] + 2w) for p &lt; kc, handed to
    /// <paramref name="store"/> row by row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void WideTile<T, TV, V, TS>(T* a, T* x, int* offs, int kc, ref TS store)
        where T : unmanaged, INumberBase<T> where TV : struct where V : IGemmVector<T, TV>
        where TS : struct, IWideStore<TV>
    {
        var w = V.Count;
        TV c00 = V.Zero, c01 = V.Zero, c10 = V.Zero, c11 = V.Zero, c20 = V.Zero, c21 = V.Zero, c30 = V.Zero, c31 = V.Zero;
        TV c40 = V.Zero, c41 = V.Zero, c50 = V.Zero, c51 = V.Zero, c60 = V.Zero, c61 = V.Zero, c70 = V.Zero, c71 = V.Zero;
        for (var p = 0; p < kc; p++)
        {
            T* b = x + offs[p];
            var b0 = V.Load(b);
            var b1 = V.Load(b + w);
            var s = V.Splat(a[0]); c00 = V.Fma(s, b0, c00); c01 = V.Fma(s, b1, c01);
            s = V.Splat(a[1]); c10 = V.Fma(s, b0, c10); c11 = V.Fma(s, b1, c11);
            s = V.Splat(a[2]); c20 = V.Fma(s, b0, c20); c21 = V.Fma(s, b1, c21);
            s = V.Splat(a[3]); c30 = V.Fma(s, b0, c30); c31 = V.Fma(s, b1, c31);
            s = V.Splat(a[4]); c40 = V.Fma(s, b0, c40); c41 = V.Fma(s, b1, c41);
            s = V.Splat(a[5]); c50 = V.Fma(s, b0, c50); c51 = V.Fma(s, b1, c51);
            s = V.Splat(a[6]); c60 = V.Fma(s, b0, c60); c61 = V.Fma(s, b1, c61);
            s = V.Splat(a[7]); c70 = V.Fma(s, b0, c70); c71 = V.Fma(s, b1, c71);
            a += 8;
        }
        store.Row(0, c00, c01);
        store.Row(1, c10, c11);
        store.Row(2, c20, c21);
        store.Row(3, c30, c31);
        store.Row(4, c40, c41);
        store.Row(5, c50, c51);
        store.Row(6, c60, c61);
        store.Row(7, c70, c71);
    }
}
