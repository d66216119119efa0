namespace Scratch.Data;

/// <summary>Host kernels on <c>[C, H, W]</c> float images and <c>[K, H, W]</c> byte masks used by the transforms.</summary>
internal static class ImageKernels
{
    /// <summary>Bilinear resize of the rectangle <c>[y0, y0+ch) × [x0, x0+cw)</c> of <paramref name="src"/> to
    /// <paramref name="oh"/>×<paramref name="ow"/> with half-pixel centres (PyTorch <c>align_corners=False</c>,
    /// no antialias); sample positions are clamped to the rectangle.</summary>
    public static float[] ResizeBilinear(float[] src, int c, int h, int w, int y0, int x0, int ch, int cw, int oh, int ow)
    {
        var dst = new float[(long)c * oh * ow];
        var sy = (double)ch / oh;
        var sx = (double)cw / ow;
        var xi0 = new int[ow];
        var xi1 = new int[ow];
        var xf = new float[ow];
        for (var j = 0; j < ow; j++)
        {
            var fx = Math.Clamp((j + 0.5) * sx - 0.5, 0, cw - 1);
            var i = (int)fx;
            xi0[j] = x0 + i;
            xi1[j] = x0 + Math.Min(i + 1, cw - 1);
            xf[j] = (float)(fx - i);
        }
        for (var p = 0; p < c; p++)
        {
            var plane = p * h * w;
            for (var r = 0; r < oh; r++)
            {
                var fy = Math.Clamp((r + 0.5) * sy - 0.5, 0, ch - 1);
                var i = (int)fy;
                var wy = (float)(fy - i);
                var row0 = plane + (y0 + i) * w;
                var row1 = plane + (y0 + Math.Min(i + 1, ch - 1)) * w;
                var o = ((long)p * oh + r) * ow;
                for (var j = 0; j < ow; j++)
                {
                    var a = src[row0 + xi0[j]] + (src[row0 + xi1[j]] - src[row0 + xi0[j]]) * xf[j];
                    var b = src[row1 + xi0[j]] + (src[row1 + xi1[j]] - src[row1 + xi0[j]]) * xf[j];
                    dst[o + j] = a + (b - a) * wy;
                }
            }
        }
        return dst;
    }

    /// <summary>Nearest resize (half-pixel centres: destination pixel <c>j</c> takes source
    /// <c>floor((j + 0.5)·cw/ow)</c>) of the rectangle of each of <paramref name="k"/> masks.</summary>
    public static byte[] ResizeNearest(byte[] src, int k, int h, int w, int y0, int x0, int ch, int cw, int oh, int ow)
    {
        var dst = new byte[(long)k * oh * ow];
        var xs = new int[ow];
        for (var j = 0; j < ow; j++) xs[j] = x0 + Math.Min((int)((j + 0.5) * cw / ow), cw - 1);
        for (var m = 0; m < k; m++)
        {
            for (var r = 0; r < oh; r++)
            {
                var sr = y0 + Math.Min((int)((r + 0.5) * ch / oh), ch - 1);
                var srow = (long)m * h * w + (long)sr * w;
                var o = ((long)m * oh + r) * ow;
                for (var j = 0; j < ow; j++) dst[o + j] = src[srow + xs[j]];
            }
        }
        return dst;
    }

    /// <summary>Mirrors each of <paramref name="planes"/> rows of length <paramref name="w"/> left to right.</summary>
    public static T[] FlipRows<T>(T[] src, long planes, int h, int w)
    {
        var dst = new T[src.LongLength];
        var rows = planes * h;
        for (long r = 0; r < rows; r++)
        {
            var s = src.AsSpan((int)(r * w), w);
            var d = dst.AsSpan((int)(r * w), w);
            s.CopyTo(d);
            d.Reverse();
        }
        return dst;
    }

    /// <summary>Copies each <paramref name="h"/>×<paramref name="w"/> plane into the top-left corner of a zero (or
    /// <paramref name="fill"/>) <paramref name="oh"/>×<paramref name="ow"/> plane.</summary>
    public static T[] PadBottomRight<T>(T[] src, int planes, int h, int w, int oh, int ow, T fill)
    {
        var dst = new T[(long)planes * oh * ow];
        if (!EqualityComparer<T>.Default.Equals(fill, default!)) Array.Fill(dst, fill);
        for (var p = 0; p < planes; p++)
            for (var r = 0; r < h; r++)
                src.AsSpan(p * h * w + r * w, w).CopyTo(dst.AsSpan(p * oh * ow + r * ow, w));
        return dst;
    }

    /// <summary>Separable Gaussian blur of each plane with standard deviation <paramref name="sigma"/>, kernel
    /// radius <c>ceil(3σ)</c>, replicated borders.</summary>
    public static float[] GaussianBlur(float[] src, int c, int h, int w, double sigma)
    {
        var radius = Math.Max(1, (int)Math.Ceiling(3 * sigma));
        var kernel = new float[2 * radius + 1];
        double sum = 0;
        for (var i = -radius; i <= radius; i++) sum += kernel[i + radius] = (float)Math.Exp(-0.5 * i * i / (sigma * sigma));
        for (var i = 0; i < kernel.Length; i++) kernel[i] = (float)(kernel[i] / sum);
        var tmp = new float[src.Length];
        var dst = new float[src.Length];
        for (var p = 0; p < c; p++)
        {
            var b = p * h * w;
            for (var r = 0; r < h; r++)
                for (var x = 0; x < w; x++)
                {
                    float acc = 0;
                    for (var i = -radius; i <= radius; i++) acc += kernel[i + radius] * src[b + r * w + Math.Clamp(x + i, 0, w - 1)];
                    tmp[b + r * w + x] = acc;
                }
            for (var r = 0; r < h; r++)
                for (var x = 0; x < w; x++)
                {
                    float acc = 0;
                    for (var i = -radius; i <= radius; i++) acc += kernel[i + radius] * tmp[b + Math.Clamp(r + i, 0, h - 1) * w + x];
                    dst[b + r * w + x] = acc;
                }
        }
        return dst;
    }
}
