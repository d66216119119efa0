using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Scratch.Backends.Cpu;

namespace Scratch.Ops;

/// <summary>The weight gradient of a stride-1 conv on the wide grid of ConvKernels.Wide.cs.</summary>
internal static partial class ConvKernels
{
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
        var d = new WideGrid(g, 2 * V.Count);
        int wp = d.Wp, lw = d.Lw, lwPad = d.LwPad, plane = d.Plane;
        var xp = d.RentInput<T>();
        var gyw = ArrayPool<T>.Shared.Rent(g.N * g.Cout * lwPad + lwPad);
        var geo = g;
        Tasks(g.N * g.Cin, threads, t => PadPlane(xa, xo + t * geo.H * geo.W, xp, t * plane, geo));
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
        var offs = d.TapOffsets(g);
        int coBlocks = (g.CoutG + 3) / 4, kBlocks = (g.K + 5) / 6;
        // Channel blocks split first (each task then reuses its gy rows over all taps), tap blocks if still short.
        var (coPer, coSplit, kPer, kSplit) = SplitTasks(g.Groups, coBlocks, kBlocks, threads);
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
