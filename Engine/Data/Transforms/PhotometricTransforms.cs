namespace Scratch.Data;

/// <summary>Brightness then contrast jitter: <c>x·b</c> with <c>b ~ U[1−brightness, 1+brightness]</c>, then
/// <c>(x − m)·c + m</c> with <c>c ~ U[1−contrast, 1+contrast]</c> and <c>m</c> the mean over all pixels and channels,
/// results clamped to [0, 1] (torchvision <c>ColorJitter</c> on [0, 1] images; grey mean over channels rather than
/// luma). Geometry is unchanged.</summary>
public sealed class BrightnessContrast(double brightness = 0.4, double contrast = 0.4) : IDetectionTransform
{
    /// <inheritdoc/>
    public DetectionSample Apply(DetectionSample s, Generator rng)
    {
        var b = (float)(1 - brightness + 2 * brightness * rng.NextDouble());
        var c = (float)(1 - contrast + 2 * contrast * rng.NextDouble());
        var img = new float[s.Image.Length];
        double sum = 0;
        for (var i = 0; i < img.Length; i++) sum += img[i] = Math.Clamp(s.Image[i] * b, 0f, 1f);
        var m = (float)(sum / img.Length);
        for (var i = 0; i < img.Length; i++) img[i] = Math.Clamp((img[i] - m) * c + m, 0f, 1f);
        return s.With(img, s.Height, s.Width, s.Boxes, s.Labels, s.Masks);
    }
}

/// <summary>With probability <paramref name="p"/>, a separable Gaussian blur with σ ~ U[<paramref name="sigmaMin"/>,
/// <paramref name="sigmaMax"/>] (kernel radius ⌈3σ⌉, replicated borders). Geometry is unchanged.</summary>
public sealed class GaussianBlur(double sigmaMin = 0.1, double sigmaMax = 2.0, double p = 0.5) : IDetectionTransform
{
    /// <inheritdoc/>
    public DetectionSample Apply(DetectionSample s, Generator rng)
    {
        var draw = rng.NextDouble();
        var sigma = sigmaMin + (sigmaMax - sigmaMin) * rng.NextDouble();
        if (draw >= p || sigma <= 0) return s;
        return s.With(ImageKernels.GaussianBlur(s.Image, s.Channels, s.Height, s.Width, sigma), s.Height, s.Width, s.Boxes, s.Labels, s.Masks);
    }
}

/// <summary>Per-channel <c>(x − mean[c]) / std[c]</c>; one value each broadcasts over all channels.</summary>
public sealed class Normalize : IDetectionTransform
{
    private readonly float[] _mean, _std;

    /// <summary>Creates the transform.</summary>
    /// <exception cref="ArgumentException">Empty arrays, different lengths, or a std ≤ 0.</exception>
    public Normalize(float[] mean, float[] std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Length == 0 || mean.Length != std.Length)
            throw new ArgumentException($"Normalize: mean and std must be non-empty and of equal length, got {mean.Length} and {std.Length}.", nameof(std));
        if (std.Any(v => !(v > 0)))
            throw new ArgumentException("Normalize: every std must be > 0.", nameof(std));
        (_mean, _std) = (mean, std);
    }

    /// <inheritdoc/>
    public DetectionSample Apply(DetectionSample s, Generator rng)
    {
        if (_mean.Length != 1 && _mean.Length != s.Channels)
            throw new ArgumentException($"Normalize: mean has {_mean.Length} values but the image has {s.Channels} channels.", nameof(s));
        var img = new float[s.Image.Length];
        var plane = s.Height * s.Width;
        for (var c = 0; c < s.Channels; c++)
        {
            var m = _mean[_mean.Length == 1 ? 0 : c];
            var inv = 1f / _std[_std.Length == 1 ? 0 : c];
            for (var i = c * plane; i < (c + 1) * plane; i++) img[i] = (s.Image[i] - m) * inv;
        }
        return s.With(img, s.Height, s.Width, s.Boxes, s.Labels, s.Masks);
    }
}

/// <summary>Pads bottom and right with <paramref name="value"/> (masks with 0) so that height and width are multiples
/// of <paramref name="multiple"/>; boxes are unchanged.</summary>
public sealed class PadToMultiple(int multiple = 32, float value = 0f) : IDetectionTransform
{
    /// <inheritdoc/>
    public DetectionSample Apply(DetectionSample s, Generator rng)
    {
        if (multiple < 1) throw new ArgumentOutOfRangeException(nameof(multiple), multiple, "PadToMultiple: multiple must be >= 1.");
        var oh = (s.Height + multiple - 1) / multiple * multiple;
        var ow = (s.Width + multiple - 1) / multiple * multiple;
        if (oh == s.Height && ow == s.Width) return s;
        var img = ImageKernels.PadBottomRight(s.Image, s.Channels, s.Height, s.Width, oh, ow, value);
        var masks = s.Masks is null ? null : ImageKernels.PadBottomRight(s.Masks, s.Count, s.Height, s.Width, oh, ow, (byte)0);
        return s.With(img, oh, ow, s.Boxes, s.Labels, masks);
    }
}

/// <summary>2×2 mosaic: four samples are each resized to half the output size and placed in the quadrants top-left,
/// top-right, bottom-left, bottom-right (in argument order). Boxes are scaled and offset into their quadrant; masks
/// are placed on the full canvas; instances that become smaller than <paramref name="minSize"/> are dropped.</summary>
public sealed class Stitcher(int outHeight, int outWidth, float minSize = 1f)
{
    /// <summary>Builds the mosaic.</summary>
    /// <exception cref="ArgumentException">Not exactly four samples, or different channel counts. Masks must be present
    /// on all four or on none.</exception>
    public DetectionSample Stitch(IReadOnlyList<DetectionSample> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count != 4) throw new ArgumentException($"Stitcher.Stitch: parts must hold 4 samples, got {parts.Count}.", nameof(parts));
        var c = parts[0].Channels;
        var withMasks = parts[0].Masks is not null;
        if (parts.Any(p => p.Channels != c)) throw new ArgumentException("Stitcher.Stitch: parts must have equal channel counts.", nameof(parts));
        if (parts.Any(p => (p.Masks is not null) != withMasks)) throw new ArgumentException("Stitcher.Stitch: parts must all have masks or all lack them.", nameof(parts));
        if (outHeight < 2 || outWidth < 2) throw new ArgumentOutOfRangeException(nameof(parts), $"Stitcher: output must be at least 2x2, got {outHeight}x{outWidth}.");
        int hh = outHeight / 2, hw = outWidth / 2;
        var img = new float[(long)c * outHeight * outWidth];
        var boxes = new List<float>();
        var labels = new List<int>();
        var masks = new List<byte[]>();
        for (var q = 0; q < 4; q++)
        {
            var p = DetectionGeometry.CropResize(parts[q], 0, 0, parts[q].Height, parts[q].Width, hh, hw, minSize);
            int oy = q / 2 * hh, ox = q % 2 * hw;
            for (var ch = 0; ch < c; ch++)
                for (var r = 0; r < hh; r++)
                    p.Image.AsSpan((ch * hh + r) * hw, hw).CopyTo(img.AsSpan((ch * outHeight + oy + r) * outWidth + ox, hw));
            for (var k = 0; k < p.Count; k++)
            {
                boxes.AddRange([p.Boxes[4 * k] + ox, p.Boxes[4 * k + 1] + oy, p.Boxes[4 * k + 2] + ox, p.Boxes[4 * k + 3] + oy]);
                labels.Add(p.Labels[k]);
                if (p.Masks is null) continue;
                var m = new byte[outHeight * outWidth];
                for (var r = 0; r < hh; r++) p.Masks.AsSpan((k * hh + r) * hw, hw).CopyTo(m.AsSpan((oy + r) * outWidth + ox));
                masks.Add(m);
            }
        }
        var allMasks = withMasks ? new byte[(long)labels.Count * outHeight * outWidth] : null;
        for (var k = 0; k < masks.Count; k++) masks[k].CopyTo(allMasks!, (long)k * outHeight * outWidth);
        return new DetectionSample(img, c, outHeight, outWidth, [.. boxes], [.. labels], allMasks, parts[0].Tag);
    }
}
