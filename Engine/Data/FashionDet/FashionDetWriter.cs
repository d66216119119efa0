using Scratch.Data.Coco;
using Scratch.Data.Images;

namespace Scratch.Data.FashionDet;

/// <summary>Writes a FashionDet split as a COCO dataset:
/// <c>DIR/images/SPLIT/NNNNNN.png</c> (RGB), <c>DIR/labels/SPLIT/NNNNNN.png</c> (grey semantic map: 0 = background,
/// 1..10 = class + 1) and <c>DIR/annotations/instances_SPLIT.json</c> (image ids 1..N, file_name NNNNNN.png; category
/// ids 1..10 = label + 1 with the Fashion-MNIST class names; bbox, area = visible pixels, iscrowd 0, compressed RLE
/// segmentation).</summary>
public static class FashionDetWriter
{
    /// <summary>Fashion-MNIST class names by label.</summary>
    public static readonly string[] Classes =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>Fashion-MNIST classes followed by the MNIST digits ("digit 0".."digit 9", labels 10..19): the class list
    /// of a set generated with <see cref="MnistDigits"/> as a second domain.</summary>
    public static readonly string[] ClassesWithDigits = [.. Classes, .. Enumerable.Range(0, 10).Select(d => $"digit {d}")];

    /// <summary>The generator seed of image <paramref name="index"/> of a split seeded with <paramref name="seed"/>.</summary>
    public static ulong ImageSeed(ulong seed, int index)
    {
        var h = (seed ^ 0x6A09E667F3BCC909UL) * 0x9E3779B97F4A7C15UL;
        h = (h ^ (h >> 29) ^ (ulong)index) * 0xBF58476D1CE4E5B9UL;
        return h ^ (h >> 32);
    }

    /// <summary>Generates images 0..<paramref name="count"/>−1 (image i from <see cref="ImageSeed"/>(seed, i), in parallel
    /// on up to <paramref name="maxParallelism"/> threads; the output does not depend on it) and writes them under
    /// <paramref name="dir"/>. <paramref name="progress"/> is called with the number of images done.
    /// Category names come from <paramref name="classes"/> by label (default <see cref="Classes"/>; supercategory
    /// "fashion" for the first ten, "digit" after) and must cover the generator's
    /// <see cref="FashionDetOptions.NumClasses"/>.</summary>
    /// <returns>The dataset written.</returns>
    public static CocoDataset Write(FashionDetGenerator generator, string dir, string split, int count, ulong seed,
        int maxParallelism = -1, Action<int>? progress = null, IReadOnlyList<string>? classes = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        classes ??= Classes;
        if (classes.Count < generator.Options.NumClasses)
            throw new ArgumentException($"FashionDetWriter.Write: classes must name {generator.Options.NumClasses} classes, got {classes.Count}.", nameof(classes));
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentException.ThrowIfNullOrEmpty(dir);
        ArgumentException.ThrowIfNullOrEmpty(split);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var imageDir = Path.Combine(dir, "images", split);
        var labelDir = Path.Combine(dir, "labels", split);
        var annDir = Path.Combine(dir, "annotations");
        Directory.CreateDirectory(imageDir);
        Directory.CreateDirectory(labelDir);
        Directory.CreateDirectory(annDir);
        var size = generator.Options.Size;
        var perImage = new List<(int Label, double[] Bbox, int Area, CocoRle Rle)>[count];
        var done = 0;
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = maxParallelism }, i =>
        {
            var im = generator.Generate(new Generator(ImageSeed(seed, i)));
            var name = FileName(i);
            PngWriter.Write(Path.Combine(imageDir, name), new PngImage(size, size, 3, im.Rgb));
            PngWriter.Write(Path.Combine(labelDir, name), new PngImage(size, size, 1, im.Semantic));
            var anns = new List<(int, double[], int, CocoRle)>(im.Instances.Count);
            var colMajor = new byte[size * size];
            foreach (var inst in im.Instances)
            {
                for (var r = 0; r < size; r++)
                    for (var c = 0; c < size; c++) colMajor[c * size + r] = inst.Mask[r * size + c];
                var b = inst.Box;
                anns.Add((inst.Label, [b[0], b[1], b[2] - b[0], b[3] - b[1]], inst.Area, CocoRle.Encode(colMajor, size, size)));
            }
            perImage[i] = anns;
            var d = Interlocked.Increment(ref done);
            progress?.Invoke(d);
        });
        var images = new List<CocoImage>(count);
        var annotations = new List<CocoAnnotation>();
        for (var i = 0; i < count; i++)
        {
            images.Add(new CocoImage(i + 1, FileName(i), size, size));
            foreach (var (label, bbox, area, rle) in perImage[i])
                annotations.Add(new CocoAnnotation(annotations.Count + 1, i + 1, label + 1, bbox, area, false, CocoSegmentation.FromRle(rle)));
        }
        var categories = classes.Select((n, l) => new CocoCategory(l + 1, n, l < 10 ? "fashion" : "digit")).ToArray();
        var ds = new CocoDataset(images, annotations, categories, $"fashiondet {split}");
        ds.Write(Path.Combine(annDir, $"instances_{split}.json"));
        return ds;
    }

    private static string FileName(int index) => $"{index + 1:D6}.png";
}
