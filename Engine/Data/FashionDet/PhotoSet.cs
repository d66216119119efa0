using Scratch.Data.Images;

namespace Scratch.Data.FashionDet;

/// <summary>A set of photographs that FashionDet backgrounds are cut from. Each photo is held as F32 <c>[3, H, W]</c>
/// in [0, 1] (grey photos replicated to three channels). <see cref="Crop"/> draws one photo, a random square window of
/// side <c>u·min(H, W)</c> with <c>u</c> uniform in <see cref="MinCropFraction"/>..1 at a random position, mirrors it
/// with probability ½, resizes it bilinearly to the canvas and multiplies each channel by a gain drawn uniformly in
/// <c>1 ± </c><see cref="ColorJitter"/> (clamped to [0, 1]), so that grey photos get colour casts too.</summary>
/// <remarks>The embedded sets (<see cref="Embedded"/>) are disjoint: <c>train</c> holds astronaut, rocket,
/// hubble_deep_field, grass, brick and clock, <c>val</c> holds coffee, chelsea, gravel and camera — scikit-image sample
/// photographs that are CC0 or public domain (provenance in <c>Engine/Data/FashionDet/Photos/LICENSES</c>).
/// Instances are immutable and safe to share between threads.</remarks>
public sealed class PhotoSet
{
    private const string ResourcePrefix = "Scratch.FashionDet.Photos.";
    private static readonly Lazy<PhotoSet> Train = new(() => LoadEmbedded("train"));
    private static readonly Lazy<PhotoSet> Val = new(() => LoadEmbedded("val"));
    private readonly (float[] Pixels, int Height, int Width)[] _photos;

    /// <summary>Wraps decoded photos (8-bit, 1 to 4 channels; alpha is dropped). Names label the photos.</summary>
    /// <exception cref="ArgumentException">No photos, names and photos of different lengths, or a photo smaller
    /// than 8×8.</exception>
    public PhotoSet(IReadOnlyList<PngImage> photos, IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(photos);
        ArgumentNullException.ThrowIfNull(names);
        if (photos.Count == 0) throw new ArgumentException("PhotoSet: photos must not be empty.", nameof(photos));
        if (names.Count != photos.Count)
            throw new ArgumentException($"PhotoSet: names must have one entry per photo ({photos.Count}), got {names.Count}.", nameof(names));
        _photos = new (float[], int, int)[photos.Count];
        for (var i = 0; i < photos.Count; i++)
        {
            var p = photos[i];
            if (p.Width < 8 || p.Height < 8)
                throw new ArgumentException($"PhotoSet: photo '{names[i]}' must be at least 8x8, got {p.Width}x{p.Height}.", nameof(photos));
            _photos[i] = (ToPlanar(p), p.Height, p.Width);
        }
        Names = [.. names];
    }

    /// <summary>Names of the photos (file names without extension for the embedded sets).</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Number of photos.</summary>
    public int Count => _photos.Length;

    /// <summary>Smallest crop side as a fraction of the photo's shorter side (default 0.4).</summary>
    public double MinCropFraction { get; init; } = 0.4;

    /// <summary>Half-width of the per-channel gain range (default 0.2: gains in 0.8..1.2).</summary>
    public double ColorJitter { get; init; } = 0.2;

    /// <summary>The embedded photo set of <paramref name="split"/> (<c>"train"</c> or <c>"val"</c>); decoded once.</summary>
    /// <exception cref="ArgumentException">Another split name.</exception>
    public static PhotoSet Embedded(string split) => split switch
    {
        "train" => Train.Value,
        "val" => Val.Value,
        _ => throw new ArgumentException($"PhotoSet.Embedded: split must be \"train\" or \"val\", got \"{split}\".", nameof(split)),
    };

    /// <summary>Photos read from image files (PNG or JPEG, via <see cref="ImageFile"/>), named by file name.</summary>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="InvalidDataException">A file is corrupt (the message names it).</exception>
    public static PhotoSet FromFiles(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var list = paths.ToList();
        return new PhotoSet([.. list.Select(p => ImageFile.ReadPixels(p))], [.. list.Select(Path.GetFileNameWithoutExtension).Select(n => n ?? "")]);
    }

    /// <summary>A background <c>[3, size, size]</c> in [0, 1] cut from a random photo (see the class summary).</summary>
    public float[] Crop(int size, Generator rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        var (px, h, w) = _photos[rng.NextInt64(_photos.Length)];
        var shorter = Math.Min(h, w);
        var fraction = Math.Clamp(MinCropFraction, 0.01, 1.0);
        var side = Math.Clamp((int)Math.Round(shorter * (fraction + (1 - fraction) * rng.NextDouble())), 1, shorter);
        var y0 = (int)rng.NextInt64(h - side + 1);
        var x0 = (int)rng.NextInt64(w - side + 1);
        var flip = rng.NextDouble() < 0.5;
        var img = ImageKernels.ResizeBilinear(px, 3, h, w, y0, x0, side, side, size, size);
        if (flip) img = ImageKernels.FlipRows(img, 3, size, size);
        var plane = size * size;
        for (var c = 0; c < 3; c++)
        {
            var gain = (float)(1 + ColorJitter * (2 * rng.NextDouble() - 1));
            var span = img.AsSpan(c * plane, plane);
            for (var i = 0; i < span.Length; i++) span[i] = Math.Clamp(span[i] * gain, 0f, 1f);
        }
        return img;
    }

    private static float[] ToPlanar(PngImage p)
    {
        var plane = p.Width * p.Height;
        var dst = new float[3 * plane];
        var ch = p.Channels;
        var colour = ch >= 3;
        for (var i = 0; i < plane; i++)
            for (var c = 0; c < 3; c++)
                dst[c * plane + i] = p.Pixels[i * ch + (colour ? c : 0)] / 255f;
        return dst;
    }

    private static PhotoSet LoadEmbedded(string split)
    {
        var asm = typeof(PhotoSet).Assembly;
        var prefix = ResourcePrefix + split + ".";
        var names = asm.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        if (names.Count == 0) throw new InvalidOperationException($"PhotoSet: no embedded photos for split '{split}'.");
        var photos = new List<PngImage>(names.Count);
        foreach (var n in names)
        {
            using var s = asm.GetManifestResourceStream(n) ?? throw new InvalidOperationException($"PhotoSet: resource {n} is missing.");
            using var ms = new MemoryStream();
            s.CopyTo(ms);
            photos.Add(PngReader.Decode(ms.ToArray(), n));
        }
        return new PhotoSet(photos, [.. names.Select(n => n[prefix.Length..^4])]);
    }
}
