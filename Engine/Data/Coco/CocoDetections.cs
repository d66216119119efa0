using System.Text;
using System.Text.Json;

namespace Scratch.Data.Coco;

/// <summary>One detection of a COCO results file: <paramref name="Bbox"/> <c>[x, y, w, h]</c> (null for a
/// mask-only result), confidence <paramref name="Score"/>, and an optional mask for segm evaluation.</summary>
public sealed record CocoDetection(long ImageId, long CategoryId, double[]? Bbox, double Score, CocoRle? Segmentation = null);

/// <summary>Reads and writes COCO results files: a JSON array of <c>{image_id, category_id, bbox, score}</c>
/// (optionally <c>segmentation</c> as an RLE object).</summary>
/// <remarks>Malformed JSON, a missing field, a non-finite number, a box with negative width or height, or a record
/// with neither bbox nor segmentation throws <see cref="CocoFormatException"/> naming the file and the detection
/// index (0-based position in the array). Zero-size boxes are kept (they match nothing). Whether image and
/// category ids exist is checked against the ground truth by the evaluator.</remarks>
public static class CocoDetections
{
    /// <summary>Reads a results file.</summary>
    public static IReadOnlyList<CocoDetection> Read(string path) => Parse(CocoJson.ReadFile(path), path);

    /// <summary>Parses results JSON; <paramref name="source"/> names it in errors.</summary>
    public static IReadOnlyList<CocoDetection> Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var doc = CocoJson.Parse(json, source);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Array) throw new CocoFormatException(source, "a results file must be a JSON array of detections.");
        var list = new List<CocoDetection>();
        var i = 0;
        foreach (var e in root.EnumerateArray())
        {
            var rec = $"detection #{i}";
            double[]? bbox = null;
            if (CocoJson.Has(e, "bbox"))
            {
                bbox = CocoJson.Numbers(e.GetProperty("bbox"), $"{rec}: bbox", source, 4);
                if (bbox[2] < 0 || bbox[3] < 0)
                    throw new CocoFormatException(source, $"{rec}: bbox has negative size w={bbox[2]}, h={bbox[3]}.");
            }
            CocoRle? mask = null;
            if (CocoJson.Has(e, "segmentation"))
            {
                var seg = CocoJson.Segmentation(e.GetProperty("segmentation"), source, rec);
                mask = seg.Rle ?? throw new CocoFormatException(source, $"{rec}: result segmentations must be RLE objects, not polygons.");
            }
            if (bbox is null && mask is null) throw new CocoFormatException(source, $"{rec}: needs a bbox or a segmentation.");
            list.Add(new CocoDetection(CocoJson.Long(e, "image_id", source, rec), CocoJson.Long(e, "category_id", source, rec),
                bbox, CocoJson.Double(e, "score", source, rec), mask));
            i++;
        }
        return list;
    }

    /// <summary>Writes detections as a results file (masks as compressed RLE).</summary>
    public static void Write(string path, IEnumerable<CocoDetection> detections)
    {
        ArgumentNullException.ThrowIfNull(path);
        File.WriteAllText(path, ToJson(detections));
    }

    /// <summary>Detections as results JSON text.</summary>
    public static string ToJson(IEnumerable<CocoDetection> detections)
    {
        ArgumentNullException.ThrowIfNull(detections);
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartArray();
            foreach (var d in detections)
            {
                w.WriteStartObject();
                w.WriteNumber("image_id", d.ImageId);
                w.WriteNumber("category_id", d.CategoryId);
                if (d.Bbox is { } b) CocoJson.WriteNumbers(w, "bbox", b);
                w.WriteNumber("score", d.Score);
                if (d.Segmentation is { } m)
                {
                    w.WritePropertyName("segmentation");
                    CocoJson.WriteSegmentation(w, CocoSegmentation.FromRle(m));
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }
}
