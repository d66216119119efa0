using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Scratch;

internal sealed partial class RoIAlignGeometry
{
    /// <summary>Channels in the channels-last copy: all input channels, or in position-sensitive mode the
    /// cout·ph·pw channels that some bin reads.</summary>
    private int ChannelsLastWidth => positionSensitive ? _cout * ph * pw : _c;

    /// <summary>The Cpu forward: the input is copied once to a channels-last layout [n, H·W, channels] (in
    /// position-sensitive mode the channels are reordered so that bin b's cout channels are contiguous), then each
    /// RoI accumulates its bins with <see cref="Vector{T}"/> lanes across channels into a [bins, cout] buffer that
    /// is transposed into the output. Per channel the arithmetic is the scalar kernel's, in the same order
    /// (Σ over samples of w₁v₁ + w₂v₂ + w₃v₃ + w₄v₄, then ÷ count), so results are bitwise identical.</summary>
    private void ForwardChannelsLast<T>(T[] x, long xo, T[] r, long ro, T[] y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var k = batch.Length;
        if (k == 0 || _cout == 0) return;
        var plane = _h * _w;
        var n = batch.Max() + 1;
        var width = ChannelsLastWidth;
        var cl = ArrayPool<T>.Shared.Rent(checked(n * plane * width));
        try
        {
            ToChannelsLast(x, xo, cl, n, plane, width);
            var chunks = Math.Min(k, Environment.ProcessorCount * 8);
            Parallel.For(0, chunks, ci =>
            {
                var acc = new T[ph * pw * _cout];
                for (var roi = (int)((long)k * ci / chunks); roi < (int)((long)k * (ci + 1) / chunks); roi++)
                    RoiChannelsLast(cl, width, plane, r, ro, roi, acc, y);
            });
        }
        finally
        {
            ArrayPool<T>.Shared.Return(cl);
        }
    }

    /// <summary>cl[(b·plane + p)·width + dst(ch)] = x[(b·C + ch)·plane + p] for the first n images, where dst is the
    /// identity or, in position-sensitive mode, c·ph·pw + bin ↦ bin·cout + c.</summary>
    private void ToChannelsLast<T>(T[] x, long xo, T[] cl, int n, int plane, int width)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var bins = ph * pw;
        Parallel.For(0, n * _h, row =>
        {
            var (b, yy) = (row / _h, row % _h);
            for (var ch = 0; ch < width; ch++)
            {
                var dstCh = positionSensitive ? ch % bins * _cout + ch / bins : ch;
                var src = x.AsSpan(checked((int)(xo + ((long)b * _c + ch) * plane + (long)yy * _w)), _w);
                var dst = cl.AsSpan((b * plane + yy * _w) * width + dstCh);
                for (var xx = 0; xx < src.Length; xx++) dst[xx * width] = src[xx];
            }
        });
    }

    /// <summary>One RoI of the channels-last forward: bins × (channel vectors, then a scalar tail) × samples, then
    /// the [bins, cout] buffer is divided by the count and transposed into y[roi].</summary>
    private void RoiChannelsLast<T>(T[] cl, int width, int plane, T[] r, long ro, int roi, T[] acc, T[] y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (pos, wts, count) = Precompute<T>(r, ro + 5L * roi);
        var norm = Roi(r, ro + 5L * roi).Count;
        var bins = ph * pw;
        var vn = Vector<T>.Count;
        var vnorm = new Vector<T>(norm);
        // Offsets are validated by Precompute (each in [0, H·W) or −1), and width·plane·n fits cl, so the reads
        // below stay inside cl.
        ref var img = ref cl[(long)batch[roi] * plane * width];
        for (var bin = 0; bin < bins; bin++)
        {
            ref var chans = ref Unsafe.Add(ref img, positionSensitive ? bin * _cout : 0);
            var first = bin * count * 4;
            var c = 0;
            for (; c <= _cout - vn; c += vn)
            {
                ref var at = ref Unsafe.Add(ref chans, c);
                var sum = Vector<T>.Zero;
                for (var (s, q) = (0, first); s < count; s++, q += 4)
                {
                    if (pos[q] < 0) continue;
                    sum += new Vector<T>(wts[q]) * Vector.LoadUnsafe(ref at, (nuint)(pos[q] * width)) +
                        new Vector<T>(wts[q + 1]) * Vector.LoadUnsafe(ref at, (nuint)(pos[q + 1] * width)) +
                        new Vector<T>(wts[q + 2]) * Vector.LoadUnsafe(ref at, (nuint)(pos[q + 2] * width)) +
                        new Vector<T>(wts[q + 3]) * Vector.LoadUnsafe(ref at, (nuint)(pos[q + 3] * width));
                }
                (sum / vnorm).StoreUnsafe(ref acc[bin * _cout + c]);
            }
            for (; c < _cout; c++)
            {
                ref var at = ref Unsafe.Add(ref chans, c);
                var sum = T.Zero;
                for (var (s, q) = (0, first); s < count; s++, q += 4)
                {
                    if (pos[q] < 0) continue;
                    sum += wts[q] * Unsafe.Add(ref at, pos[q] * width) +
                        wts[q + 1] * Unsafe.Add(ref at, pos[q + 1] * width) +
                        wts[q + 2] * Unsafe.Add(ref at, pos[q + 2] * width) +
                        wts[q + 3] * Unsafe.Add(ref at, pos[q + 3] * width);
                }
                acc[bin * _cout + c] = sum / norm;
            }
        }
        var dst = y.AsSpan(roi * _cout * bins, _cout * bins);
        for (var c = 0; c < _cout; c++)
        {
            var row = dst.Slice(c * bins, bins);
            for (var bin = 0; bin < row.Length; bin++) row[bin] = acc[bin * _cout + c];
        }
    }
}
