using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace Scratch.Data.Voc;

/// <summary>One Pascal VOC object: class name, contiguous label (index in the class list), box <c>[x1, y1, x2, y2]</c>
/// in Scratch's continuous pixel coordinates, and the difficult / truncated flags.</summary>
/// <remarks>VOC's <c>bndbox</c> holds 1-based inclusive pixel indices <c>xmin..xmax</c>; pixel <c>c</c> (0-based)
/// covers <c>[c, c+1)</c>, so the box is <c>[xmin − 1, ymin − 1, xmax, ymax]</c> (as detectron2 converts it).</remarks>
public sealed record VocObject(string Name, int Label, float[] Box, bool Difficult, bool Truncated);

/// <summary>One VOC annotation file: the image file name, its size and its objects in file order.</summary>
public sealed record VocAnnotation(string FileName, int Width, int Height, int Depth, IReadOnlyList<VocObject> Objects)
{
    /// <summary>Boxes <c>[K, 4]</c> row-major and labels of the objects, optionally without the difficult ones.</summary>
    public (float[] Boxes, int[] Labels) Targets(bool includeDifficult = true)
    {
        var keep = Objects.Where(o => includeDifficult || !o.Difficult).ToList();
        return ([.. keep.SelectMany(o => o.Box)], [.. keep.Select(o => o.Label)]);
    }
}

/// <summary>Reads Pascal VOC annotation XML (<c>Annotations/*.xml</c>): <c>filename</c>, <c>size</c>
/// (<c>width</c>, <c>height</c>, <c>depth</c>) and each <c>object</c>'s <c>name</c>, <c>bndbox</c>
/// (<c>xmin, ymin, xmax, ymax</c>), <c>difficult</c> and <c>truncated</c> (absent = 0).</summary>
/// <remarks>Every error throws <see cref="InvalidDataException"/> naming the file and, for an object, its 0-based
/// index and class name: malformed XML, a missing or non-numeric field, a class not in the class list, or a box that
/// is empty (<c>xmin &gt; xmax</c>) or leaves the image (<c>xmin &lt; 1</c> or <c>xmax &gt; width</c>; fractional
/// coordinates, which some tools write, are accepted). Class names are matched exactly after trimming.</remarks>
public static class VocXml
{
    /// <summary>The 20 Pascal VOC classes in the conventional order (labels 0..19).</summary>
    public static readonly string[] Classes =
    [
        "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
        "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor",
    ];

    /// <summary>Reads the annotation file at <paramref name="path"/>; labels index <paramref name="classes"/>
    /// (default <see cref="Classes"/>).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">See the class remarks.</exception>
    public static VocAnnotation Read(string path, IReadOnlyList<string>? classes = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"VOC: annotation file '{path}' does not exist.", path);
        return Parse(File.ReadAllText(path), path, classes);
    }

    /// <summary>Parses annotation XML text; <paramref name="name"/> names it in errors.</summary>
    public static VocAnnotation Parse(string xml, string name = "<voc>", IReadOnlyList<string>? classes = null)
    {
        ArgumentNullException.ThrowIfNull(xml);
        classes ??= Classes;
        var labelOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < classes.Count; i++)
            if (!labelOf.TryAdd(classes[i], i))
                throw new ArgumentException($"VOC: class list names '{classes[i]}' twice.", nameof(classes));
        XElement root;
        try
        {
            root = XDocument.Parse(xml).Root ?? throw new InvalidDataException($"{name}: empty XML document.");
        }
        catch (XmlException e)
        {
            throw new InvalidDataException($"{name}: malformed XML: {e.Message}", e);
        }
        if (root.Name.LocalName != "annotation")
            throw new InvalidDataException($"{name}: root element must be <annotation>, got <{root.Name.LocalName}>.");
        var file = root.Element("filename")?.Value.Trim() ?? throw new InvalidDataException($"{name}: missing <filename>.");
        var size = root.Element("size") ?? throw new InvalidDataException($"{name}: missing <size>.");
        var width = (int)Number(size, "width", name, "size");
        var height = (int)Number(size, "height", name, "size");
        var depth = size.Element("depth") is null ? 3 : (int)Number(size, "depth", name, "size");
        if (width < 1 || height < 1) throw new InvalidDataException($"{name}: image size must be positive, got {width}x{height}.");
        var objects = new List<VocObject>();
        var k = 0;
        foreach (var o in root.Elements("object"))
        {
            var cls = o.Element("name")?.Value.Trim() ?? throw new InvalidDataException($"{name}: object {k}: missing <name>.");
            var rec = $"object {k} ('{cls}')";
            if (!labelOf.TryGetValue(cls, out var label))
                throw new InvalidDataException($"{name}: {rec}: unknown class '{cls}' (known: {string.Join(", ", classes)}).");
            var bb = o.Element("bndbox") ?? throw new InvalidDataException($"{name}: {rec}: missing <bndbox>.");
            double x0 = Number(bb, "xmin", name, rec), y0 = Number(bb, "ymin", name, rec);
            double x1 = Number(bb, "xmax", name, rec), y1 = Number(bb, "ymax", name, rec);
            if (x0 > x1 || y0 > y1)
                throw new InvalidDataException($"{name}: {rec}: empty box xmin={x0} ymin={y0} xmax={x1} ymax={y1} (need xmin <= xmax, ymin <= ymax).");
            if (x0 < 1 || y0 < 1 || x1 > width || y1 > height)
                throw new InvalidDataException($"{name}: {rec}: box xmin={x0} ymin={y0} xmax={x1} ymax={y1} leaves the {width}x{height} image (1-based, need 1 <= x <= {width}, 1 <= y <= {height}).");
            var difficult = Flag(o, "difficult", name, rec);
            var truncated = Flag(o, "truncated", name, rec);
            objects.Add(new VocObject(cls, label, [(float)(x0 - 1), (float)(y0 - 1), (float)x1, (float)y1], difficult, truncated));
            k++;
        }
        return new VocAnnotation(file, width, height, depth, objects);
    }

    private static double Number(XElement parent, string field, string name, string rec)
    {
        var e = parent.Element(field) ?? throw new InvalidDataException($"{name}: {rec}: missing <{field}>.");
        var s = e.Value.Trim();
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
            throw new InvalidDataException($"{name}: {rec}: <{field}> must be a number, got '{s}'.");
        return v;
    }

    private static bool Flag(XElement parent, string field, string name, string rec)
    {
        if (parent.Element(field) is null) return false;
        var v = Number(parent, field, name, rec);
        return v switch
        {
            0 => false,
            1 => true,
            _ => throw new InvalidDataException($"{name}: {rec}: <{field}> must be 0 or 1, got {v}."),
        };
    }
}
