namespace Scratch.Data.FashionDet;

/// <summary>Parameters of <see cref="FashionDetGenerator"/>.</summary>
public sealed record FashionDetOptions
{
    /// <summary>Canvas side in pixels (square images).</summary>
    public int Size { get; init; } = 320;

    /// <summary>Fewest items placed per image (before occlusion drops some).</summary>
    public int MinItems { get; init; } = 3;

    /// <summary>Most items placed per image.</summary>
    public int MaxItems { get; init; } = 12;

    /// <summary>Smallest scale of the 28-pixel item (0.75 → 21 px); scales are drawn log-uniformly.</summary>
    public double MinScale { get; init; } = 0.75;

    /// <summary>Largest scale (4 → 112 px).</summary>
    public double MaxScale { get; init; } = 4.0;

    /// <summary>Aspect ratio w/h is 1 ± this (uniform).</summary>
    public double AspectJitter { get; init; } = 0.2;

    /// <summary>Instances whose visible area is below this fraction of their full mask are not annotated.</summary>
    public double MinVisible { get; init; } = 0.3;

    /// <summary>Mask threshold on the scaled item intensity (0..255): mask = intensity &gt; threshold, holes filled.</summary>
    public int MaskThreshold { get; init; } = 10;

    /// <summary>Photographs the backgrounds are cut from (random crops, see <see cref="PhotoSet.Crop"/>); null gives
    /// procedural backgrounds (<see cref="Backgrounds.Textured"/>). Use disjoint sets for train and val, e.g.
    /// <see cref="PhotoSet.Embedded"/>("train") and ("val").</summary>
    public PhotoSet? Photos { get; init; }

    /// <summary>Number of classes the item labels may take (labels 0..NumClasses−1; 10 for Fashion-MNIST, 20 with
    /// MNIST digits as a second domain, see <see cref="MnistDigits"/>). The semantic map holds label + 1.</summary>
    public int NumClasses { get; init; } = 10;
}

/// <summary>One annotated instance: class label 0..NumClasses−1, tight box xyxy of the visible mask, the visible mask (row-major,
/// Size×Size, 0/1) and its pixel count.</summary>
public sealed record FashionDetInstance(int Label, float[] Box, byte[] Mask, int Area);

/// <summary>A generated image: RGB bytes (HWC), the semantic map (0 = background, 1 + label where an item is the
/// topmost, including items too occluded to be annotated) and the annotated instances in z order (back to front).</summary>
public sealed record FashionDetImage(int Size, byte[] Rgb, byte[] Semantic, IReadOnlyList<FashionDetInstance> Instances)
{
    /// <summary>As a <see cref="DetectionSample"/> (image [3, S, S] scaled to [0, 1], boxes, labels, masks).</summary>
    public DetectionSample ToSample(object? tag = null)
    {
        var plane = Size * Size;
        var img = new float[3 * plane];
        for (var i = 0; i < plane; i++)
            for (var c = 0; c < 3; c++) img[c * plane + i] = Rgb[3 * i + c] / 255f;
        var boxes = new float[Instances.Count * 4];
        var masks = new byte[(long)Instances.Count * plane];
        for (var k = 0; k < Instances.Count; k++)
        {
            Instances[k].Box.CopyTo(boxes, 4 * k);
            Instances[k].Mask.CopyTo(masks, (long)k * plane);
        }
        return new DetectionSample(img, 3, Size, Size, boxes, [.. Instances.Select(x => x.Label)], masks, tag);
    }
}

/// <summary>FashionDet: Fashion-MNIST items composited onto random crops of real photographs
/// (<see cref="FashionDetOptions.Photos"/>) or procedurally textured backgrounds (gradient + smooth value noise + a
/// faint sinusoid + pixel noise). Each item is scaled (log-uniform in MinScale..MaxScale of 28 px, aspect
/// jitter), tinted with a random colour, blended with alpha = item intensity/255 in z order (later items on top). An
/// item's full mask is <c>intensity &gt; MaskThreshold</c> with holes filled; its visible mask is where it is the
/// topmost item; boxes are the tight bounds of the visible mask; items with less than MinVisible of their mask visible
/// are not annotated (they stay in the picture).</summary>
/// <remarks>Everything is drawn from the generator passed to <see cref="Generate"/>; the same seed gives the same
/// image on every machine.</remarks>
public sealed class FashionDetGenerator
{
    private const int Side = 28;
    private readonly byte[] _items;
    private readonly int[] _labels;

    /// <summary>Uses items <c>[N, 28, 28]</c> (bytes, row-major) with labels 0..9.</summary>
    /// <exception cref="ArgumentException">Lengths disagree, no items, or a label outside 0..9.</exception>
    public FashionDetGenerator(byte[] items, int[] labels, FashionDetOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Length == 0 || items.Length != labels.Length * Side * Side)
            throw new ArgumentException($"FashionDetGenerator: items must hold 784 bytes per label ({labels.Length} labels), got {items.Length}.", nameof(items));
        Options = options ?? new FashionDetOptions();
        if (Options.NumClasses is < 1 or > 254)
            throw new ArgumentException($"FashionDetGenerator: NumClasses must be in 1..254, got {Options.NumClasses}.", nameof(options));
        var bad = Array.FindIndex(labels, l => l < 0 || l >= Options.NumClasses);
        if (bad >= 0)
            throw new ArgumentException($"FashionDetGenerator: labels must be in 0..{Options.NumClasses - 1} (NumClasses = {Options.NumClasses}), got {labels[bad]} at index {bad}.", nameof(labels));
        if (Options.Size < 32 || Options.MinItems < 1 || Options.MaxItems < Options.MinItems || Options.MinScale <= 0 || Options.MaxScale < Options.MinScale)
            throw new ArgumentException($"FashionDetGenerator: invalid options {Options}.", nameof(options));
        _items = items;
        _labels = labels;
    }

    /// <summary>The options in use.</summary>
    public FashionDetOptions Options { get; }

    /// <summary>Generates one image.</summary>
    public FashionDetImage Generate(Generator rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var o = Options;
        var s = o.Size;
        var plane = s * s;
        var canvas = o.Photos is { } photos ? photos.Crop(s, rng) : Backgrounds.Textured(s, rng);
        var owner = new short[plane];
        Array.Fill(owner, (short)-1);
        var n = o.MinItems + (int)rng.NextInt64(o.MaxItems - o.MinItems + 1);
        var itemLabels = new int[n];
        var fullArea = new int[n];
        for (var k = 0; k < n; k++)
        {
            var item = (int)rng.NextInt64(_labels.Length);
            itemLabels[k] = _labels[item];
            var scale = Math.Exp(Math.Log(o.MinScale) + (Math.Log(o.MaxScale) - Math.Log(o.MinScale)) * rng.NextDouble());
            var aspect = 1 + o.AspectJitter * (2 * rng.NextDouble() - 1);
            var w = Math.Clamp((int)Math.Round(Side * scale * Math.Sqrt(aspect)), 4, s);
            var h = Math.Clamp((int)Math.Round(Side * scale / Math.Sqrt(aspect)), 4, s);
            var x0 = (int)rng.NextInt64(s - w + 1);
            var y0 = (int)rng.NextInt64(s - h + 1);
            var tint = RandomTint(rng);
            var src = new float[Side * Side];
            for (var i = 0; i < src.Length; i++) src[i] = _items[(long)item * Side * Side + i];
            var scaled = ImageKernels.ResizeBilinear(src, 1, Side, Side, 0, 0, Side, Side, h, w);
            var mask = FilledMask(scaled, h, w, o.MaskThreshold);
            for (var r = 0; r < h; r++)
                for (var c = 0; c < w; c++)
                {
                    var a = Math.Clamp(scaled[r * w + c] / 255f, 0f, 1f);
                    var p = (y0 + r) * s + x0 + c;
                    for (var ch = 0; ch < 3; ch++) canvas[ch * plane + p] += (tint[ch] - canvas[ch * plane + p]) * a;
                    if (mask[r * w + c] == 0) continue;
                    owner[p] = (short)k;
                    fullArea[k]++;
                }
        }
        var visible = new int[n];
        var semantic = new byte[plane];
        for (var p = 0; p < plane; p++)
        {
            if (owner[p] < 0) continue;
            visible[owner[p]]++;
            semantic[p] = (byte)(itemLabels[owner[p]] + 1);
        }
        var instances = new List<FashionDetInstance>();
        for (var k = 0; k < n; k++)
        {
            if (visible[k] == 0 || visible[k] < o.MinVisible * fullArea[k]) continue;
            var m = new byte[plane];
            for (var p = 0; p < plane; p++) m[p] = owner[p] == k ? (byte)1 : (byte)0;
            instances.Add(new FashionDetInstance(itemLabels[k], DetectionSample.MaskBounds(m, s, s)!, m, visible[k]));
        }
        var rgb = new byte[3 * plane];
        for (var p = 0; p < plane; p++)
            for (var ch = 0; ch < 3; ch++) rgb[3 * p + ch] = (byte)Math.Clamp((int)MathF.Round(canvas[ch * plane + p] * 255f), 0, 255);
        return new FashionDetImage(s, rgb, semantic, instances);
    }

    /// <summary>A saturated random colour: random hue, saturation 0.5–1, value 0.55–1 (so items differ from the
    /// mostly mid-tone backgrounds without being guaranteed to).</summary>
    private static float[] RandomTint(Generator rng)
    {
        var hue = rng.NextDouble() * 6;
        var sat = 0.5 + 0.5 * rng.NextDouble();
        var val = 0.55 + 0.45 * rng.NextDouble();
        var i = (int)hue % 6;
        var f = hue - Math.Floor(hue);
        double p = val * (1 - sat), q = val * (1 - sat * f), t = val * (1 - sat * (1 - f));
        var (r, g, b) = i switch { 0 => (val, t, p), 1 => (q, val, p), 2 => (p, val, t), 3 => (p, q, val), 4 => (t, p, val), _ => (val, p, q) };
        return [(float)r, (float)g, (float)b];
    }

    /// <summary>intensity &gt; threshold, then holes (background pixels not 4-connected to the rectangle's border) filled.</summary>
    internal static byte[] FilledMask(float[] intensity, int h, int w, int threshold)
    {
        var mask = new byte[h * w];
        for (var i = 0; i < mask.Length; i++) mask[i] = intensity[i] > threshold ? (byte)1 : (byte)0;
        var outside = new bool[h * w];
        var stack = new Stack<int>();
        void Seed(int i)
        {
            if (mask[i] == 0 && !outside[i]) { outside[i] = true; stack.Push(i); }
        }
        for (var c = 0; c < w; c++) { Seed(c); Seed((h - 1) * w + c); }
        for (var r = 0; r < h; r++) { Seed(r * w); Seed(r * w + w - 1); }
        while (stack.Count > 0)
        {
            var i = stack.Pop();
            int r = i / w, c = i % w;
            if (r > 0) Seed(i - w);
            if (r < h - 1) Seed(i + w);
            if (c > 0) Seed(i - 1);
            if (c < w - 1) Seed(i + 1);
        }
        for (var i = 0; i < mask.Length; i++) if (!outside[i]) mask[i] = 1;
        return mask;
    }
}
