using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Scratch.Ops;

/// <summary>The depthwise forward for unit column stride on 512-bit hardware: Vector512 fused multiply-adds along
/// the output width (two independent accumulators per step, a ragged end done by one overlapping vector that
/// rewrites a few outputs with the same values), reading the zero-padded plane of <see cref="DwPad{T}"/>.</summary>
internal static partial class ConvKernels
{
    /// <summary>True when <see cref="DepthwiseForwardWide{T}"/> handles the geometry.</summary>
    private static bool WideDepthwise(in ConvGeometry g) => g.SW == 1 && Vector512.IsHardwareAccelerated;

    private static void DepthwiseForwardWide<T>(Tensor x, Tensor w, Tensor y, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (xa, wa, ya) = (x.HostArray<T>(), w.HostArray<T>(), y.HostArray<T>());
        var (xo, wo) = ((int)x.Offset, (int)w.Offset);
        var d = DwLayout.Of(g);
        int hw = g.H * g.W, khw = g.KH * g.KW;
        Tasks(g.N * g.Cin, Threads(g), [MethodImpl(MethodImplOptions.AggressiveOptimization)] (p) =>
        {
            var buf = ArrayPool<T>.Shared.Rent(d.Size);
            DwPad<T>(xa.AsSpan(xo + p * hw, hw), g, d, buf);
            Plane(buf, wa.AsSpan(wo + p % g.Cin * khw, khw), ya.AsSpan(p * g.L, g.L), g, d.Q);
            ArrayPool<T>.Shared.Return(buf);
        });
    }

    /// <summary>a·b + c rounded once, lane by lane (float or double).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Fma<T>(Vector512<T> a, Vector512<T> b, Vector512<T> c) where T : unmanaged =>
        typeof(T) == typeof(float)
            ? Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
            : Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();

    /// <summary>One output plane: y[oh, ow] = Σ_{i, j} w[i, j]·padded[oh·SH + i·DH, ow + j·DW].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Plane<T>(T[] buf, ReadOnlySpan<T> wk, Span<T> yp, in ConvGeometry g, int q)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int v = Vector512<T>.Count, khw = g.KH * g.KW;
        ref var b0 = ref MemoryMarshal.GetArrayDataReference(buf);
        ref var y0 = ref MemoryMarshal.GetReference(yp);
        Span<Vector512<T>> wv = stackalloc Vector512<T>[khw];
        for (var t = 0; t < khw; t++) wv[t] = Vector512.Create(wk[t]);
        var oh = 0;
        if (g.OW >= v)
            for (; oh + 2 <= g.OH; oh += 2)
                RowPair(ref b0, wv, ref Unsafe.Add(ref y0, oh * g.OW), g, q, oh);
        for (; oh < g.OH; oh++)
        {
            ref var yr = ref Unsafe.Add(ref y0, oh * g.OW);
            var ow = 0;
            for (; ow + 2 * v <= g.OW; ow += 2 * v)
            {
                Vector512<T> a0 = Vector512<T>.Zero, a1 = a0;
                for (var i = 0; i < g.KH; i++)
                {
                    ref var row = ref Unsafe.Add(ref b0, (oh * g.SH + i * g.DH) * q + ow);
                    for (var j = 0; j < g.KW; j++)
                    {
                        var wt = wv[i * g.KW + j];
                        ref var src = ref Unsafe.Add(ref row, j * g.DW);
                        a0 = Fma(wt, Vector512.LoadUnsafe(ref src), a0);
                        a1 = Fma(wt, Vector512.LoadUnsafe(ref src, (nuint)v), a1);
                    }
                }
                a0.StoreUnsafe(ref yr, (nuint)ow);
                a1.StoreUnsafe(ref yr, (nuint)(ow + v));
            }
            if (g.OW >= v)
            {
                // The rest (under two vectors): one vector, then one ending at OW (overlap rewrites equal values).
                for (var k = 0; ow < g.OW && k < 2; k++)
                {
                    var at = Math.Min(ow, g.OW - v);
                    var acc = Vector512<T>.Zero;
                    for (var i = 0; i < g.KH; i++)
                    {
                        ref var row = ref Unsafe.Add(ref b0, (oh * g.SH + i * g.DH) * q + at);
                        for (var j = 0; j < g.KW; j++)
                            acc = Fma(wv[i * g.KW + j],
                                Vector512.LoadUnsafe(ref Unsafe.Add(ref row, j * g.DW)), acc);
                    }
                    acc.StoreUnsafe(ref yr, (nuint)at);
                    ow = at + v;
                }
                continue;
            }
            for (; ow < g.OW; ow++)
            {
                var s = T.Zero;
                for (var i = 0; i < g.KH; i++)
                for (var j = 0; j < g.KW; j++)
                    s = T.FusedMultiplyAdd(wk[i * g.KW + j], buf[(oh * g.SH + i * g.DH) * q + ow + j * g.DW], s);
                Unsafe.Add(ref yr, ow) = s;
            }
        }
    }

    /// <summary>Output rows oh and oh + 1 (OW ≥ one vector): two rows × two vectors of independent accumulators,
    /// so the fused multiply-add chains overlap; the ragged end as one overlapping vector per row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowPair<T>(ref T b0, ReadOnlySpan<Vector512<T>> wv, ref T yr, in ConvGeometry g, int q, int oh)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int v = Vector512<T>.Count, down = g.SH * q;
        ref var y1 = ref Unsafe.Add(ref yr, g.OW);
        var ow = 0;
        for (; ow + 2 * v <= g.OW; ow += 2 * v)
        {
            Vector512<T> a0 = Vector512<T>.Zero, a1 = a0, c0 = a0, c1 = a0;
            for (var i = 0; i < g.KH; i++)
            {
                ref var row = ref Unsafe.Add(ref b0, (oh * g.SH + i * g.DH) * q + ow);
                for (var j = 0; j < g.KW; j++)
                {
                    var wt = wv[i * g.KW + j];
                    ref var src = ref Unsafe.Add(ref row, j * g.DW);
                    ref var nxt = ref Unsafe.Add(ref src, down);
                    a0 = Fma(wt, Vector512.LoadUnsafe(ref src), a0);
                    a1 = Fma(wt, Vector512.LoadUnsafe(ref src, (nuint)v), a1);
                    c0 = Fma(wt, Vector512.LoadUnsafe(ref nxt), c0);
                    c1 = Fma(wt, Vector512.LoadUnsafe(ref nxt, (nuint)v), c1);
                }
            }
            a0.StoreUnsafe(ref yr, (nuint)ow);
            a1.StoreUnsafe(ref yr, (nuint)(ow + v));
            c0.StoreUnsafe(ref y1, (nuint)ow);
            c1.StoreUnsafe(ref y1, (nuint)(ow + v));
        }
        for (var k = 0; ow < g.OW && k < 2; k++)
        {
            var at = Math.Min(ow, g.OW - v);
            Vector512<T> a0 = Vector512<T>.Zero, c0 = a0;
            for (var i = 0; i < g.KH; i++)
            {
                ref var row = ref Unsafe.Add(ref b0, (oh * g.SH + i * g.DH) * q + at);
                for (var j = 0; j < g.KW; j++)
                {
                    var wt = wv[i * g.KW + j];
                    ref var src = ref Unsafe.Add(ref row, j * g.DW);
                    a0 = Fma(wt, Vector512.LoadUnsafe(ref src), a0);
                    c0 = Fma(wt, Vector512.LoadUnsafe(ref Unsafe.Add(ref src, down)), c0);
                }
            }
            a0.StoreUnsafe(ref yr, (nuint)at);
            c0.StoreUnsafe(ref y1, (nuint)at);
            ow = at + v;
        }
    }
}
