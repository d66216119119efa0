using System.Numerics;

namespace Scratch.Ops;

/// <summary>The Cpu fast path for nearest 2× upsampling (the FPN top-down step): each input row is written as two
/// duplicated-column output rows (forward), and each 2×2 output block is summed back onto its source element
/// (backward). Planes run in parallel when the tensor is large.</summary>
internal static class Nearest2x
{
    /// <summary>True when <paramref name="a"/> maps output o to input o/2 with weight exactly 1.</summary>
    public static bool Is(InterpAxis a)
    {
        if (a.OutSize != 2 * a.InSize) return false;
        for (var o = 0; o < a.OutSize; o++)
            if (a.I0[o] != o >> 1 || a.L0[o] != 1 || a.L1[o] != 0) return false;
        return true;
    }

    private static void Planes(int planes, long work, Action<int> body)
    {
        if (planes > 1 && work >= 1 << 15) Parallel.For(0, planes, body);
        else
            for (var p = 0; p < planes; p++) body(p);
    }

    /// <summary>y[p, 2i + a, 2j + b] = x[p, i, j] for a, b ∈ {0, 1}.</summary>
    public static void Forward<T>(T[] x, int xo, T[] y, int planes, int h, int w) where T : unmanaged
    {
        int ow = 2 * w, outPlane = 4 * h * w;
        Planes(planes, (long)planes * outPlane, p =>
        {
            for (var i = 0; i < h; i++)
            {
                var src = new ReadOnlySpan<T>(x, xo + (p * h + i) * w, w);
                var dst = new Span<T>(y, p * outPlane + 2 * i * ow, ow);
                for (var j = 0; j < w; j++) dst[2 * j] = dst[2 * j + 1] = src[j];
                dst.CopyTo(new Span<T>(y, p * outPlane + (2 * i + 1) * ow, ow));
            }
        });
    }

    /// <summary>gx[p, i, j] = Σ_{a, b ∈ {0, 1}} g[p, 2i + a, 2j + b].</summary>
    public static void Backward<T>(T[] g, int go, T[] gx, int planes, int h, int w)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int ow = 2 * w, outPlane = 4 * h * w;
        Planes(planes, (long)planes * outPlane, p =>
        {
            for (var i = 0; i < h; i++)
            {
                var r0 = new ReadOnlySpan<T>(g, go + p * outPlane + 2 * i * ow, ow);
                var r1 = new ReadOnlySpan<T>(g, go + p * outPlane + (2 * i + 1) * ow, ow);
                var dst = new Span<T>(gx, (p * h + i) * w, w);
                for (var j = 0; j < w; j++) dst[j] = r0[2 * j] + r0[2 * j + 1] + r1[2 * j] + r1[2 * j + 1];
            }
        });
    }
}
