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
/// weight slice stays in L2 (accumulating into the wide output after the first chunk); within a chunk, each tile of
/// 2 vectors of positions (its input rows in L1) meets every 8-row weight panel. The valid columns are then copied
/// to y. Used when the discarded columns and tile padding cost at most a quarter more work; on 512-bit vectors (and ARM64's 32 128-bit
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
    private static long WidePositions(in ConvGeometry g)
    {
        var nr = 2 * (Vector512.IsHardwareAccelerated ? Vector512<float>.Count : Vector128<float>.Count);
        var lw = (long)g.OH * (g.W + 2 * g.PW);
        return (lw + nr - 1) / nr * nr;
    }

    /// <summary>Switch for tests and benchmarks comparing with the im2col path (per thread, like
    /// <see cref="WideChunkBudget"/>); either value gives the same result up to rounding.</summary>
    internal static bool WideEnabled
    {
        get => !t_wideDisabled;
        set => t_wideDisabled = !value;
    }

    [ThreadStatic] private static bool t_wideDisabled;

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
        int nr = 2 * V.Count, khw = g.KH * g.KW;
        int hp = g.H + 2 * g.PH, wp = g.W + 2 * g.PW, plane = hp * wp;
        int lw = g.OH * wp, tiles = (lw + nr - 1) / nr, lwPad = tiles * nr;
        int coBlocks = (g.CoutG + WideMR - 1) / WideMR, coPad = coBlocks * WideMR;
        int images = g.N * g.Groups;
        // Padded input, with slack for the last tile's reads past the final plane.
        var xpLength = (long)g.N * g.Cin * plane + (g.KW - 1) * g.DW + nr + lwPad;
        var xp = ArrayPool<T>.Shared.Rent((int)xpLength);
        var geo = g;
        // Weights packed per group into 8-row panels over the whole depth: panel b holds K groups of 8 values.
        var wpk = ArrayPool<T>.Shared.Rent(g.Groups * coPad * g.K);
        Tasks(g.Groups * coBlocks, threads, t => PackWidePanel(wa, wo, wpk, t / coBlocks, t % coBlocks, geo, flipped));
        // Tap offsets of one group's K rows, relative to its first channel's plane.
        var offs = new int[g.K];
        for (var ci = 0; ci < g.CinG; ci++)
        for (var i = 0; i < g.KH; i++)
        for (var j = 0; j < g.KW; j++)
            offs[(ci * g.KH + i) * g.KW + j] = ci * plane + i * g.DH * wp + j * g.DW;
        var chunk = Math.Clamp(WideChunkBudget / Math.Max(1, coPad * khw), 1, g.CinG);
        var wide = ArrayPool<T>.Shared.Rent(images * coPad * lwPad);
        xp.AsSpan(g.N * g.Cin * plane, (int)(xpLength - (long)g.N * g.Cin * plane)).Clear();
        if (images >= threads)
        {
            // An image·group per task: its padding, product and copy-out run back to back in this core's cache.
            Tasks(images, threads, img =>
            {
                int n = img / geo.Groups, grp = img % geo.Groups, c0 = n * geo.Cin + grp * geo.CinG;
                for (var c = c0; c < c0 + geo.CinG; c++) PadPlane(xa, xo + c * geo.H * geo.W, xp, c * plane, geo);
                WideRange<T, TV, V>(xp, wpk, wide, offs, geo, img, 0, tiles, 0, coBlocks, chunk);
                for (var co = grp * geo.CoutG; co < (grp + 1) * geo.CoutG; co++) WideCopyOut(wide, ya, geo, n, co, ep);
            });
        }
        else
        {
            // Few images: pad them, split each one's tiles and channel blocks over the threads, then copy out.
            Tasks(g.N * g.Cin, threads, t => PadPlane(xa, xo + t * geo.H * geo.W, xp, t * plane, geo));
            // Split first the loop that is outer in WideRange, so each task keeps its L1-resident operand longest.
            int tileSplit, coSplit;
            if (WeightPanelOuter(g, chunk))
            {
                coSplit = Math.Clamp((4 * threads + images - 1) / images, 1, coBlocks);
                tileSplit = Math.Clamp((4 * threads + images * coSplit - 1) / (images * coSplit), 1, tiles);
            }
            else
            {
                tileSplit = Math.Clamp((4 * threads + images - 1) / images, 1, tiles);
                coSplit = Math.Clamp((4 * threads + images * tileSplit - 1) / (images * tileSplit), 1, coBlocks);
            }
            int tilesPer = (tiles + tileSplit - 1) / tileSplit, blocksPer = (coBlocks + coSplit - 1) / coSplit;
            tileSplit = (tiles + tilesPer - 1) / tilesPer;
            coSplit = (coBlocks + blocksPer - 1) / blocksPer;
            Tasks(images * tileSplit * coSplit, threads, t =>
            {
                int cs = t % coSplit, ts = t / coSplit % tileSplit, img = t / coSplit / tileSplit;
                WideRange<T, TV, V>(xp, wpk, wide, offs, geo, img, ts * tilesPer, Math.Min(tiles, (ts + 1) * tilesPer),
                    cs * blocksPer, Math.Min(coBlocks, (cs + 1) * blocksPer), chunk);
            });
            Tasks(g.N * g.Cout, threads, t => WideCopyOut(wide, ya, geo, t / geo.Cout, t % geo.Cout, ep));
        }
        ArrayPool<T>.Shared.Return(wide);
        ArrayPool<T>.Shared.Return(wpk);
        ArrayPool<T>.Shared.Return(xp);
    }

    /// <summary>Whether the padded planes of one channel chunk are small enough (≤ 512 KiB in float) to stay in L2
    /// while each weight panel sweeps all the tiles; otherwise each tile sweeps all the weight panels.</summary>
    private static bool WeightPanelOuter(in ConvGeometry g, int chunk) =>
        (long)chunk * (g.H + 2 * g.PH) * (g.W + 2 * g.PW) <= 1 << 17;

    /// <summary>Tiles [t0, t1) × channel blocks [b0, b1) of image·group <paramref name="img"/>'s wide output, over the
    /// whole depth in channel chunks (the first chunk overwrites, later ones accumulate).</summary>
    private static unsafe void WideRange<T, TV, V>(T[] xp, T[] wpk, T[] wide, int[] offs, in ConvGeometry g, int img,
        int t0, int t1, int b0, int b1, int chunk)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where V : IGemmVector<T, TV>
    {
        int nr = 2 * V.Count, khw = g.KH * g.KW, plane = (g.H + 2 * g.PH) * (g.W + 2 * g.PW);
        int coPad = (g.CoutG + WideMR - 1) / WideMR * WideMR;
        var lwPad = (g.OH * (g.W + 2 * g.PW) + nr - 1) / nr * nr;
        int n = img / g.Groups, grp = img % g.Groups;
        fixed (T* px = xp)
        fixed (T* pw = wpk)
        fixed (T* pc = wide)
        fixed (int* po = offs)
        {
            T* xg = px + (long)(n * g.Cin + grp * g.CinG) * plane;
            T* cg = pc + (long)img * coPad * lwPad;
            for (var c0 = 0; c0 < g.CinG; c0 += chunk)
            {
                int k0 = c0 * khw, kc = Math.Min(chunk, g.CinG - c0) * khw;
                if (WeightPanelOuter(g, chunk))
                {
                    // Small planes: a weight panel stays in L1 over all the tiles (the chunk's planes sit in L2).
                    for (var b = b0; b < b1; b++)
                    for (var tile = t0; tile < t1; tile++)
                        WideTile<T, TV, V>(pw + (long)(grp * coPad + b * WideMR) * g.K + k0 * WideMR, xg + tile * nr,
                            po + k0, kc, cg + (long)b * WideMR * lwPad + tile * nr, lwPad, c0 > 0);
                }
                else
                {
                    // Large planes: a tile's input rows stay in L1 over all the weight panels (the chunk's weights
                    // sit in L2).
                    for (var tile = t0; tile < t1; tile++)
                    for (var b = b0; b < b1; b++)
                        WideTile<T, TV, V>(pw + (long)(grp * coPad + b * WideMR) * g.K + k0 * WideMR, xg + tile * nr,
                            po + k0, kc, cg + (long)b * WideMR * lwPad + tile * nr, lwPad, c0 > 0);
                }
            }
        }
    }

    /// <summary>Copies the valid columns of output channel <paramref name="co"/> of image n from the wide output to
    /// y, then applies the epilogue to that channel.</summary>
    private static void WideCopyOut<T>(T[] wide, T[] ya, in ConvGeometry g, int n, int co, ConvEpilogue<T>? ep)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int wp = g.W + 2 * g.PW, nr = 2 * (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated
            ? Vector512<T>.Count : Vector128<T>.Count);
        int coPad = (g.CoutG + WideMR - 1) / WideMR * WideMR, lwPad = (g.OH * wp + nr - 1) / nr * nr;
        int grp = co / g.CoutG, r = co % g.CoutG;
        var src = wide.AsSpan(((n * g.Groups + grp) * coPad + r) * lwPad);
        var dst = ya.AsSpan((n * g.Cout + co) * g.L, g.L);
        for (var oh = 0; oh < g.OH; oh++)
            src.Slice(oh * wp, g.OW).CopyTo(dst.Slice(oh * g.OW, g.OW));
        ep?.Apply(ya, g, n, co, 1, 0, g.L);
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

    /// <summary>The 8 × 2-vector tile: c[r, 0..2w) (+)= Σ_p a[p·8 + r] · x[offs[p] .. offs[p] + 2w) for p &lt; kc,
    /// rows r of c <paramref name="ldc"/> apart; <paramref name="accumulate"/> adds to c instead of overwriting it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void WideTile<T, TV, V>(T* a, T* x, int* offs, int kc, T* c, long ldc, bool accumulate)
        where T : unmanaged, INumberBase<T> where TV : struct where V : IGemmVector<T, TV>
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
        var beta = accumulate ? T.One : T.Zero;
        GemmTileStore<T, TV, V>.Row(c, T.One, beta, c00, c01);
        GemmTileStore<T, TV, V>.Row(c + ldc, T.One, beta, c10, c11);
        GemmTileStore<T, TV, V>.Row(c + 2 * ldc, T.One, beta, c20, c21);
        GemmTileStore<T, TV, V>.Row(c + 3 * ldc, T.One, beta, c30, c31);
        GemmTileStore<T, TV, V>.Row(c + 4 * ldc, T.One, beta, c40, c41);
        GemmTileStore<T, TV, V>.Row(c + 5 * ldc, T.One, beta, c50, c51);
        GemmTileStore<T, TV, V>.Row(c + 6 * ldc, T.One, beta, c60, c61);
        GemmTileStore<T, TV, V>.Row(c + 7 * ldc, T.One, beta, c70, c71);
    }

    /// <summary>gw = ∂(Σ gy·conv(x, w))/∂w for a conv that <see cref="UseWide"/> takes, on the same wide grid:
    /// gw[co, k] = Σ_n Σ_l gy_wide[n, co, l] · xpad[n, ci(k)][l + offs[k]] with gy_wide the output gradient at
    /// padded width (zero in the discarded columns and the tile padding), so every term is a dot product of two
    /// contiguous rows. Tiles of 4 output channels × 6 taps keep 24 vector accumulators over a chunk of positions
    /// (the 4 gy rows stay in L1 across the tap blocks), parked per tile between chunks and images and reduced at the
    /// end; tasks own disjoint (channel block, tap block) ranges and loop over all images.</summary>
    private static void WideWeightGrad<T>(T[] xa, int xo, T[] ga, int go, T[] gw, in ConvGeometry g, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Vector512.IsHardwareAccelerated)
            WideWeightGrad<T, Vector512<T>, GemmV512<T>>(xa, xo, ga, go, gw, g, threads);
        else
            WideWeightGrad<T, Vector128<T>, GemmV128<T>>(xa, xo, ga, go, gw, g, threads);
    }

    private static unsafe void WideWeightGrad<T, TV, V>(T[] xa, int xo, T[] ga, int go, T[] gw, ConvGeometry g,
        int threads) where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where V : IGemmVector<T, TV>
    {
        int nr = 2 * V.Count, wp = g.W + 2 * g.PW, plane = (g.H + 2 * g.PH) * wp;
        int lw = g.OH * wp, lwPad = (lw + nr - 1) / nr * nr;
        var xpLength = (long)g.N * g.Cin * plane + (g.KW - 1) * g.DW + nr + lwPad;
        var xp = ArrayPool<T>.Shared.Rent((int)xpLength);
        var gyw = ArrayPool<T>.Shared.Rent(g.N * g.Cout * lwPad + lwPad);
        var geo = g;
        Tasks(g.N * g.Cin, threads, t => PadPlane(xa, xo + t * geo.H * geo.W, xp, t * plane, geo));
        xp.AsSpan(g.N * g.Cin * plane, (int)(xpLength - (long)g.N * g.Cin * plane)).Clear();
        // gy on the wide grid; the extra row at the end is all zeros (the rows of a partial channel block).
        Tasks(g.N * g.Cout, threads, t =>
        {
            var dst = gyw.AsSpan(t * lwPad, lwPad);
            var src = ga.AsSpan(go + t * geo.L, geo.L);
            for (var oh = 0; oh < geo.OH; oh++)
            {
                src.Slice(oh * geo.OW, geo.OW).CopyTo(dst.Slice(oh * wp));
                dst.Slice(oh * wp + geo.OW, wp - geo.OW).Clear();
            }
            dst[lw..].Clear();
        });
        gyw.AsSpan(g.N * g.Cout * lwPad, lwPad).Clear();
        var offs = new int[g.K];
        for (var ci = 0; ci < g.CinG; ci++)
        for (var i = 0; i < g.KH; i++)
        for (var j = 0; j < g.KW; j++)
            offs[(ci * g.KH + i) * g.KW + j] = ci * plane + i * g.DH * wp + j * g.DW;
        int coBlocks = (g.CoutG + 3) / 4, kBlocks = (g.K + 5) / 6;
        // Channel blocks split first (each task then reuses its gy rows over all taps), tap blocks if still short.
        var wanted = threads > 1 ? 4 * threads : 1;
        var coSplit = Math.Clamp((wanted + g.Groups - 1) / g.Groups, 1, coBlocks);
        var kSplit = Math.Clamp((wanted + g.Groups * coSplit - 1) / (g.Groups * coSplit), 1, kBlocks);
        int coPer = (coBlocks + coSplit - 1) / coSplit, kPer = (kBlocks + kSplit - 1) / kSplit;
        coSplit = (coBlocks + coPer - 1) / coPer;
        kSplit = (kBlocks + kPer - 1) / kPer;
        Tasks(g.Groups * coSplit * kSplit, threads, t =>
        {
            int ks = t % kSplit, cs = t / kSplit % coSplit, grp = t / kSplit / coSplit;
            int b0 = cs * coPer, b1 = Math.Min(coBlocks, b0 + coPer), j0 = ks * kPer, j1 = Math.Min(kBlocks, j0 + kPer);
            int w = V.Count, tile = 24 * w;
            var acc = ArrayPool<T>.Shared.Rent((j1 - j0) * tile);
            var rows = stackalloc T*[4];
            var taps = new int[(j1 - j0) * 6];
            for (var q = 0; q < taps.Length; q++) taps[q] = j0 * 6 + q < geo.K ? offs[j0 * 6 + q] : 0;
            fixed (T* px = xp)
            fixed (T* pg = gyw)
            fixed (T* pa = acc)
            fixed (int* pt = taps)
            {
                for (var b = b0; b < b1; b++)
                {
                    new Span<T>(pa, (j1 - j0) * tile).Clear();
                    // A chunk of positions at a time, so the 4 gy rows stay in L1 across a run of tap blocks whose
                    // parked accumulators (WideDotBlocks tiles) stay there too.
                    for (var jc = 0; jc < j1 - j0; jc += WideDotBlocks)
                    for (var n = 0; n < geo.N; n++)
                    {
                        GyRows(rows, pg, b, n, grp, lwPad, geo);
                        T* xn = px + (long)(n * geo.Cin + grp * geo.CinG) * plane;
                        for (var l0 = 0; l0 < lwPad; l0 += WideDotChunk)
                        {
                            var l1 = Math.Min(lwPad, l0 + WideDotChunk);
                            for (var jb = jc; jb < Math.Min(j1 - j0, jc + WideDotBlocks); jb++)
                                WideDotTile<T, TV, V>(rows, xn, pt + jb * 6, l0, l1, pa + jb * tile);
                        }
                    }
                    for (var jb = 0; jb < j1 - j0; jb++)
                    for (var r = 0; r < 4; r++)
                    for (var q = 0; q < 6; q++)
                    {
                        int co = b * 4 + r, k = (j0 + jb) * 6 + q;
                        if (co < geo.CoutG && k < geo.K)
                            gw[(grp * geo.CoutG + co) * geo.K + k] = V.Sum(V.Load(pa + jb * tile + (r * 6 + q) * w));
                    }
                }
            }
            ArrayPool<T>.Shared.Return(acc);
        });
        ArrayPool<T>.Shared.Return(gyw);
        ArrayPool<T>.Shared.Return(xp);
    }

    /// <summary>Points rows[0..4) at the wide gy rows of channel block b (4 channels) of image n, group grp; channels
    /// past CoutG get the all-zero row after the last image.</summary>
    private static unsafe void GyRows<T>(T** rows, T* gyw, int b, int n, int grp, int lwPad, in ConvGeometry g)
        where T : unmanaged
    {
        for (var r = 0; r < 4; r++)
        {
            var co = b * 4 + r;
            rows[r] = gyw + (co < g.CoutG ? (long)(n * g.Cout + grp * g.CoutG + co) * lwPad : (long)g.N * g.Cout * lwPad);
        }
    }

    /// <summary>Positions per chunk of the weight gradient's dot products (4 gy rows of 2 KiB in float).</summary>
    private const int WideDotChunk = 512;

    /// <summary>Tap blocks per run over a chunk: their parked accumulators take 24 KiB in float.</summary>
    private const int WideDotBlocks = 16;

    /// <summary>acc vector r·6 + q += gy_r[l] · x[taps[q] + l] lane-wise over l in [l0, l1) (multiples of the vector
    /// width), for the 4 gy rows <paramref name="rows"/>: 24 accumulators kept in registers over the chunk.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void WideDotTile<T, TV, V>(T** rows, T* x, int* taps, int l0, int l1, T* acc)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where V : IGemmVector<T, TV>
    {
        T* g0 = rows[0], g1 = rows[1], g2 = rows[2], g3 = rows[3];
        T* x0 = x + taps[0], x1 = x + taps[1], x2 = x + taps[2], x3 = x + taps[3], x4 = x + taps[4], x5 = x + taps[5];
        var w = V.Count;
        TV a00 = V.Load(acc + 0 * w), a01 = V.Load(acc + 1 * w), a02 = V.Load(acc + 2 * w),
            a03 = V.Load(acc + 3 * w), a04 = V.Load(acc + 4 * w), a05 = V.Load(acc + 5 * w);
        TV a10 = V.Load(acc + 6 * w), a11 = V.Load(acc + 7 * w), a12 = V.Load(acc + 8 * w),
            a13 = V.Load(acc + 9 * w), a14 = V.Load(acc + 10 * w), a15 = V.Load(acc + 11 * w);
        TV a20 = V.Load(acc + 12 * w), a21 = V.Load(acc + 13 * w), a22 = V.Load(acc + 14 * w),
            a23 = V.Load(acc + 15 * w), a24 = V.Load(acc + 16 * w), a25 = V.Load(acc + 17 * w);
        TV a30 = V.Load(acc + 18 * w), a31 = V.Load(acc + 19 * w), a32 = V.Load(acc + 20 * w),
            a33 = V.Load(acc + 21 * w), a34 = V.Load(acc + 22 * w), a35 = V.Load(acc + 23 * w);
        for (var l = l0; l < l1; l += w)
        {
            TV v0 = V.Load(g0 + l), v1 = V.Load(g1 + l), v2 = V.Load(g2 + l), v3 = V.Load(g3 + l);
            var t = V.Load(x0 + l);
            a00 = V.Fma(v0, t, a00); a10 = V.Fma(v1, t, a10); a20 = V.Fma(v2, t, a20); a30 = V.Fma(v3, t, a30);
            t = V.Load(x1 + l);
            a01 = V.Fma(v0, t, a01); a11 = V.Fma(v1, t, a11); a21 = V.Fma(v2, t, a21); a31 = V.Fma(v3, t, a31);
            t = V.Load(x2 + l);
            a02 = V.Fma(v0, t, a02); a12 = V.Fma(v1, t, a12); a22 = V.Fma(v2, t, a22); a32 = V.Fma(v3, t, a32);
            t = V.Load(x3 + l);
            a03 = V.Fma(v0, t, a03); a13 = V.Fma(v1, t, a13); a23 = V.Fma(v2, t, a23); a33 = V.Fma(v3, t, a33);
            t = V.Load(x4 + l);
            a04 = V.Fma(v0, t, a04); a14 = V.Fma(v1, t, a14); a24 = V.Fma(v2, t, a24); a34 = V.Fma(v3, t, a34);
            t = V.Load(x5 + l);
            a05 = V.Fma(v0, t, a05); a15 = V.Fma(v1, t, a15); a25 = V.Fma(v2, t, a25); a35 = V.Fma(v3, t, a35);
        }
        V.Store(a00, acc + 0 * w); V.Store(a01, acc + 1 * w); V.Store(a02, acc + 2 * w); V.Store(a03, acc + 3 * w); V.Store(a04, acc + 4 * w); V.Store(a05, acc + 5 * w);
        V.Store(a10, acc + 6 * w); V.Store(a11, acc + 7 * w); V.Store(a12, acc + 8 * w); V.Store(a13, acc + 9 * w); V.Store(a14, acc + 10 * w); V.Store(a15, acc + 11 * w);
        V.Store(a20, acc + 12 * w); V.Store(a21, acc + 13 * w); V.Store(a22, acc + 14 * w); V.Store(a23, acc + 15 * w); V.Store(a24, acc + 16 * w); V.Store(a25, acc + 17 * w);
        V.Store(a30, acc + 18 * w); V.Store(a31, acc + 19 * w); V.Store(a32, acc + 20 * w); V.Store(a33, acc + 21 * w); V.Store(a34, acc + 22 * w); V.Store(a35, acc + 23 * w);
    }
}
