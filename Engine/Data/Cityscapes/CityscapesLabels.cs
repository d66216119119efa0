using Scratch.Data.Images;

namespace Scratch.Data.Cityscapes;

/// <summary>One Cityscapes label: name, label id (the value in <c>*_labelIds.png</c>), train id (0..18, or 255 =
/// ignored in training and evaluation), category, and whether it has instances.</summary>
public sealed record CityscapesLabel(string Name, int Id, int TrainId, string Category, bool HasInstances);

/// <summary>A semantic label map: <see cref="Height"/> × <see cref="Width"/> label bytes, row-major, with
/// <see cref="CityscapesLabels.Ignore"/> (255) marking pixels to ignore.</summary>
public sealed record LabelMap(int Height, int Width, byte[] Labels)
{
    /// <summary>The labels as an I64 tensor <c>[H, W]</c> (255 stays 255: pass it as the loss's / metric's ignore
    /// index).</summary>
    public Tensor ToTensor(Device? device = null) =>
        Tensor.From(Array.ConvertAll(Labels, v => (long)v), new Shape(Height, Width), device);
}

/// <summary>Cityscapes-style label PNGs: single-channel 8-bit images of label ids (<c>*_gtFine_labelIds.png</c>), the
/// official id → trainId table (cityscapesScripts <c>labels.py</c>: 34 labels, 19 training classes, everything else
/// mapped to 255 = ignore), and a reader that maps ids through it or through any caller-given table.</summary>
public static class CityscapesLabels
{
    /// <summary>The ignore value of label maps.</summary>
    public const byte Ignore = 255;

    /// <summary>The Cityscapes labels with ids 0..33 (the license-plate label, id −1, never occurs in label PNGs).</summary>
    public static readonly IReadOnlyList<CityscapesLabel> All =
    [
        new("unlabeled", 0, 255, "void", false), new("ego vehicle", 1, 255, "void", false),
        new("rectification border", 2, 255, "void", false), new("out of roi", 3, 255, "void", false),
        new("static", 4, 255, "void", false), new("dynamic", 5, 255, "void", false), new("ground", 6, 255, "void", false),
        new("road", 7, 0, "flat", false), new("sidewalk", 8, 1, "flat", false), new("parking", 9, 255, "flat", false),
        new("rail track", 10, 255, "flat", false), new("building", 11, 2, "construction", false),
        new("wall", 12, 3, "construction", false), new("fence", 13, 4, "construction", false),
        new("guard rail", 14, 255, "construction", false), new("bridge", 15, 255, "construction", false),
        new("tunnel", 16, 255, "construction", false), new("pole", 17, 5, "object", false),
        new("polegroup", 18, 255, "object", false), new("traffic light", 19, 6, "object", false),
        new("traffic sign", 20, 7, "object", false), new("vegetation", 21, 8, "nature", false),
        new("terrain", 22, 9, "nature", false), new("sky", 23, 10, "sky", false), new("person", 24, 11, "human", true),
        new("rider", 25, 12, "human", true), new("car", 26, 13, "vehicle", true), new("truck", 27, 14, "vehicle", true),
        new("bus", 28, 15, "vehicle", true), new("caravan", 29, 255, "vehicle", true), new("trailer", 30, 255, "vehicle", true),
        new("train", 31, 16, "vehicle", true), new("motorcycle", 32, 17, "vehicle", true), new("bicycle", 33, 18, "vehicle", true),
    ];

    /// <summary>The 19 training class names, indexed by train id.</summary>
    public static readonly string[] TrainClasses =
        [.. All.Where(l => l.TrainId != Ignore).OrderBy(l => l.TrainId).Select(l => l.Name)];

    /// <summary>The id → trainId table: 256 entries, ids 0..33 per <see cref="All"/>, 255 → 255, and −1 (unknown)
    /// for 34..254, which <see cref="Read"/> rejects.</summary>
    public static int[] IdToTrainId()
    {
        var t = new int[256];
        Array.Fill(t, -1);
        foreach (var l in All) t[l.Id] = l.TrainId;
        t[Ignore] = Ignore;
        return t;
    }

    /// <summary>Reads a label PNG and maps every pixel through <paramref name="table"/> (256 entries; value −1 =
    /// not a valid id; mapped values must be 0..255). <paramref name="table"/> = null maps with
    /// <see cref="IdToTrainId"/>; pass an identity table (<see cref="Identity"/>) to keep raw ids.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a decodable image, is not single-channel (an RGB
    /// <c>*_color.png</c> is not a label map), or holds an id the table marks −1; the message names the file, the
    /// id and the first pixel (row, column) that holds it.</exception>
    public static LabelMap Read(string path, IReadOnlyList<int>? table = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var img = ImageFile.ReadPixels(path);
        return Map(img, path, table);
    }

    /// <summary>As <see cref="Read"/>, for an already decoded image; <paramref name="name"/> names it in errors.</summary>
    public static LabelMap Map(PngImage img, string name, IReadOnlyList<int>? table = null)
    {
        ArgumentNullException.ThrowIfNull(img);
        var t = table ?? IdToTrainId();
        if (t.Count != 256) throw new ArgumentException($"CityscapesLabels: table must have 256 entries, got {t.Count}.", nameof(table));
        for (var i = 0; i < 256; i++)
            if (t[i] is < -1 or > 255) throw new ArgumentException($"CityscapesLabels: table[{i}] must be -1 or 0..255, got {t[i]}.", nameof(table));
        if (img.Channels != 1)
            throw new InvalidDataException($"{name}: a label map must be a single-channel 8-bit PNG of label ids, got {img.Channels} channels.");
        var src = img.Pixels;
        var dst = new byte[src.Length];
        for (var i = 0; i < src.Length; i++)
        {
            var v = t[src[i]];
            if (v < 0)
                throw new InvalidDataException($"{name}: pixel (row {i / img.Width}, col {i % img.Width}) holds label id {src[i]}, which is not a known id (valid: {string.Join(", ", Enumerable.Range(0, 256).Where(k => t[k] >= 0).Take(40))}).");
            dst[i] = (byte)v;
        }
        return new LabelMap(img.Height, img.Width, dst);
    }

    /// <summary>The identity table (keeps raw ids; every value 0..255 is valid).</summary>
    public static int[] Identity() => [.. Enumerable.Range(0, 256)];
}
