using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Scratch.Ops;

/// <summary>The Cpu max-pool forward: separable, so each window's rows are reduced with vector compares across a
/// whole input row at once and only the (short) column reduction is scalar.</summary>
/// <remarks>Stage 1, per output row oh: colMax[w] / colRow[w] = the maximum over the window rows of column w and the
/// row it came from (NaN wins, ties keep the first row). Stage 2, per output column ow: combine the window columns in
/// increasing order so that the result equals the row-major scan of the whole window: a non-NaN candidate replaces a
/// non-NaN best when it is larger or equal and on an earlier row; a NaN candidate replaces a non-NaN best, and a NaN
/// best when it is on the same or a later row.</remarks>
internal static class PoolKernelsCpu
{
    /// <summary>Planes per parallel task at least (amortises the scratch rows).</summary>
    private const long Grain = 1 << 14;

    public static void MaxForward<T>(T[] xa, int xo, T[] y, long[] idx, PoolAxis rows, PoolAxis cols, int planes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = rows.InSize, w = cols.InSize, oh = rows.OutSize, ow = cols.OutSize;
        int inPlane = h * w, outPlane = oh * ow;
        var work = (long)planes * inPlane;
        var tasks = work >= Grain && planes > 1 ? Math.Min(planes, Environment.ProcessorCount * 4) : 1;
        void Body(int t)
        {
            int p0 = (int)((long)planes * t / tasks), p1 = (int)((long)planes * (t + 1) / tasks);
            var colMax = ArrayPool<T>.Shared.Rent(w);
            var colRow = ArrayPool<T>.Shared.Rent(w);
            var phase = ArrayPool<T>.Shared.Rent(2 * (w + (cols.Window?.S ?? 1)) + 2 * Vector<T>.Count);
            try
            {
                for (var p = p0; p < p1; p++) Plane(xa, xo + p * inPlane, y, idx, p * outPlane, rows, cols, colMax,
                    colRow, phase);
            }
            finally
            {
                ArrayPool<T>.Shared.Return(colMax);
                ArrayPool<T>.Shared.Return(colRow);
                ArrayPool<T>.Shared.Return(phase);
            }
        }
        if (tasks > 1) Parallel.For(0, tasks, Body);
        else Body(0);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Plane<T>(T[] xa, int src, T[] y, long[] idx, int dst, PoolAxis rows, PoolAxis cols,
        T[] colMax, T[] colRow, T[] phase) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var w = cols.InSize;
        var vc = Vector<T>.Count;
        for (var o = 0; o < rows.OutSize; o++)
        {
            var taps = rows.Taps[o];
            var outRow = dst + o * cols.OutSize;
            if (taps.Length == 0)
            {
                for (var j = 0; j < cols.OutSize; j++) (y[outRow + j], idx[outRow + j]) = (T.NegativeInfinity, -1);
                continue;
            }
            // Stage 1: column maxima over the window rows.
            var first = src + taps[0] * w;
            Array.Copy(xa, first, colMax, 0, w);
            Array.Fill(colRow, T.CreateTruncating(taps[0]), 0, w);
            for (var k = 1; k < taps.Length; k++)
            {
                var row = src + taps[k] * w;
                var rv = new Vector<T>(T.CreateTruncating(taps[k]));
                var c = 0;
                for (; c <= w - vc; c += vc)
                {
                    var v = new Vector<T>(xa, row + c);
                    var best = new Vector<T>(colMax, c);
                    var take = Vector.GreaterThan(v, best) | ~Vector.Equals(v, v);
                    Vector.ConditionalSelect(take, v, best).CopyTo(colMax, c);
                    Vector.ConditionalSelect(take, rv, new Vector<T>(colRow, c)).CopyTo(colRow, c);
                }
                for (; c < w; c++)
                {
                    var v = xa[row + c];
                    if (v > colMax[c] || T.IsNaN(v)) (colMax[c], colRow[c]) = (v, T.CreateTruncating(taps[k]));
                }
            }
            // Stage 2: combine the window columns in row-major order (vectorised over the interior outputs of a
            // sliding window, scalar at the clipped edges).
            var (vlo, vhi) = cols.Window is { } win ? Interior(win, w, cols.OutSize) : (0, 0);
            if (vhi - vlo >= vc) vhi = vlo + CombineInterior(colMax, colRow, phase, y, idx, outRow, w, cols.Window!.Value, vlo, vhi);
            else vhi = vlo;
            for (var j = 0; j < cols.OutSize; j++)
            {
                if (j == vlo && vhi > vlo) j = vhi;
                if (j >= cols.OutSize) break;
                var ct = cols.Taps[j];
                if (ct.Length == 0)
                {
                    (y[outRow + j], idx[outRow + j]) = (T.NegativeInfinity, -1);
                    continue;
                }
                var bc = ct[0];
                var (bv, br) = (colMax[bc], colRow[bc]);
                for (var k = 1; k < ct.Length; k++)
                {
                    var c = ct[k];
                    var (v, r) = (colMax[c], colRow[c]);
                    bool take = T.IsNaN(v)
                        ? !T.IsNaN(bv) || r >= br
                        : !T.IsNaN(bv) && (v > bv || (v == bv && r < br));
                    if (take) (bv, br, bc) = (v, r, c);
                }
                y[outRow + j] = bv;
                idx[outRow + j] = long.CreateTruncating(br) * w + bc;
            }
        }
    }

    /// <summary>Outputs [lo, hi) whose every tap o·S − P + i·D lies inside [0, w).</summary>
    private static (int Lo, int Hi) Interior((int K, int S, int P, int D) win, int w, int outSize)
    {
        var lo = (win.P + win.S - 1) / win.S;
        var last = (win.K - 1) * win.D - win.P;
        var hi = w - 1 - last < 0 ? 0 : (w - 1 - last) / win.S + 1;
        return (Math.Min(lo, outSize), Math.Clamp(hi, Math.Min(lo, outSize), outSize));
    }

    /// <summary>Stage 2 over outputs [lo, lo + n) with n the largest multiple of the vector width ≤ hi − lo, where
    /// every tap is in range: the column maxima are split into S stride phases so that tap i of consecutive
    /// outputs is a contiguous run of phase (i·D − P) mod S. Returns n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int CombineInterior<T>(T[] colMax, T[] colRow, T[] phase, T[] y, long[] idx, int outRow, int w,
        (int K, int S, int P, int D) win, int lo, int hi) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var vc = Vector<T>.Count;
        var n = (hi - lo) / vc * vc;
        int s = win.S, stride = (w + s - 1) / s;
        // phase holds the value phases [0, s·stride), the row phases [s·stride, 2·s·stride) and 2·vc lanes.
        int rowBase = s * stride, laneBase = 2 * s * stride;
        for (var q = 0; q < s; q++)
            for (int c = q, at = q * stride; c < w; c += s, at++)
                (phase[at], phase[rowBase + at]) = (colMax[c], colRow[c]);
        for (var i = 0; i < vc; i++) phase[laneBase + i] = T.CreateTruncating(i * s);
        var laneCols = new Vector<T>(phase, laneBase);
        for (var o = lo; o < lo + n; o += vc)
        {
            Vector<T> bv = default, br = default, bc = default;
            for (var i = 0; i < win.K; i++)
            {
                var c0 = o * s + i * win.D - win.P; // column of this tap for output o (≥ 0 in the interior)
                var at = c0 % s * stride + c0 / s;
                var v = new Vector<T>(phase, at);
                var r = new Vector<T>(phase, rowBase + at);
                var c = new Vector<T>(T.CreateTruncating(c0)) + laneCols;
                if (i == 0)
                {
                    (bv, br, bc) = (v, r, c);
                    continue;
                }
                var nanV = ~Vector.Equals(v, v);
                var nanB = ~Vector.Equals(bv, bv);
                var take = (nanV & (~nanB | Vector.GreaterThanOrEqual(r, br)))
                           | (~nanV & ~nanB & (Vector.GreaterThan(v, bv) | (Vector.Equals(v, bv) & Vector.LessThan(r, br))));
                bv = Vector.ConditionalSelect(take, v, bv);
                br = Vector.ConditionalSelect(take, r, br);
                bc = Vector.ConditionalSelect(take, c, bc);
            }
            bv.CopyTo(y, outRow + o);
            br.CopyTo(phase, laneBase);
            bc.CopyTo(phase, laneBase + vc);
            for (var i = 0; i < vc; i++)
                idx[outRow + o + i] = long.CreateTruncating(phase[laneBase + i]) * w
                                      + long.CreateTruncating(phase[laneBase + vc + i]);
        }
        return n;
    }
}
