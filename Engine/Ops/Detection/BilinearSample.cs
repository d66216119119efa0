using System.Numerics;

namespace Scratch;

/// <summary>One detectron-style bilinear sample of an H×W plane: the 4 corner offsets (row-major into the plane) and
/// their weights. <see cref="Valid"/> is false for points outside [−1, H] × [−1, W], which read 0.</summary>
internal readonly record struct BilinearSample<T>(int P1, int P2, int P3, int P4, T W1, T W2, T W3, T W4)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Whether the sample reads the plane at all.</summary>
    public bool Valid => P1 >= 0;

    /// <summary>The sample at (y, x) of an h×w plane (Caffe2/detectron rules, as torchvision's roi_align and cvpods'
    /// border_align): outside [−1, h] × [−1, w] → invalid (value 0); negative coordinates clamp to 0; a coordinate at
    /// or past the last row/column reads that row/column only.</summary>
    public static BilinearSample<T> At(T y, T x, int h, int w)
    {
        if (y < -T.One || y > T.CreateChecked(h) || x < -T.One || x > T.CreateChecked(w) || h == 0 || w == 0)
            return new(-1, -1, -1, -1, T.Zero, T.Zero, T.Zero, T.Zero);
        if (y <= T.Zero) y = T.Zero;
        if (x <= T.Zero) x = T.Zero;
        var yLow = int.CreateTruncating(y);
        var xLow = int.CreateTruncating(x);
        int yHigh, xHigh;
        if (yLow >= h - 1)
        {
            yHigh = yLow = h - 1;
            y = T.CreateChecked(yLow);
        }
        else yHigh = yLow + 1;
        if (xLow >= w - 1)
        {
            xHigh = xLow = w - 1;
            x = T.CreateChecked(xLow);
        }
        else xHigh = xLow + 1;
        var ly = y - T.CreateChecked(yLow);
        var lx = x - T.CreateChecked(xLow);
        var (hy, hx) = (T.One - ly, T.One - lx);
        return new(yLow * w + xLow, yLow * w + xHigh, yHigh * w + xLow, yHigh * w + xHigh,
            hy * hx, hy * lx, ly * hx, ly * lx);
    }

    /// <summary>The interpolated value of the plane starting at src (0 when invalid).</summary>
    public T Read(T[] plane, long src) =>
        Valid ? W1 * plane[src + P1] + W2 * plane[src + P2] + W3 * plane[src + P3] + W4 * plane[src + P4] : T.Zero;

    /// <summary>Adds g·wₙ to the 4 corners of the plane starting at dst (nothing when invalid).</summary>
    public void Scatter(T[] plane, long dst, T g)
    {
        if (!Valid) return;
        plane[dst + P1] += g * W1;
        plane[dst + P2] += g * W2;
        plane[dst + P3] += g * W3;
        plane[dst + P4] += g * W4;
    }
}
