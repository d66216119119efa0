using System.Text;
using System.Text.Json;
using Scratch.Data.Coco;
using Scratch.Eval;

namespace Scratch.Cli;

/// <summary><c>scratch coco-eval --gt GT.json --dt DT.json [--iou-type bbox|segm] [--json]</c>: evaluates a COCO
/// results file against COCO ground truth with <see cref="CocoEval"/> and prints the 12 summary lines as pycocotools
/// does, or with <c>--json</c> one object {AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl} of
/// fractions (−1 where no ground truth qualifies).</summary>
internal static class CocoEvalCommand
{
    /// <summary>Usage text.</summary>
    public const string Usage =
        "usage: scratch coco-eval --gt GT.json --dt DT.json [--iou-type bbox|segm] [--json]\n" +
        "  --gt GT.json      COCO instances file (images, annotations, categories)\n" +
        "  --dt DT.json      COCO results file: [{image_id, category_id, bbox, score}, ...]\n" +
        "  --iou-type T      bbox (default) or segm (masks: polygons / RLE)\n" +
        "  --json            print one JSON object with the 12 stats instead of the summary lines";

    /// <summary>Runs the command; returns the exit code (0 ok, 1 unreadable or invalid files, 2 bad usage).</summary>
    public static int Run(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(Usage);
            return 0;
        }
        string gtPath, dtPath;
        CocoIouType iouType;
        bool json;
        try
        {
            var values = Parse(args, out json);
            gtPath = values.GetValueOrDefault("gt") ?? throw new ArgumentException("coco-eval: --gt is required.");
            dtPath = values.GetValueOrDefault("dt") ?? throw new ArgumentException("coco-eval: --dt is required.");
            iouType = values.GetValueOrDefault("iou-type", "bbox") switch
            {
                "bbox" => CocoIouType.Bbox,
                "segm" => CocoIouType.Segm,
                var t => throw new ArgumentException($"coco-eval: --iou-type expects bbox or segm, got '{t}'."),
            };
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"scratch {e.Message}\n{Usage}");
            return 2;
        }
        try
        {
            // Zero-size ground-truth boxes are kept, as pycocotools keeps them (they can only lower recall).
            var gt = CocoDataset.Read(gtPath, DegenerateBoxPolicy.Keep);
            var dt = CocoDetections.Read(dtPath);
            var result = CocoEval.Evaluate(gt, dt, iouType, detectionsSource: dtPath);
            if (json) Console.WriteLine(ToJson(result.Stats));
            else
            {
                foreach (var line in result.SummaryLines) Console.WriteLine(line);
            }
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CocoFormatException)
        {
            Console.Error.WriteLine($"scratch coco-eval: {e.Message}");
            return 1;
        }
    }

    /// <summary>The 12 stats as one JSON object.</summary>
    public static string ToJson(CocoStats stats)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            var values = stats.ToArray();
            for (var i = 0; i < values.Length; i++) w.WriteNumber(CocoStats.Names[i], values[i]);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static Dictionary<string, string> Parse(string[] args, out bool json)
    {
        string[] options = ["gt", "dt", "iou-type"];
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        json = false;
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal) || a.Length == 2)
                throw new ArgumentException($"coco-eval: unexpected argument '{a}' (options are --name value).");
            var name = a[2..];
            string? inline = null;
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0) (name, inline) = (name[..eq], name[(eq + 1)..]);
            if (name == "json")
            {
                if (inline is not null) throw new ArgumentException("coco-eval: --json is a flag and takes no value.");
                json = true;
            }
            else if (options.Contains(name))
            {
                values[name] = inline ?? (i + 1 < args.Length ? args[++i] : throw new ArgumentException($"coco-eval: --{name} expects a value."));
            }
            else
            {
                throw new ArgumentException($"coco-eval: unknown option --{name}.");
            }
        }
        return values;
    }
}
