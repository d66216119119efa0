using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Scratch;

internal sealed partial class BorderAlignKernel
{
    /// <summary>Boxes per block: their outputs are written as one contiguous run of 4·Block values per channel.
    /// </summary>
    private const int Block = 16;

    /// <summary>The Cpu forward: the input is copied once to channels-last [n, H·W, 4C]; each block of boxes runs its
    /// samples with <see cref="Vector{T}"/> lanes across the C channels of a side (value w₁v₁ + w₂v₂ + w₃v₃ + w₄v₄ in
    /// the scalar order, running maximum with a strict &gt; so the first maximum wins, its sample index kept as a
    /// T lane), then scatters [block, 4, C] into y[n, C, K, 4]. Bitwise identical to the scalar kernel.</summary>
    private void ForwardChannelsLast<T>(T[] x, long xo, T[] b, long bo, T[] y, int[] argmax)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var plane = h * w;
        var width = 4 * c;
        var cl = ArrayPool<T>.Shared.Rent(checked(n * plane * width));
        try
        {
            Parallel.For(0, n * width, p =>
            {
                var (ni, ch) = (p / width, p % width);
                var src = x.AsSpan(checked((int)(xo + ((long)ni * width + ch) * plane)), plane);
                var dst = cl.AsSpan(ni * plane * width + ch);
                for (var q = 0; q < src.Length; q++) dst[q * width] = src[q];
            });
            var blocks = (k + Block - 1) / Block;
            Parallel.For(0, n * blocks, nb =>
            {
                var (ni, k0) = (nb / blocks, nb % blocks * Block);
                var count = Math.Min(Block, k - k0);
                // Every (box, side, channel) entry is written below before it is read: pooled, not zeroed.
                var best = ArrayPool<T>.Shared.Rent(count * width);
                var arg = ArrayPool<T>.Shared.Rent(count * width);
                var samples = new BilinearSample<T>[4 * (pool + 1)];
                for (var kb = 0; kb < count; kb++)
                {
                    var box = bo + ((long)ni * k + k0 + kb) * 4;
                    for (var s = 0; s < 4; s++)
                        for (var i = 0; i <= pool; i++)
                            samples[s * (pool + 1) + i] = Sample(b, box, s, i);
                    for (var s = 0; s < 4; s++)
                        SideChannelsLast(cl, ni * plane * width + s * c, width,
                            samples.AsSpan(s * (pool + 1), pool + 1), best.AsSpan((kb * 4 + s) * c, c),
                            arg.AsSpan((kb * 4 + s) * c, c));
                }
                for (var ci = 0; ci < c; ci++)
                {
                    var o = (((long)ni * c + ci) * k + k0) * 4;
                    for (var kb = 0; kb < count; kb++)
                        for (var s = 0; s < 4; s++)
                        {
                            y[o + kb * 4 + s] = best[(kb * 4 + s) * c + ci];
                            argmax[o + kb * 4 + s] = int.CreateTruncating(arg[(kb * 4 + s) * c + ci]);
                        }
                }
                ArrayPool<T>.Shared.Return(arg);
                ArrayPool<T>.Shared.Return(best);
            });
        }
        finally
        {
            ArrayPool<T>.Shared.Return(cl);
        }
    }

    /// <summary>Max over the samples of one side for the C channels starting at cl[start] (row stride width).
    /// </summary>
    private static void SideChannelsLast<T>(T[] cl, int start, int width, ReadOnlySpan<BilinearSample<T>> side,
        Span<T> best, Span<T> arg) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var vn = Vector<T>.Count;
        var c = best.Length;
        // Sample offsets lie in [0, H·W) when valid, so the reads stay inside image ni's rows of cl.
        ref var at = ref cl[start];
        var ci = 0;
        for (; ci <= c - vn; ci += vn)
        {
            ref var chans = ref Unsafe.Add(ref at, ci);
            var top = Read(ref chans, width, side[0]);
            var where = Vector<T>.Zero;
            for (var i = 1; i < side.Length; i++)
            {
                var v = Read(ref chans, width, side[i]);
                var greater = Vector.GreaterThan(v, top);
                top = Vector.ConditionalSelect(greater, v, top);
                where = Vector.ConditionalSelect(greater, new Vector<T>(T.CreateChecked(i)), where);
            }
            top.CopyTo(best[ci..]);
            where.CopyTo(arg[ci..]);
        }
        for (; ci < c; ci++)
        {
            ref var chan = ref Unsafe.Add(ref at, ci);
            var (top, where) = (ReadScalar(ref chan, width, side[0]), 0);
            for (var i = 1; i < side.Length; i++)
            {
                var v = ReadScalar(ref chan, width, side[i]);
                if (v > top) (top, where) = (v, i);
            }
            best[ci] = top;
            arg[ci] = T.CreateChecked(where);
        }
    }

    private static Vector<T> Read<T>(ref T chans, int width, BilinearSample<T> p)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        p.Valid
            ? new Vector<T>(p.W1) * Vector.LoadUnsafe(ref chans, (nuint)(p.P1 * width)) +
              new Vector<T>(p.W2) * Vector.LoadUnsafe(ref chans, (nuint)(p.P2 * width)) +
              new Vector<T>(p.W3) * Vector.LoadUnsafe(ref chans, (nuint)(p.P3 * width)) +
              new Vector<T>(p.W4) * Vector.LoadUnsafe(ref chans, (nuint)(p.P4 * width))
            : Vector<T>.Zero;

    private static T ReadScalar<T>(ref T chan, int width, BilinearSample<T> p)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        p.Valid
            ? p.W1 * Unsafe.Add(ref chan, p.P1 * width) + p.W2 * Unsafe.Add(ref chan, p.P2 * width) +
              p.W3 * Unsafe.Add(ref chan, p.P3 * width) + p.W4 * Unsafe.Add(ref chan, p.P4 * width)
            : T.Zero;
}
