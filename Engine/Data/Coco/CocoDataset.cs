using System.Text;
using System.Text.Json;

namespace Scratch.Data.Coco;

/// <summary>An image record of a COCO file.</summary>
public sealed record CocoImage(long Id, string FileName, int Width, int Height);

/// <summary>A category record of a COCO file (ids need not be contiguous).</summary>
public sealed record CocoCategory(long Id, string Name, string? Supercategory = null);

/// <summary>An object annotation: <paramref name="Bbox"/> is <c>[x, y, w, h]</c> in pixels, <paramref name="Area"/>
/// the annotated area (the "area" field; w·h of the box when absent), <paramref name="IsCrowd"/> marks crowd regions
/// (ignored by evaluation except that detections on them are not counted as false positives).</summary>
public sealed record CocoAnnotation(long Id, long ImageId, long CategoryId, double[] Bbox, double Area, bool IsCrowd,
    CocoSegmentation? Segmentation = null);

/// <summary>What <see cref="CocoDataset"/> does with an annotation whose box has zero width or height.</summary>
public enum DegenerateBoxPolicy
{
    /// <summary>Drop it and count it in <see cref="CocoDataset.SkippedDegenerate"/> (default).</summary>
    Skip,
    /// <summary>Throw <see cref="CocoFormatException"/> naming the annotation id.</summary>
    Throw,
    /// <summary>Keep it (as pycocotools does: it can never be matched, so it only lowers recall).</summary>
    Keep,
}

/// <summary>A COCO instances file (images, annotations, categories) with the mapping between the file's category ids
/// and contiguous labels 0..K−1 (categories sorted by id).</summary>
/// <remarks>Validation on reading: malformed JSON, missing or mistyped fields, duplicate image / annotation /
/// category ids, annotations whose image_id is not an image or whose category_id is not a category, non-finite
/// numbers and boxes with negative width or height throw <see cref="CocoFormatException"/> naming the file and
/// the annotation id. Boxes with zero width or height follow <see cref="DegenerateBoxPolicy"/>.</remarks>
public sealed class CocoDataset
{
    private readonly Dictionary<long, int> _labelOf;
    private readonly Dictionary<long, CocoImage> _imageOf;

    /// <summary>Builds a dataset from records (validated like a file named <paramref name="source"/>).</summary>
    public CocoDataset(IReadOnlyList<CocoImage> images, IReadOnlyList<CocoAnnotation> annotations,
        IReadOnlyList<CocoCategory> categories, string source = "<memory>", DegenerateBoxPolicy degenerate = DegenerateBoxPolicy.Skip)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(annotations);
        ArgumentNullException.ThrowIfNull(categories);
        _imageOf = [];
        foreach (var im in images)
        {
            if (!_imageOf.TryAdd(im.Id, im)) throw new CocoFormatException(source, $"image id {im.Id}: duplicate image id.");
            if (im.Width < 0 || im.Height < 0) throw new CocoFormatException(source, $"image id {im.Id}: negative size {im.Width}x{im.Height}.");
        }
        var cats = categories.OrderBy(c => c.Id).ToArray();
        _labelOf = [];
        for (var i = 0; i < cats.Length; i++)
            if (!_labelOf.TryAdd(cats[i].Id, i)) throw new CocoFormatException(source, $"category id {cats[i].Id}: duplicate category id.");
        var seen = new HashSet<long>();
        var kept = new List<CocoAnnotation>(annotations.Count);
        var skipped = 0;
        foreach (var a in annotations)
        {
            var rec = $"annotation id {a.Id}";
            if (!seen.Add(a.Id)) throw new CocoFormatException(source, $"{rec}: duplicate annotation id.");
            if (!_imageOf.ContainsKey(a.ImageId)) throw new CocoFormatException(source, $"{rec}: image_id {a.ImageId} is not an image of the file.");
            if (!_labelOf.ContainsKey(a.CategoryId)) throw new CocoFormatException(source, $"{rec}: unknown category_id {a.CategoryId}.");
            if (a.Bbox is not { Length: 4 } || a.Bbox.Any(v => !double.IsFinite(v)))
                throw new CocoFormatException(source, $"{rec}: bbox must be 4 finite numbers [x, y, w, h].");
            if (a.Bbox[2] < 0 || a.Bbox[3] < 0)
                throw new CocoFormatException(source, $"{rec}: bbox has negative size w={a.Bbox[2]}, h={a.Bbox[3]}.");
            if (!double.IsFinite(a.Area) || a.Area < 0) throw new CocoFormatException(source, $"{rec}: area must be finite and >= 0, got {a.Area}.");
            if (a.Bbox[2] == 0 || a.Bbox[3] == 0)
            {
                if (degenerate == DegenerateBoxPolicy.Throw)
                    throw new CocoFormatException(source, $"{rec}: bbox has zero size w={a.Bbox[2]}, h={a.Bbox[3]}.");
                if (degenerate == DegenerateBoxPolicy.Skip) { skipped++; continue; }
            }
            kept.Add(a);
        }
        Images = images;
        Annotations = kept;
        Categories = cats;
        SkippedDegenerate = skipped;
        Source = source;
    }

    /// <summary>The images, in file order.</summary>
    public IReadOnlyList<CocoImage> Images { get; }

    /// <summary>The annotations kept, in file order.</summary>
    public IReadOnlyList<CocoAnnotation> Annotations { get; }

    /// <summary>The categories sorted by id; index = contiguous label.</summary>
    public IReadOnlyList<CocoCategory> Categories { get; }

    /// <summary>Number of annotations dropped for a zero-size box under <see cref="DegenerateBoxPolicy.Skip"/>.</summary>
    public int SkippedDegenerate { get; }

    /// <summary>The file (or label) the dataset came from; used in error messages.</summary>
    public string Source { get; }

    /// <summary>Number of categories K.</summary>
    public int NumClasses => Categories.Count;

    /// <summary>Contiguous label 0..K−1 of category id <paramref name="categoryId"/>.</summary>
    /// <exception cref="KeyNotFoundException">Not a category of this dataset.</exception>
    public int LabelOf(long categoryId) => _labelOf.TryGetValue(categoryId, out var l) ? l
        : throw new KeyNotFoundException($"CocoDataset.LabelOf: categoryId {categoryId} is not a category of {Source}.");

    /// <summary>Whether <paramref name="categoryId"/> is a category of this dataset.</summary>
    public bool HasCategory(long categoryId) => _labelOf.ContainsKey(categoryId);

    /// <summary>Category id of contiguous label <paramref name="label"/> (0..K−1).</summary>
    public long CategoryIdOf(int label) => label >= 0 && label < Categories.Count ? Categories[label].Id
        : throw new ArgumentOutOfRangeException(nameof(label), label, $"CocoDataset.CategoryIdOf: label must be in [0, {Categories.Count}).");

    /// <summary>The annotations of image <paramref name="imageId"/> in file order (empty for an image without
    /// annotations or an unknown id).</summary>
    public IReadOnlyList<CocoAnnotation> AnnotationsOf(long imageId)
    {
        _byImage ??= Annotations.GroupBy(a => a.ImageId).ToDictionary(g => g.Key, g => (IReadOnlyList<CocoAnnotation>)[.. g]);
        return _byImage.TryGetValue(imageId, out var list) ? list : [];
    }

    private Dictionary<long, IReadOnlyList<CocoAnnotation>>? _byImage;

    /// <summary>The image with id <paramref name="imageId"/>, or null.</summary>
    public CocoImage? ImageOf(long imageId) => _imageOf.GetValueOrDefault(imageId);

    /// <summary>Reads a COCO instances JSON file.</summary>
    public static CocoDataset Read(string path, DegenerateBoxPolicy degenerate = DegenerateBoxPolicy.Skip) =>
        Parse(CocoJson.ReadFile(path), path, degenerate);

    /// <summary>Parses COCO instances JSON; <paramref name="source"/> names it in errors.</summary>
    public static CocoDataset Parse(string json, string source, DegenerateBoxPolicy degenerate = DegenerateBoxPolicy.Skip)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var doc = CocoJson.Parse(json, source);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new CocoFormatException(source, "the top level must be a JSON object.");
        var images = new List<CocoImage>();
        foreach (var e in Array(root, "images", source))
        {
            var rec = e.ValueKind == JsonValueKind.Object && e.TryGetProperty("id", out var idv) ? $"image id {CocoJson.Describe(idv)}" : "image";
            images.Add(new CocoImage(CocoJson.Long(e, "id", source, rec), CocoJson.OptionalString(e, "file_name") ?? "",
                (int)Math.Clamp(CocoJson.Long(e, "width", source, rec), -1, int.MaxValue),
                (int)Math.Clamp(CocoJson.Long(e, "height", source, rec), -1, int.MaxValue)));
        }
        var cats = new List<CocoCategory>();
        foreach (var e in Array(root, "categories", source))
        {
            var id = CocoJson.Long(e, "id", source, "category");
            cats.Add(new CocoCategory(id, CocoJson.OptionalString(e, "name") ?? "", CocoJson.OptionalString(e, "supercategory")));
        }
        var anns = new List<CocoAnnotation>();
        var index = 0;
        foreach (var e in Array(root, "annotations", source, optional: true))
        {
            index++;
            var id = CocoJson.Long(e, "id", source, $"annotation #{index}");
            var rec = $"annotation id {id}";
            var bbox = CocoJson.Numbers(CocoJson.Required(e, "bbox", source, rec), $"{rec}: bbox", source, 4);
            var area = CocoJson.Has(e, "area") ? CocoJson.Double(e, "area", source, rec) : bbox[2] * bbox[3];
            var crowd = CocoJson.Has(e, "iscrowd") && (e.GetProperty("iscrowd").ValueKind is JsonValueKind.True or JsonValueKind.False
                ? e.GetProperty("iscrowd").GetBoolean() : CocoJson.Long(e, "iscrowd", source, rec) != 0);
            var seg = CocoJson.Has(e, "segmentation") ? CocoJson.Segmentation(e.GetProperty("segmentation"), source, rec) : null;
            anns.Add(new CocoAnnotation(id, CocoJson.Long(e, "image_id", source, rec), CocoJson.Long(e, "category_id", source, rec),
                bbox, area, crowd, seg));
        }
        return new CocoDataset(images, anns, cats, source, degenerate);
    }

    private static IEnumerable<JsonElement> Array(JsonElement root, string name, string source, bool optional = false)
    {
        if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            if (optional) return [];
            throw new CocoFormatException(source, $"missing top-level array '{name}'.");
        }
        if (v.ValueKind != JsonValueKind.Array) throw new CocoFormatException(source, $"'{name}' must be an array, got {v.ValueKind}.");
        return v.EnumerateArray().ToArray();
    }

    /// <summary>Writes the dataset as COCO JSON (fields images, annotations, categories).</summary>
    public void Write(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        File.WriteAllText(path, ToJson());
    }

    /// <summary>The dataset as COCO JSON text.</summary>
    public string ToJson()
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteStartArray("images");
            foreach (var im in Images)
            {
                w.WriteStartObject();
                w.WriteNumber("id", im.Id);
                w.WriteString("file_name", im.FileName);
                w.WriteNumber("width", im.Width);
                w.WriteNumber("height", im.Height);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("annotations");
            foreach (var a in Annotations)
            {
                w.WriteStartObject();
                w.WriteNumber("id", a.Id);
                w.WriteNumber("image_id", a.ImageId);
                w.WriteNumber("category_id", a.CategoryId);
                CocoJson.WriteNumbers(w, "bbox", a.Bbox);
                w.WriteNumber("area", a.Area);
                w.WriteNumber("iscrowd", a.IsCrowd ? 1 : 0);
                if (a.Segmentation is { } s)
                {
                    w.WritePropertyName("segmentation");
                    CocoJson.WriteSegmentation(w, s);
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("categories");
            foreach (var c in Categories)
            {
                w.WriteStartObject();
                w.WriteNumber("id", c.Id);
                w.WriteString("name", c.Name);
                if (c.Supercategory is { } sc) w.WriteString("supercategory", sc);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }
}
