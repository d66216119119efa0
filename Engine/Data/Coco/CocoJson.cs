using System.Text.Json;

namespace Scratch.Data.Coco;

/// <summary>Typed field access on <see cref="JsonElement"/> records with errors that name the file and record.</summary>
internal static class CocoJson
{
    public static JsonDocument Parse(string json, string source)
    {
        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new CocoFormatException(source, $"malformed JSON: {e.Message}", e);
        }
    }

    public static string ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return File.ReadAllText(path);
    }

    public static bool Has(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    public static JsonElement Required(JsonElement e, string name, string source, string record)
    {
        if (e.ValueKind != JsonValueKind.Object)
            throw new CocoFormatException(source, $"{record}: expected a JSON object, got {e.ValueKind}.");
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            throw new CocoFormatException(source, $"{record}: missing field '{name}'.");
        return v;
    }

    public static long Long(JsonElement e, string name, string source, string record)
    {
        var v = Required(e, name, source, record);
        if (v.ValueKind == JsonValueKind.Number)
        {
            if (v.TryGetInt64(out var l)) return l;
            if (v.TryGetDouble(out var d) && d == Math.Floor(d) && Math.Abs(d) < 9e15) return (long)d;
        }
        throw new CocoFormatException(source, $"{record}: field '{name}' must be an integer, got {Describe(v)}.");
    }

    public static double Double(JsonElement e, string name, string source, string record)
    {
        var v = Required(e, name, source, record);
        return Number(v, $"{record}: field '{name}'", source);
    }

    public static double Number(JsonElement v, string what, string source)
    {
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && double.IsFinite(d)) return d;
        throw new CocoFormatException(source, $"{what} must be a finite number, got {Describe(v)}.");
    }

    public static double[] Numbers(JsonElement v, string what, string source, int? count = null)
    {
        if (v.ValueKind != JsonValueKind.Array)
            throw new CocoFormatException(source, $"{what} must be an array of numbers, got {Describe(v)}.");
        var n = v.GetArrayLength();
        if (count is { } c && n != c)
            throw new CocoFormatException(source, $"{what} must have {c} numbers, got {n}.");
        var r = new double[n];
        var i = 0;
        foreach (var x in v.EnumerateArray()) r[i++] = Number(x, what, source);
        return r;
    }

    public static string? OptionalString(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static string Describe(JsonElement v)
    {
        var raw = v.GetRawText();
        return raw.Length <= 40 ? raw : raw[..40] + "...";
    }

    /// <summary>Reads a COCO segmentation: a list of polygons, or an RLE object whose counts are a list of run
    /// lengths or a compressed string.</summary>
    public static CocoSegmentation Segmentation(JsonElement v, string source, string record)
    {
        if (v.ValueKind == JsonValueKind.Array)
        {
            var polys = new List<double[]>();
            foreach (var p in v.EnumerateArray())
            {
                var xy = Numbers(p, $"{record}: segmentation polygon", source);
                if (xy.Length % 2 != 0 || xy.Length < 6)
                    throw new CocoFormatException(source, $"{record}: a segmentation polygon needs an even number >= 6 of coordinates, got {xy.Length}.");
                polys.Add(xy);
            }
            return CocoSegmentation.FromPolygons(polys);
        }
        if (v.ValueKind == JsonValueKind.Object)
        {
            var size = Numbers(Required(v, "size", source, record + " segmentation"), $"{record}: segmentation size", source, 2);
            if (size[0] < 0 || size[1] < 0 || size[0] != Math.Floor(size[0]) || size[1] != Math.Floor(size[1]))
                throw new CocoFormatException(source, $"{record}: segmentation size must be two non-negative integers [h, w].");
            int h = (int)size[0], w = (int)size[1];
            var counts = Required(v, "counts", source, record + " segmentation");
            try
            {
                if (counts.ValueKind == JsonValueKind.String)
                    return CocoSegmentation.FromRle(CocoRle.FromCompressedString(counts.GetString()!, h, w), compressed: true);
                var c = Numbers(counts, $"{record}: segmentation counts", source);
                var u = new uint[c.Length];
                for (var i = 0; i < c.Length; i++)
                {
                    if (c[i] < 0 || c[i] != Math.Floor(c[i]) || c[i] > uint.MaxValue)
                        throw new CocoFormatException(source, $"{record}: RLE counts must be non-negative integers, got {c[i]}.");
                    u[i] = (uint)c[i];
                }
                return CocoSegmentation.FromRle(new CocoRle(h, w, u), compressed: false);
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                throw new CocoFormatException(source, $"{record}: invalid RLE: {e.Message}", e);
            }
        }
        throw new CocoFormatException(source, $"{record}: segmentation must be a polygon list or an RLE object, got {Describe(v)}.");
    }

    public static void WriteSegmentation(Utf8JsonWriter w, CocoSegmentation s)
    {
        if (s.Polygons is { } polys)
        {
            w.WriteStartArray();
            foreach (var p in polys)
            {
                w.WriteStartArray();
                foreach (var x in p) w.WriteNumberValue(x);
                w.WriteEndArray();
            }
            w.WriteEndArray();
            return;
        }
        var r = s.Rle!;
        w.WriteStartObject();
        w.WriteStartArray("size");
        w.WriteNumberValue(r.Height);
        w.WriteNumberValue(r.Width);
        w.WriteEndArray();
        if (s.IsCompressed) w.WriteString("counts", r.ToCompressedString());
        else
        {
            w.WriteStartArray("counts");
            foreach (var c in r.Counts) w.WriteNumberValue(c);
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    public static void WriteNumbers(Utf8JsonWriter w, string name, IEnumerable<double> xs)
    {
        w.WriteStartArray(name);
        foreach (var x in xs) w.WriteNumberValue(x);
        w.WriteEndArray();
    }
}
