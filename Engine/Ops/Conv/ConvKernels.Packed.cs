using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Scratch.Backends.Cpu;

namespace Scratch.Ops;

/// <summary>The im2col-free forward GEMM on 512-bit hardware: the filters are packed once per call into the
/// micro-kernel's MR-row panels (every depth slice of every group, shared by all tasks), and each task lowers its
/// block of output columns straight from the input planes into NR-column packed panels, one depth slice at a time,
/// then sweeps the register tiles over them. The column matrix never exists in memory and the filters are not
/// repacked per block.</summary>
/// <remarks>Task = (image, group, block of <see cref="PackedBlockColumns"/> output positions); the task's output
/// block (CoutG × block) stays in L2 across the depth slices (β = 1 after the first), so the epilogue runs on it
/// while it is still there. The depth-slice order and the tile kernel are the GEMM's, so results match
/// <see cref="Gemm.Run{T}"/> on the explicit column matrix.</remarks>
internal static partial class ConvKernels
{
    /// <summary>Depth of one slice (the GEMM's KC).</summary>
    private const int PackedDepth = 256;

    /// <summary>Output positions per task (four float or eight double panels).</summary>
    private const int PackedBlockColumns = 128;

    /// <summary>True when <see cref="PackedForward{T}"/> runs the geometry.</summary>
    private static bool UsePackedForward(in ConvGeometry g) => Vector512.IsHardwareAccelerated && !g.IsPointwise;

    private static void PackedForward<T>(T[] xa, int xo, T[] wa, int wo, T[] ya, in ConvGeometry g, int threads,
        ConvEpilogue<T>? ep) where T : unmanaged, IFloatingPointIeee754<T> =>
        PackedForward<T, GemmTile8<T, Vector512<T>, GemmV512<T>>>(xa, xo, wa, wo, ya, g, threads, ep);

    private static unsafe void PackedForward<T, TK>(T[] xa, int xo, T[] wa, int wo, T[] ya, ConvGeometry g,
        int threads, ConvEpilogue<T>? ep) where T : unmanaged, IFloatingPointIeee754<T> where TK : IGemmKernel<T>
    {
        int mr = TK.MR, nr = TK.NR, m = g.CoutG, k = g.K, hw = g.H * g.W;
        int mPad = (m + mr - 1) / mr * mr, panelsM = mPad / mr;
        var apk = ArrayPool<T>.Shared.Rent(g.Groups * mPad * k);
        // Filters: group grp, slice at depth pc (kc deep), row panel ip: apk[grp·mPad·K + pc·mPad + ip·MR·kc + p·MR + r].
        Tasks(g.Groups * panelsM, threads, t =>
        {
            int grp = t / panelsM, i0 = t % panelsM * mr;
            for (var pc = 0; pc < k; pc += PackedDepth)
            {
                var kc = Math.Min(PackedDepth, k - pc);
                var dst = apk.AsSpan(grp * mPad * k + pc * mPad + i0 * kc, mr * kc);
                for (var r = 0; r < mr; r++)
                {
                    var row = i0 + r;
                    if (row >= m)
                    {
                        for (var p = 0; p < kc; p++) dst[p * mr + r] = T.Zero;
                        continue;
                    }
                    var src = wa.AsSpan(wo + (grp * m + row) * k + pc, kc);
                    for (var p = 0; p < kc; p++) dst[p * mr + r] = src[p];
                }
            }
        });
        // Blocks of whole panels, about PackedBlockColumns wide; few tasks: a multiple of the thread count, their
        // panel counts differing by at most one.
        var allPanels = (g.L + nr - 1) / nr;
        var blocks = (allPanels + Math.Max(1, PackedBlockColumns / nr) - 1) / Math.Max(1, PackedBlockColumns / nr);
        if (threads > 1 && g.N * g.Groups * blocks < 8 * threads)
            blocks = Math.Min(allPanels, (blocks + threads - 1) / threads * threads);
        var maxPanels = (allPanels + blocks - 1) / blocks;
        Tasks(g.N * g.Groups * blocks, threads, t =>
        {
            int blk = t % blocks, img = t / blocks, n = img / g.Groups, grp = img % g.Groups;
            int p0 = (int)((long)allPanels * blk / blocks), p1 = (int)((long)allPanels * (blk + 1) / blocks);
            int l0 = p0 * nr, nl = Math.Min(g.L, p1 * nr) - l0, panels = p1 - p0;
            if (panels <= 0) return;
            var bbuf = ArrayPool<T>.Shared.Rent(PackedDepth * maxPanels * nr);
            var tile = stackalloc T[mr * nr];
            fixed (T* bp = bbuf)
            fixed (T* ap = apk)
            fixed (T* yp = ya)
            fixed (T* xp = xa)
            {
                T* x = xp + xo + (n * g.Cin + grp * g.CinG) * hw;
                T* cBase = yp + (n * g.Cout + grp * m) * g.L + l0;
                for (var pc = 0; pc < k; pc += PackedDepth)
                {
                    var kc = Math.Min(PackedDepth, k - pc);
                    PackColumns(x, g, pc, kc, l0, nl, nr, bp);
                    var beta = pc == 0 ? T.Zero : T.One;
                    T* aSlice = ap + grp * mPad * k + pc * mPad;
                    for (var jp = 0; jp < panels; jp++)
                    {
                        var nv = Math.Min(nr, nl - jp * nr);
                        T* bPanel = bp + jp * kc * nr;
                        for (var i0 = 0; i0 < m; i0 += mr)
                        {
                            var mv = Math.Min(mr, m - i0);
                            T* cTile = cBase + i0 * g.L + jp * nr;
                            if (mv == mr && nv == nr)
                            {
                                TK.Tile(aSlice + i0 * kc, bPanel, kc, cTile, g.L, T.One, beta);
                                continue;
                            }
                            TK.Tile(aSlice + i0 * kc, bPanel, kc, tile, nr, T.One, T.Zero);
                            for (var i = 0; i < mv; i++)
                            for (var j = 0; j < nv; j++)
                            {
                                var q = cTile + i * g.L + j;
                                *q = beta == T.Zero ? tile[i * nr + j] : tile[i * nr + j] + *q;
                            }
                        }
                    }
                }
            }
            ArrayPool<T>.Shared.Return(bbuf);
            ep?.Apply(ya, g, n, grp * m, m, l0, nl);
        });
        ArrayPool<T>.Shared.Return(apk);
    }

    /// <summary>Rows [pc, pc + kc) and columns [l0, l0 + nl) of the column matrix of the input planes at
    /// <paramref name="x"/>, written as NR-column panels (panel jp at dst + jp·kc·NR, row p at + p·NR, zero past
    /// the last column).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void PackColumns<T>(T* x, in ConvGeometry g, int pc, int kc, int l0, int nl, int nr, T* dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int khw = g.KH * g.KW, hw = g.H * g.W, panels = (nl + nr - 1) / nr, end = l0 + nl;
        for (var p = 0; p < kc; p++)
        {
            int r = pc + p, c = r / khw, i = r % khw / g.KW, j = r % g.KW;
            T* plane = x + c * hw;
            int shift = j * g.DW - g.PW;
            for (var jp = 0; jp < panels; jp++)
            {
                T* d = dst + (jp * kc + p) * nr;
                int l = l0 + jp * nr, stop = Math.Min(end, l + nr);
                var k = 0;
                while (l < stop)
                {
                    int oh = l / g.OW, a = l - oh * g.OW, b = Math.Min(g.OW, a + stop - l), ih = oh * g.SH - g.PH + i * g.DH;
                    var count = b - a;
                    if ((uint)ih >= (uint)g.H)
                    {
                        for (var q = 0; q < count; q++) d[k + q] = T.Zero;
                    }
                    else if (g.SW == 1)
                    {
                        // Valid input columns a + shift … b − 1 + shift, clipped to [0, W).
                        int vlo = Math.Clamp(-shift, a, b), vhi = Math.Clamp(g.W - shift, vlo, b);
                        T* s = plane + ih * g.W + shift;
                        var q = a;
                        for (; q < vlo; q++) d[k + q - a] = T.Zero;
                        var w = Vector512<T>.Count;
                        for (; q + w <= vhi; q += w) Vector512.Load(s + q).Store(d + k + q - a);
                        for (; q < vhi; q++) d[k + q - a] = s[q];
                        for (; q < b; q++) d[k + q - a] = T.Zero;
                    }
                    else
                    {
                        T* s = plane + ih * g.W;
                        for (var q = a; q < b; q++)
                        {
                            var iw = q * g.SW + shift;
                            d[k + q - a] = (uint)iw < (uint)g.W ? s[iw] : T.Zero;
                        }
                    }
                    k += count;
                    l += count;
                }
                for (; k < nr; k++) d[k] = T.Zero;
            }
        }
    }
}
