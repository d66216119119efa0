using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Scratch.Ops;

/// <summary>Direct Cpu kernels for depthwise convolution (one input and one output channel per group), vectorised
/// with <see cref="Vector{T}"/> over the output width.</summary>
/// <remarks>Each input plane is copied once into a zero-padded plane whose columns are split by phase c mod SW:
/// padded element (r, c) sits at <c>((r·SW + c mod SW)·Q + c / SW)</c> with Q = ⌈Wp / SW⌉. Tap (i, j) of output
/// row oh then reads the contiguous run starting at phase (j·DW) mod SW, offset (j·DW) / SW of padded row
/// oh·SH + i·DH, for any stride and dilation. The forward keeps one vector of outputs in a register across all
/// KH·KW taps; the input gradient scatters into a padded plane the same way and copies its interior out; the weight
/// gradient is one dot product per tap over the plane, accumulated over the batch.</remarks>
internal static partial class ConvKernels
{
    /// <summary>Padded plane size and phase-split row length.</summary>
    private readonly record struct DwLayout(int Hp, int Wp, int Q, int Size)
    {
        public static DwLayout Of(in ConvGeometry g)
        {
            var hp = Math.Max(g.H + 2 * g.PH, (g.OH - 1) * g.SH + (g.KH - 1) * g.DH + 1);
            var wp = Math.Max(g.W + 2 * g.PW, (g.OW - 1) * g.SW + (g.KW - 1) * g.DW + 1);
            var q = (wp + g.SW - 1) / g.SW;
            return new DwLayout(hp, wp, q, hp * g.SW * q);
        }

        /// <summary>Start of the run read by tap (i, j) for output row oh.</summary>
        public int Tap(in ConvGeometry g, int oh, int i, int j)
        {
            int r = oh * g.SH + i * g.DH, t = j * g.DW;
            return (r * g.SW + t % g.SW) * Q + t / g.SW;
        }
    }

    /// <summary>Copies one H×W plane into the cleared phase-split padded buffer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DwPad<T>(ReadOnlySpan<T> plane, in ConvGeometry g, in DwLayout d, Span<T> buf)
        where T : unmanaged
    {
        buf[..d.Size].Clear();
        for (var ih = 0; ih < g.H; ih++)
        {
            var src = plane.Slice(ih * g.W, g.W);
            var r = ih + g.PH;
            if (g.SW == 1)
            {
                src.CopyTo(buf.Slice(r * d.Q + g.PW));
                continue;
            }
            if (g.SW == 2)
            {
                // Even input columns land in phase PW mod 2 from PW / 2, odd ones in the other from (PW + 1) / 2.
                Deinterleave2(src, buf.Slice((r * 2 + g.PW % 2) * d.Q + g.PW / 2),
                    buf.Slice((r * 2 + (g.PW + 1) % 2) * d.Q + (g.PW + 1) / 2));
                continue;
            }
            for (var ph = 0; ph < g.SW; ph++)
            {
                // Padded columns c ≡ ph (mod SW) with c − PW in [0, W).
                var c0 = g.PW + ((ph - g.PW) % g.SW + g.SW) % g.SW;
                var dst = buf.Slice((r * g.SW + ph) * d.Q + c0 / g.SW);
                for (int iw = c0 - g.PW, k = 0; iw < g.W; iw += g.SW, k++) dst[k] = src[iw];
            }
        }
    }

    /// <summary>even[m] = src[2m], odd[m] = src[2m + 1]; 256-bit shuffles for float and double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Deinterleave2<T>(ReadOnlySpan<T> src, Span<T> even, Span<T> odd) where T : unmanaged
    {
        var m = 0;
        if (Vector256.IsHardwareAccelerated && (typeof(T) == typeof(float) || typeof(T) == typeof(double)))
        {
            var vc = Vector256<T>.Count;
            ref var s0 = ref MemoryMarshal.GetReference(src);
            for (; 2 * m + 2 * vc <= src.Length; m += vc)
            {
                Vector256<T> a = Vector256.LoadUnsafe(ref s0, (nuint)(2 * m)), b = Vector256.LoadUnsafe(ref s0, (nuint)(2 * m + vc));
                if (typeof(T) == typeof(float))
                {
                    var idx = Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7);
                    a = Vector256.Shuffle(a.AsSingle(), idx).As<float, T>();
                    b = Vector256.Shuffle(b.AsSingle(), idx).As<float, T>();
                }
                else
                {
                    var idx = Vector256.Create(0L, 2, 1, 3);
                    a = Vector256.Shuffle(a.AsDouble(), idx).As<double, T>();
                    b = Vector256.Shuffle(b.AsDouble(), idx).As<double, T>();
                }
                Vector256.Create(a.GetLower(), b.GetLower()).CopyTo(even.Slice(m));
                Vector256.Create(a.GetUpper(), b.GetUpper()).CopyTo(odd.Slice(m));
            }
        }
        for (; 2 * m < src.Length; m++)
        {
            even[m] = src[2 * m];
            if (2 * m + 1 < src.Length) odd[m] = src[2 * m + 1];
        }
    }

    /// <summary>The inverse of <see cref="Deinterleave2{T}"/>: dst[2m] = even[m], dst[2m + 1] = odd[m].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Interleave2<T>(ReadOnlySpan<T> even, ReadOnlySpan<T> odd, Span<T> dst) where T : unmanaged
    {
        var m = 0;
        if (Vector256.IsHardwareAccelerated && (typeof(T) == typeof(float) || typeof(T) == typeof(double)))
        {
            var vc = Vector256<T>.Count;
            ref var e0 = ref MemoryMarshal.GetReference(even);
            ref var o0 = ref MemoryMarshal.GetReference(odd);
            for (; 2 * m + 2 * vc <= dst.Length; m += vc)
            {
                Vector256<T> e = Vector256.LoadUnsafe(ref e0, (nuint)m), o = Vector256.LoadUnsafe(ref o0, (nuint)m);
                Vector256<T> lo = Vector256.Create(e.GetLower(), o.GetLower()), hi = Vector256.Create(e.GetUpper(), o.GetUpper());
                if (typeof(T) == typeof(float))
                {
                    var idx = Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7);
                    lo = Vector256.Shuffle(lo.AsSingle(), idx).As<float, T>();
                    hi = Vector256.Shuffle(hi.AsSingle(), idx).As<float, T>();
                }
                else
                {
                    var idx = Vector256.Create(0L, 2, 1, 3);
                    lo = Vector256.Shuffle(lo.AsDouble(), idx).As<double, T>();
                    hi = Vector256.Shuffle(hi.AsDouble(), idx).As<double, T>();
                }
                lo.CopyTo(dst.Slice(2 * m));
                hi.CopyTo(dst.Slice(2 * m + vc));
            }
        }
        for (; 2 * m < dst.Length; m++)
        {
            dst[2 * m] = even[m];
            if (2 * m + 1 < dst.Length) dst[2 * m + 1] = odd[m];
        }
    }

    private static void DepthwiseForward<T>(Tensor x, Tensor w, Tensor y, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (WideDepthwise(g))
        {
            DepthwiseForwardWide<T>(x, w, y, g);
            return;
        }
        var (xa, wa, ya) = (x.HostArray<T>(), w.HostArray<T>(), y.HostArray<T>());
        var (xo, wo) = ((int)x.Offset, (int)w.Offset);
        var d = DwLayout.Of(g);
        int hw = g.H * g.W, khw = g.KH * g.KW, vw = Vector<T>.Count;
        Tasks(g.N * g.Cin, Threads(g), [MethodImpl(MethodImplOptions.AggressiveOptimization)] (p) =>
        {
            var c = p % g.Cin;
            var buf = ArrayPool<T>.Shared.Rent(d.Size);
            DwPad<T>(xa.AsSpan(xo + p * hw, hw), g, d, buf);
            ref var b0 = ref MemoryMarshal.GetArrayDataReference(buf);
            var wk = wa.AsSpan(wo + c * khw, khw);
            var yp = ya.AsSpan(p * g.L, g.L);
            Span<int> taps = stackalloc int[khw];
            Span<Vector<T>> wv = stackalloc Vector<T>[khw];
            for (var t = 0; t < khw; t++) wv[t] = new Vector<T>(wk[t]);
            for (var oh = 0; oh < g.OH; oh++)
            {
                for (var i = 0; i < g.KH; i++)
                for (var j = 0; j < g.KW; j++) taps[i * g.KW + j] = d.Tap(g, oh, i, j);
                var yr = yp.Slice(oh * g.OW, g.OW);
                var ow = 0;
                for (; ow + 4 * vw <= g.OW; ow += 4 * vw)
                {
                    // Four independent accumulators hide the add latency.
                    Vector<T> a0 = Vector<T>.Zero, a1 = a0, a2 = a0, a3 = a0;
                    for (var t = 0; t < khw; t++)
                    {
                        var wt = wv[t];
                        ref var src = ref System.Runtime.CompilerServices.Unsafe.Add(ref b0, taps[t] + ow);
                        a0 += wt * Vector.LoadUnsafe(ref src);
                        a1 += wt * Vector.LoadUnsafe(ref src, (nuint)vw);
                        a2 += wt * Vector.LoadUnsafe(ref src, (nuint)(2 * vw));
                        a3 += wt * Vector.LoadUnsafe(ref src, (nuint)(3 * vw));
                    }
                    a0.CopyTo(yr.Slice(ow));
                    a1.CopyTo(yr.Slice(ow + vw));
                    a2.CopyTo(yr.Slice(ow + 2 * vw));
                    a3.CopyTo(yr.Slice(ow + 3 * vw));
                }
                for (; ow + vw <= g.OW; ow += vw)
                {
                    var acc = Vector<T>.Zero;
                    for (var t = 0; t < khw; t++)
                        acc += wv[t] * Vector.LoadUnsafe(ref b0, (nuint)(taps[t] + ow));
                    acc.CopyTo(yr.Slice(ow));
                }
                for (; ow < g.OW; ow++)
                {
                    var s = T.Zero;
                    for (var t = 0; t < khw; t++) s += wk[t] * buf[taps[t] + ow];
                    yr[ow] = s;
                }
            }
            ArrayPool<T>.Shared.Return(buf);
        });
    }

    private static void DepthwiseInputGrad<T>(Tensor gy, Tensor w, Tensor gx, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (ga, wa, xa) = (gy.HostArray<T>(), w.HostArray<T>(), gx.HostArray<T>());
        var (go, wo) = ((int)gy.Offset, (int)w.Offset);
        var d = DwLayout.Of(g);
        int hw = g.H * g.W, khw = g.KH * g.KW, vw = Vector<T>.Count;
        Tasks(g.N * g.Cin, Threads(g), [MethodImpl(MethodImplOptions.AggressiveOptimization)] (p) =>
        {
            var c = p % g.Cin;
            var buf = ArrayPool<T>.Shared.Rent(d.Size);
            var bs = buf.AsSpan(0, d.Size);
            bs.Clear();
            ref var b0 = ref MemoryMarshal.GetArrayDataReference(buf);
            var wk = wa.AsSpan(wo + c * khw, khw);
            var gp = ga.AsSpan(go + p * g.L, g.L);
            for (var oh = 0; oh < g.OH; oh++)
            {
                var gr = gp.Slice(oh * g.OW, g.OW);
                for (var i = 0; i < g.KH; i++)
                for (var j = 0; j < g.KW; j++)
                {
                    var wt = wk[i * g.KW + j];
                    var wv = new Vector<T>(wt);
                    var tap = d.Tap(g, oh, i, j);
                    var ow = 0;
                    for (; ow + vw <= g.OW; ow += vw)
                    {
                        ref var dst = ref System.Runtime.CompilerServices.Unsafe.Add(ref b0, tap + ow);
                        (Vector.LoadUnsafe(ref dst) + wv * new Vector<T>(gr.Slice(ow))).StoreUnsafe(ref dst);
                    }
                    for (; ow < g.OW; ow++) buf[tap + ow] += wt * gr[ow];
                }
            }
            var xp = xa.AsSpan(p * hw, hw);
            for (var ih = 0; ih < g.H; ih++)
            {
                var r = ih + g.PH;
                var dst = xp.Slice(ih * g.W, g.W);
                if (g.SW == 1)
                {
                    bs.Slice(r * d.Q + g.PW, g.W).CopyTo(dst);
                    continue;
                }
                if (g.SW == 2)
                {
                    Interleave2<T>(bs.Slice((r * 2 + g.PW % 2) * d.Q + g.PW / 2),
                        bs.Slice((r * 2 + (g.PW + 1) % 2) * d.Q + (g.PW + 1) / 2), dst);
                    continue;
                }
                for (var ph = 0; ph < g.SW; ph++)
                {
                    var c0 = g.PW + ((ph - g.PW) % g.SW + g.SW) % g.SW;
                    var src = bs.Slice((r * g.SW + ph) * d.Q + c0 / g.SW);
                    for (int iw = c0 - g.PW, k = 0; iw < g.W; iw += g.SW, k++) dst[iw] = src[k];
                }
            }
            ArrayPool<T>.Shared.Return(buf);
        });
    }

    private static void DepthwiseWeightGrad<T>(Tensor x, Tensor gy, Tensor gw, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (xa, ga, wa) = (x.HostArray<T>(), gy.HostArray<T>(), gw.HostArray<T>());
        var (xo, go) = ((int)x.Offset, (int)gy.Offset);
        var d = DwLayout.Of(g);
        int hw = g.H * g.W, khw = g.KH * g.KW, vw = Vector<T>.Count;
        Tasks(g.Cin, Threads(g), [MethodImpl(MethodImplOptions.AggressiveOptimization)] (c) =>
        {
            var buf = ArrayPool<T>.Shared.Rent(d.Size);
            ref var b0 = ref MemoryMarshal.GetArrayDataReference(buf);
            var wk = wa.AsSpan(c * khw, khw);
            for (var n = 0; n < g.N; n++)
            {
                var p = n * g.Cin + c;
                DwPad<T>(xa.AsSpan(xo + p * hw, hw), g, d, buf);
                var gp = ga.AsSpan(go + p * g.L, g.L);
                ref var g0 = ref MemoryMarshal.GetReference(gp);
                for (var i = 0; i < g.KH; i++)
                for (var j = 0; j < g.KW; j++)
                {
                    var acc = Vector<T>.Zero;
                    var acc1 = Vector<T>.Zero;
                    var s = T.Zero;
                    for (var oh = 0; oh < g.OH; oh++)
                    {
                        var tap = d.Tap(g, oh, i, j);
                        var row = oh * g.OW;
                        var ow = 0;
                        for (; ow + 2 * vw <= g.OW; ow += 2 * vw)
                        {
                            acc += Vector.LoadUnsafe(ref g0, (nuint)(row + ow)) * Vector.LoadUnsafe(ref b0, (nuint)(tap + ow));
                            acc1 += Vector.LoadUnsafe(ref g0, (nuint)(row + ow + vw)) *
                                Vector.LoadUnsafe(ref b0, (nuint)(tap + ow + vw));
                        }
                        for (; ow + vw <= g.OW; ow += vw)
                            acc += Vector.LoadUnsafe(ref g0, (nuint)(row + ow)) * Vector.LoadUnsafe(ref b0, (nuint)(tap + ow));
                        for (; ow < g.OW; ow++) s += gp[row + ow] * buf[tap + ow];
                    }
                    wk[i * g.KW + j] += Vector.Sum(acc + acc1) + s;
                }
            }
            ArrayPool<T>.Shared.Return(buf);
        });
    }
}
