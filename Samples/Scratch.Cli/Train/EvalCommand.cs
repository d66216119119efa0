using System.Globalization;
using Scratch.Data.Coco;
using Scratch.Models.Common.Detection;
using Scratch.Models.Common.Training;

namespace Scratch.Cli.Train;

/// <summary><c>scratch eval DETECTOR --weights W --data DIR [--split val] [--json]</c>: COCO box evaluation of saved
/// weights (a <c>model.safetensors</c> or a training checkpoint) on a split of a COCO-format folder; prints the 12
/// summary lines, or with <c>--json</c> one object with the keys of <c>scratch coco-eval --json</c>.</summary>
internal static class EvalCommand
{
    /// <summary>Usage text.</summary>
    public const string Usage =
        "usage: scratch eval DETECTOR --weights W --data DIR [--split val] [--backbone B ...] [--size S] [--batch B]\n" +
        "                     [--out DIR] [--device D] [--threads T] [--json]\n" +
        "  --weights W   model.safetensors or checkpoint.safetensors of a training run\n" +
        "  --split NAME  which split of DIR to evaluate (default val)\n" +
        "  --size S      resize images to shorter edge S (default: the training size stored in W, else none)\n" +
        "  --out DIR     also write DIR/detections.json and DIR/metrics.json\n" +
TrainingCli.DeviceUsage + "\n" +
        "  --json        print one JSON object {AP, AP50, ..., ARl} instead of the summary lines";

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
            var (name, rest) = TrainingCli.DetectorName("eval", args);
            var p = new ArgParser("eval", rest, [.. TrainingCli.ModelOptions, "weights", "data", "split", "size", "batch", "out", "device", "threads"], ["json"]);
            device = TrainingCli.ParseDevice("eval", p.String("device"));
            var weights = p.Required("weights");
            var data = CocoImageFolder.FromDataRoot(p.Required("data"), p.String("split", "val")!);
            var size = p.String("size") is null ? TrainingCli.StoredImageSize(TrainingCheckpoint.ReadMetadata(weights)) : p.Int("size", 0, min: 8);
            var batch = p.Int("batch", 4);
            var json = p.Flag("json");
            if (ThreadLimit.Enforce(p.Int("threads", 0, min: 0)) is { } exit) return exit;
            var model = TrainingCli.Create("eval", name, TrainingCli.Spec(p, data.NumClasses, 0, TrainingCheckpoint.ReadMetadata(weights)));
            TrainingCheckpoint.LoadWeights(weights, model);
            model.To(device);
            var bar = new ProgressBar("eval", data.Count, enabled: !json);
            var result = DetectionEvaluator.Evaluate(model, data, p.String("out"), batch, size, (done, _) => bar.Update(done, ""));
            bar.Finish();
            if (json) Console.WriteLine(CocoEvalCommand.ToJson(result.Coco.Stats));
            else
            {
                foreach (var line in result.Coco.SummaryLines) Console.WriteLine(line);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{data.Count} images, {result.Detections.Count} detections in {result.Seconds:F1} s"));
            }
            return 0;
        }
        catch (NotSupportedException e)
        {
            Console.Error.WriteLine(TrainingCli.Unsupported("eval", device, e));
            return 1;
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"scratch {e.Message}\n{Usage}");
            return 2;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or CocoFormatException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"scratch eval: {e.Message}");
            return 1;
        }
    }
}
