using System.Globalization;
using Scratch.Data.Coco;
using Scratch.Data.Visualization;
using Scratch.Models.Common.Detection;
using Scratch.Models.Common.Training;

namespace Scratch.Cli.Train;

/// <summary><c>scratch infer DETECTOR --weights W --image IMG.png --out OUT.png [--score 0.3]</c>: detects on one PNG
/// and writes it with the detections drawn (boxes in class colours, "name score" tags), listing them on stdout.
/// </summary>
internal static class InferCommand
{
    /// <summary>Usage text.</summary>
    public const string Usage =
        "usage: scratch infer DETECTOR --weights W --image IMG.png --out OUT.png [--score 0.3] [--classes N | --data DIR]\n" +
        "                      [--backbone B ...] [--size S] [--device D] [--threads T]\n" +
        "  --score T     draw detections with score >= T (default 0.3)\n" +
TrainingCli.DeviceUsage + "\n" +
        "  --classes N   number of classes the weights were trained for (default: the names stored in W by\n" +
        "                scratch train, else 10, FashionDet's)\n" +
        "  --data DIR    take the classes (count and names) from DIR/annotations/instances_train.json instead\n" +
        "  --size S      resize to shorter edge S before detecting (default: the training size stored in W)";

    /// <summary>Runs the command; returns the exit code (0 ok, 1 I/O or data failure, 2 bad usage).</summary>
    public static int Run(string[] args)
    {
        if (args.Length == 0 || args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        var device = Device.Cpu;
        try
        {
            var (name, rest) = TrainingCli.DetectorName("infer", args);
            var p = new ArgParser("infer", rest, [.. TrainingCli.ModelOptions, "weights", "image", "out", "score", "classes", "data", "size", "device", "threads"], []);
            device = TrainingCli.ParseDevice("infer", p.String("device"));
            var (weights, image, output) = (p.Required("weights"), p.Required("image"), p.Required("out"));
            var score = p.NonNegative("score", 0.3);
            var meta = TrainingCheckpoint.ReadMetadata(weights);
            var size = p.String("size") is null ? TrainingCli.StoredImageSize(meta) : p.Int("size", 0, min: 8);
            string[] classes;
            if (p.String("data") is { } dir)
            {
                var ds = CocoDataset.Read(Path.Combine(dir, "annotations", "instances_train.json"));
                classes = [.. ds.Categories.Select(c => c.Name)];
            }
            else if (p.String("classes") is null && TrainingCheckpoint.ClassNames(meta) is { Length: > 0 } stored) classes = stored;
            else classes = TrainingCli.ClassNames(p.Int("classes", 10));
            if (ThreadLimit.Enforce(p.Int("threads", 0, min: 0)) is { } exit) return exit;
            var model = TrainingCli.Create("infer", name, TrainingCli.Spec(p, classes.Length, 0, meta));
            TrainingCheckpoint.LoadWeights(weights, model);
            model.To(device);
            var png = Scratch.Data.Images.PngReader.Read(image);
            var rgb = CocoImageFolder.ReadImage(image);
            var det = DetectionEvaluator.DetectImage(model, rgb, png.Height, png.Width, size);
            var drawn = DetectionVisualizer.Draw(Tensor.From(rgb, new Shape(3, png.Height, png.Width)), det.Boxes, det.Labels, det.Scores,
                classes, scoreThreshold: score);
            var dirName = Path.GetDirectoryName(Path.GetFullPath(output));
            if (dirName is not null) Directory.CreateDirectory(dirName);
            new Canvas(drawn).Save(output);
            Print(det, classes, score);
            Console.WriteLine($"wrote {output}");
            return 0;
        }
        catch (NotSupportedException e)
        {
            Console.Error.WriteLine(TrainingCli.Unsupported("infer", device, e));
            return 1;
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"scratch {e.Message}\n{Usage}");
            return 2;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or CocoFormatException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"scratch infer: {e.Message}");
            return 1;
        }
    }

    private static void Print(Detections det, string[] classes, double score)
    {
        var b = det.Boxes.ToDoubleArray();
        var s = det.Scores.ToDoubleArray();
        var l = det.Labels.ToDoubleArray();
        var shown = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] < score) continue;
            shown++;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{classes[(int)l[i]],-12} {s[i]:F3}  [{b[4 * i]:F1}, {b[4 * i + 1]:F1}, {b[4 * i + 2]:F1}, {b[4 * i + 3]:F1}]"));
        }
        Console.WriteLine($"{shown} of {s.Length} detections with score >= {score.ToString(CultureInfo.InvariantCulture)}");
    }
}
