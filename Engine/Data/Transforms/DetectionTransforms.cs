namespace Scratch.Data;

/// <summary>A sample-to-sample transform; all randomness comes from the <see cref="Generator"/> passed in, so the same
/// generator state gives the same output.</summary>
public interface IDetectionTransform
{
    /// <summary>Transforms <paramref name="sample"/> (never modified) drawing from <paramref name="rng"/>.</summary>
    DetectionSample Apply(DetectionSample sample, Generator rng);
}

/// <summary>Applies transforms in order.</summary>
public sealed class Compose(params IDetectionTransform[] transforms) : IDetectionTransform
{
    /// <inheritdoc/>
    public DetectionSample Apply(DetectionSample sample, Generator rng)
    {
        foreach (var t in transforms) sample = t.Apply(sample, rng);
        return sample;
    }
}

/// <summary>Geometry shared by the transforms: crop a rectangle, resize it, map the boxes and masks.</summary>
public static class DetectionGeometry
{
    /// <summary>Crops the integer rectangle <c>[y0, y0+ch) × [x0, x0+cw)</c> (inside the image) and resizes it to
    /// <paramref name="oh"/>×<paramref name="ow"/>: image bilinear (half-pixel centres), masks nearest. Box
    /// coordinates map exactly, <c>x' = (x − x0)·ow/cw</c>, <c>y' = (y − y0)·oh/ch</c>, are clipped to the output and
    /// an instance is dropped (with its label and mask) when its clipped box is narrower or shorter than
    /// <paramref name="minSize"/> pixels or its mask became empty.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The rectangle leaves the image or a size is not positive.</exception>
    public static DetectionSample CropResize(DetectionSample s, int y0, int x0, int ch, int cw, int oh, int ow, float minSize = 1f)
    {
        ArgumentNullException.ThrowIfNull(s);
        if (ch < 1 || cw < 1 || y0 < 0 || x0 < 0 || y0 + ch > s.Height || x0 + cw > s.Width)
            throw new ArgumentOutOfRangeException(nameof(ch), $"CropResize: rectangle y0={y0} x0={x0} h={ch} w={cw} must lie inside the {s.Height}x{s.Width} image.");
        if (oh < 1 || ow < 1)
            throw new ArgumentOutOfRangeException(nameof(oh), $"CropResize: output size must be >= 1, got {oh}x{ow}.");
        var whole = y0 == 0 && x0 == 0 && ch == s.Height && cw == s.Width && oh == s.Height && ow == s.Width;
        var image = whole ? s.Image : ImageKernels.ResizeBilinear(s.Image, s.Channels, s.Height, s.Width, y0, x0, ch, cw, oh, ow);
        var masks = s.Masks is null ? null : whole ? s.Masks : ImageKernels.ResizeNearest(s.Masks, s.Count, s.Height, s.Width, y0, x0, ch, cw, oh, ow);
        double fx = (double)ow / cw, fy = (double)oh / ch;
        var boxes = new float[s.Boxes.Length];
        for (var k = 0; k < s.Count; k++)
        {
            boxes[4 * k] = (float)Math.Clamp((s.Boxes[4 * k] - x0) * fx, 0, ow);
            boxes[4 * k + 1] = (float)Math.Clamp((s.Boxes[4 * k + 1] - y0) * fy, 0, oh);
            boxes[4 * k + 2] = (float)Math.Clamp((s.Boxes[4 * k + 2] - x0) * fx, 0, ow);
            boxes[4 * k + 3] = (float)Math.Clamp((s.Boxes[4 * k + 3] - y0) * fy, 0, oh);
        }
        return Filter(s, image, oh, ow, boxes, masks, minSize);
    }

    /// <summary>Keeps the instances whose box is at least <paramref name="minSize"/> wide and tall and whose mask (if
    /// any) is non-empty.</summary>
    internal static DetectionSample Filter(DetectionSample s, float[] image, int h, int w, float[] boxes, byte[]? masks, float minSize)
    {
        var keep = new List<int>(s.Count);
        var plane = h * w;
        for (var k = 0; k < s.Count; k++)
        {
            if (boxes[4 * k + 2] - boxes[4 * k] < minSize || boxes[4 * k + 3] - boxes[4 * k + 1] < minSize) continue;
            if (masks is not null && masks.AsSpan(k * plane, plane).IndexOfAnyExcept((byte)0) < 0) continue;
            keep.Add(k);
        }
        if (keep.Count == s.Count) return s.With(image, h, w, boxes, s.Labels, masks);
        var nb = new float[keep.Count * 4];
        var nl = new int[keep.Count];
        var nm = masks is null ? null : new byte[(long)keep.Count * plane];
        for (var i = 0; i < keep.Count; i++)
        {
            boxes.AsSpan(4 * keep[i], 4).CopyTo(nb.AsSpan(4 * i));
            nl[i] = s.Labels[keep[i]];
            masks?.AsSpan(keep[i] * plane, plane).CopyTo(nm.AsSpan(i * plane));
        }
        return s.With(image, h, w, nb, nl, nm);
    }

    /// <summary>Resizes the whole image to <paramref name="oh"/>×<paramref name="ow"/> (boxes scale by exactly
    /// <c>ow/W</c> and <c>oh/H</c>).</summary>
    public static DetectionSample Resize(DetectionSample s, int oh, int ow, float minSize = 0f) =>
        CropResize(s, 0, 0, s.Height, s.Width, oh, ow, minSize);
}

/// <summary>Resizes so that the shorter edge is <c>ShortEdge</c> (drawn from <paramref name="shortEdges"/>) unless the
/// longer edge would then exceed <paramref name="maxSize"/>, in which case the longer edge becomes
/// <paramref name="maxSize"/> (detectron2 <c>ResizeShortestEdge</c>). Output sizes are rounded to whole pixels and
/// boxes scale by exactly the realised ratios.</summary>
public sealed class ResizeShortestEdge(int[] shortEdges, int maxSize) : IDetectionTransform
{
    /// <summary>One fixed shorter edge.</summary>
    public ResizeShortestEdge(int shortEdge, int maxSize) : this([shortEdge], maxSize) { }

    /// <inheritdoc/>
    public DetectionSample Apply(DetectionSample s, Generator rng)
    {
        if (shortEdges is not { Length: > 0 } || shortEdges.Any(e => e < 1) || maxSize < 1)
            throw new ArgumentOutOfRangeException(nameof(shortEdges), "ResizeShortestEdge: shortEdges must be non-empty and >= 1, maxSize >= 1.");
        var edge = shortEdges.Length == 1 ? shortEdges[0] : shortEdges[rng.NextInt64(shortEdges.Length)];
        var (oh, ow) = Size(s.Height, s.Width, edge, maxSize);
        return DetectionGeometry.Resize(s, oh, ow);
    }

    /// <summary>The output size for an <paramref name="h"/>×<paramref name="w"/> input.</summary>
    public static (int H, int W) Size(int h, int w, int shortEdge, int maxSize)
    {
        var scale = (double)shortEdge / Math.Min(h, w);
        if (Math.Max(h, w) * scale > maxSize) scale = (double)maxSize / Math.Max(h, w);
        return (Math.Max(1, (int)Math.Round(h * scale)), Math.Max(1, (int)Math.Round(w * scale)));
    }
}

/// <summary>Mirrors image, boxes (<c>x1' = W − x2, x2' = W − x1</c>) and masks left-right with probability
/// <paramref name="p"/> (one draw from the generator either way).</summary>
public sealed class RandomHorizontalFlip(double p = 0.5) : IDetectionTransform
{
    /// <inheritdoc/>
    public DetectionSample Apply(DetectionSample s, Generator rng) => rng.NextDouble() < p ? Flip(s) : s;

    /// <summary>The deterministic flip.</summary>
    public static DetectionSample Flip(DetectionSample s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var boxes = new float[s.Boxes.Length];
        for (var k = 0; k < s.Count; k++)
        {
            boxes[4 * k] = s.Width - s.Boxes[4 * k + 2];
            boxes[4 * k + 1] = s.Boxes[4 * k + 1];
            boxes[4 * k + 2] = s.Width - s.Boxes[4 * k];
            boxes[4 * k + 3] = s.Boxes[4 * k + 3];
        }
        var masks = s.Masks is null ? null : ImageKernels.FlipRows(s.Masks, s.Count, s.Height, s.Width);
        return s.With(ImageKernels.FlipRows(s.Image, s.Channels, s.Height, s.Width), s.Height, s.Width, boxes, s.Labels, masks);
    }
}

/// <summary>torchvision <c>RandomResizedCrop</c> for detection: a crop of area fraction in
/// <paramref name="scaleMin"/>..<paramref name="scaleMax"/> and aspect ratio (w/h, log-uniform) in
/// <paramref name="ratioMin"/>..<paramref name="ratioMax"/> (10 tries, then the centre crop of the clamped ratio),
/// resized to <paramref name="outHeight"/>×<paramref name="outWidth"/>. Boxes are clipped to the crop; instances whose
/// clipped box is smaller than <paramref name="minSize"/> pixels, or whose mask is empty, are dropped with their
/// labels and masks.</summary>
public sealed class RandomResizedCrop(int outHeight, int outWidth, double scaleMin = 0.3, double scaleMax = 1.0,
    double ratioMin = 3.0 / 4, double ratioMax = 4.0 / 3, float minSize = 2f) : IDetectionTransform
{
    /// <inheritdoc/>
    public DetectionSample Apply(DetectionSample s, Generator rng)
    {
        var (y0, x0, ch, cw) = CropBox(s.Height, s.Width, rng);
        return DetectionGeometry.CropResize(s, y0, x0, ch, cw, outHeight, outWidth, minSize);
    }

    /// <summary>The crop rectangle drawn for an <paramref name="h"/>×<paramref name="w"/> image.</summary>
    public (int Y0, int X0, int H, int W) CropBox(int h, int w, Generator rng)
    {
        double area = (double)h * w, lr0 = Math.Log(ratioMin), lr1 = Math.Log(ratioMax);
        for (var i = 0; i < 10; i++)
        {
            var target = area * (scaleMin + (scaleMax - scaleMin) * rng.NextDouble());
            var ratio = Math.Exp(lr0 + (lr1 - lr0) * rng.NextDouble());
            var cw = (int)Math.Round(Math.Sqrt(target * ratio));
            var ch = (int)Math.Round(Math.Sqrt(target / ratio));
            if (cw >= 1 && ch >= 1 && cw <= w && ch <= h)
                return ((int)rng.NextInt64(h - ch + 1), (int)rng.NextInt64(w - cw + 1), ch, cw);
        }
        var r = (double)w / h;
        int fw = w, fh = h;
        if (r < ratioMin) fh = Math.Max(1, (int)Math.Round(w / ratioMin));
        else if (r > ratioMax) fw = Math.Max(1, (int)Math.Round(h * ratioMax));
        return ((h - fh) / 2, (w - fw) / 2, fh, fw);
    }
}

/// <summary>Large-scale-jitter style resize: the image is resized by a factor drawn uniformly from
/// <paramref name="minScale"/>..<paramref name="maxScale"/> (sizes rounded, boxes scaled by the realised ratios).</summary>
public sealed class ScaleJitter(double minScale = 0.5, double maxScale = 2.0) : IDetectionTransform
{
    /// <inheritdoc/>
    public DetectionSample Apply(DetectionSample s, Generator rng)
    {
        var f = minScale + (maxScale - minScale) * rng.NextDouble();
        return DetectionGeometry.Resize(s, Math.Max(1, (int)Math.Round(s.Height * f)), Math.Max(1, (int)Math.Round(s.Width * f)), 1f);
    }
}
