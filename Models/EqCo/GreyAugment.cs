using Scratch.Data;

namespace Scratch.Models.EqCo;

/// <summary>Contrastive augmentations for grey 28×28 images (pixels in [0, 1], row-major, one image after the
/// other), producing normalised 32×32 views: pad 2 px of background → random resized crop (area 0.3–1 of the
/// padded image, aspect 3/4–4/3, bilinear back to 32×32) → horizontal flip (p = 0.5) → brightness/contrast jitter
/// (p = 0.8, factors in [1 − 0.4, 1 + 0.4], clamped to [0, 1]) → Gaussian blur (p = 0.5, σ ∈ [0.1, 1]) →
/// normalise (x − mean)/std → random erasing (p = 0.5, area 0.02–0.33, aspect 0.3–3.3, value 0).</summary>
/// <remarks>The blur range is the paper's [0.1, 2] scaled to the 32 px input (σ 2 would erase a Fashion-MNIST
/// item); Gaussian noise and colour are not used (grey input).</remarks>
public sealed class GreyAugment
{
    /// <summary>Side of the input images.</summary>
    public const int InputSize = 28;

    /// <summary>Side of the views.</summary>
    public const int OutputSize = 32;

    /// <summary>Creates the pipeline with the normalisation <paramref name="mean"/>, <paramref name="std"/>
    /// (Fashion-MNIST: 0.2860, 0.3530).</summary>
    public GreyAugment(float mean = 0.2860f, float std = 0.3530f, double minScale = 0.3, double blurSigmaMax = 1.0)
    {
        if (!(std > 0)) throw new ArgumentOutOfRangeException(nameof(std), std, $"GreyAugment: std must be > 0, got {std}.");
        if (!(minScale > 0 && minScale <= 1)) throw new ArgumentOutOfRangeException(nameof(minScale), minScale, $"GreyAugment: minScale must be in (0, 1], got {minScale}.");
        (Mean, Std, MinScale, BlurSigmaMax) = (mean, std, minScale, blurSigmaMax);
    }

    /// <summary>Normalisation mean.</summary>
    public float Mean { get; }

    /// <summary>Normalisation standard deviation.</summary>
    public float Std { get; }

    /// <summary>Smallest crop area fraction.</summary>
    public double MinScale { get; }

    /// <summary>Largest blur σ (pixels).</summary>
    public double BlurSigmaMax { get; }

    /// <summary>Two independent augmented views of the images <paramref name="indices"/> of
    /// <paramref name="images"/>: two [B, 1, 32, 32] float32 tensors.</summary>
    public (Tensor View1, Tensor View2) TwoViews(float[] images, ReadOnlySpan<long> indices, Generator generator)
    {
        const int o = OutputSize * OutputSize;
        var a = new float[indices.Length * o];
        var b = new float[indices.Length * o];
        for (var i = 0; i < indices.Length; i++)
        {
            var padded = Padded(images, indices[i]);
            View(padded, generator).CopyTo(a, i * o);
            View(padded, generator).CopyTo(b, i * o);
        }
        var shape = new Shape(indices.Length, 1, OutputSize, OutputSize);
        return (Tensor.From(a, shape), Tensor.From(b, shape));
    }

    /// <summary>The un-augmented evaluation input: padded to 32×32 and normalised, [B, 1, 32, 32].</summary>
    public Tensor Plain(float[] images, ReadOnlySpan<long> indices)
    {
        const int o = OutputSize * OutputSize;
        var a = new float[indices.Length * o];
        for (var i = 0; i < indices.Length; i++)
        {
            var p = Padded(images, indices[i]);
            for (var j = 0; j < o; j++) a[i * o + j] = (p[j] - Mean) / Std;
        }
        return Tensor.From(a, new Shape(indices.Length, 1, OutputSize, OutputSize));
    }

    private static float[] Padded(float[] images, long index)
    {
        const int n = InputSize * InputSize, pad = (OutputSize - InputSize) / 2;
        if (index < 0 || (index + 1) * n > images.Length)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"GreyAugment: image index must be in [0, {images.Length / n}), got {index}.");
        var p = new float[OutputSize * OutputSize];
        for (var r = 0; r < InputSize; r++)
            Array.Copy(images, index * n + r * InputSize, p, (r + pad) * OutputSize + pad, InputSize);
        return p;
    }

    private float[] View(float[] padded, Generator g)
    {
        const int s = OutputSize;
        var (y0, x0, ch, cw) = CropBox(s, s, MinScale, 1.0, 3.0 / 4, 4.0 / 3, g);
        var v = ImageKernels.ResizeBilinear(padded, 1, s, s, y0, x0, ch, cw, s, s);
        if (g.NextDouble() < 0.5) v = ImageKernels.FlipRows(v, 1, s, s);
        if (g.NextDouble() < 0.8) Jitter(v, 1 + (2 * g.NextDouble() - 1) * 0.4, 1 + (2 * g.NextDouble() - 1) * 0.4, g.NextDouble() < 0.5);
        if (g.NextDouble() < 0.5) v = ImageKernels.GaussianBlur(v, 1, s, s, 0.1 + g.NextDouble() * (BlurSigmaMax - 0.1));
        for (var i = 0; i < v.Length; i++) v[i] = (v[i] - Mean) / Std;
        if (g.NextDouble() < 0.5)
        {
            var (ey, ex, eh, ew) = CropBox(s, s, 0.02, 0.33, 0.3, 3.3, g);
            for (var r = ey; r < ey + eh; r++) Array.Clear(v, r * s + ex, ew);
        }
        return v;
    }

    /// <summary>Brightness (×b) and contrast ((x − μ)·c + μ) in a random order, clamped to [0, 1].</summary>
    internal static void Jitter(float[] v, double brightness, double contrast, bool contrastFirst)
    {
        void Brightness() { for (var i = 0; i < v.Length; i++) v[i] = Math.Clamp((float)(v[i] * brightness), 0f, 1f); }
        void Contrast()
        {
            double mean = 0;
            foreach (var x in v) mean += x;
            mean /= v.Length;
            for (var i = 0; i < v.Length; i++) v[i] = Math.Clamp((float)((v[i] - mean) * contrast + mean), 0f, 1f);
        }
        if (contrastFirst) { Contrast(); Brightness(); }
        else { Brightness(); Contrast(); }
    }

    /// <summary>torchvision's RandomResizedCrop / RandomErasing box sampling: area fraction in
    /// [<paramref name="smin"/>, <paramref name="smax"/>], log-uniform aspect in [<paramref name="rmin"/>,
    /// <paramref name="rmax"/>], 10 tries, then the whole image (crop) clipped to the image.</summary>
    internal static (int Y, int X, int H, int W) CropBox(int h, int w, double smin, double smax, double rmin, double rmax, Generator g)
    {
        for (var t = 0; t < 10; t++)
        {
            var area = h * w * (smin + g.NextDouble() * (smax - smin));
            var ratio = Math.Exp(Math.Log(rmin) + g.NextDouble() * (Math.Log(rmax) - Math.Log(rmin)));
            var cw = (int)Math.Round(Math.Sqrt(area * ratio));
            var ch = (int)Math.Round(Math.Sqrt(area / ratio));
            if (cw < 1 || ch < 1 || cw > w || ch > h) continue;
            return ((int)g.NextInt64(h - ch + 1), (int)g.NextInt64(w - cw + 1), ch, cw);
        }
        return (0, 0, h, w);
    }
}
