using System.Diagnostics;
using System.Globalization;
using Scratch.Cli.Data;
using Scratch.Cli.Train;
using Scratch.Data.Coco;
using Scratch.Data.FashionDet;
using Scratch.Data.Visualization;
using Scratch.Models.Common.Detection;
using Scratch.Models.Common.Training;

namespace Scratch.Cli.Quickstart;

/// <summary><c>scratch quickstart --detector NAME [...]</c>: the detection quickstart. Generates a FashionDet set from
/// the embedded Fashion-MNIST subset into <c>OUT/data</c>, trains the detector on it, evaluates it on the val split
/// and writes <c>OUT/metrics.json</c> (COCO stats), <c>OUT/detections.png</c> (the first val image with its
/// detections drawn) and <c>OUT/model.safetensors</c>, printing their paths. With <c>--json</c> the last line is
/// one object of the 12 COCO stats (keys of <c>scratch coco-eval --json</c>) and <c>seconds</c>.</summary>
internal static class DetectionQuickstart
{
    /// <summary>Usage text.</summary>
    public const string Usage =
        "usage: scratch quickstart [--detector NAME] [--out runs/quickstart] [--iters N] [--batch B] [--lr LR] [--size S]\n" +
        "                          [--train N] [--val M] [--backbone B] [--fpn-channels C] [--convs N] [--items K] [--clip C]\n" +
        "                          [--seed S] [--workers W] [--threads T] [--json]\n" +
        "  trains from scratch: trainable batch norm, no frozen backbone stages\n" +
        "  --detector NAME  detector to train: borderdet (default) or fcos\n" +
        "  --out DIR        run folder (default runs/quickstart)\n" +
        "  --iters N        optimizer steps (default 1200)\n" +
        "  --batch B        images per step (default 8)\n" +
        "  --lr LR          base learning rate (default 0.02)\n" +
        "  --size S         FashionDet image size (default 128)\n" +
        "  --train N        training images to generate (default 800)\n" +
        "  --val M          validation images to generate (default 100)\n" +
        "  --fpn-channels C FPN and head width (default 64)\n" +
        "  --convs N        convs per head tower (default 2)\n" +
        "  --items K        most items per image (default 4)\n" +
        "  --clip C         gradient-norm clip (default 5)\n" +
        "  --json           no progress output; the last line is one JSON object of the COCO stats and seconds";

    /// <summary>What to run.</summary>
    public sealed record Settings(string Detector, string OutDir, long Iterations, int Batch, double Lr, int Size,
        int TrainImages, int ValImages, string Backbone, ulong Seed, int Workers, bool Json, int FpnChannels = 64, int NumConvs = 2,
        int MaxItems = 4, double? Clip = 5.0);

    /// <summary>Parses the options (the <c>--detector</c> is among them) and runs; returns the exit code.</summary>
    public static int Run(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(Usage);
            return 0;
        }
        try
        {
            var p = new ArgParser("quickstart", args,
                ["detector", "out", "iters", "batch", "lr", "size", "train", "val", "backbone", "seed", "workers", "threads", "fpn-channels",
                    "convs", "items", "clip"], ["json"]);
            var s = new Settings(p.String("detector", "borderdet")!, p.String("out", Path.Combine("runs", "quickstart"))!, p.Int("iters", 1200),
                p.Int("batch", 8), p.Double("lr", 0.02), p.Int("size", 128, min: 32), p.Int("train", 800), p.Int("val", 100),
                p.String("backbone", "resnet18")!, p.ULong("seed", 0), p.Int("workers", 2, min: 0), p.Flag("json"),
                p.Int("fpn-channels", 64), p.Int("convs", 2, min: 0), p.Int("items", 4), p.Double("clip", 5.0));
            if (ThreadLimit.Enforce(p.Int("threads", 0, min: 0)) is { } exit) return exit;
            return Execute(s, Console.Out);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"scratch {e.Message}\n{Usage}");
            return 2;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or CocoFormatException or UnauthorizedAccessException or ArithmeticException)
        {
            Console.Error.WriteLine($"scratch quickstart: {e.Message}");
            return 1;
        }
    }

    /// <summary>Generates the data, trains, evaluates and draws; returns the exit code.</summary>
    public static int Execute(Settings s, TextWriter output)
    {
        var clock = Stopwatch.StartNew();
        if (!DetectorZoo.Names.Contains(s.Detector, StringComparer.OrdinalIgnoreCase))
            throw new ArgumentException($"quickstart: unknown detector '{s.Detector}' (known: {TrainingCli.Known()}).");
        var dataDir = Path.Combine(s.OutDir, "data");
        var runDir = s.OutDir;
        MakeData(dataDir, s, output);
        // A quickstart always starts afresh.
        foreach (var f in new[] { DetectionTrainer.CheckpointFile, DetectionTrainer.MetricsFile })
            File.Delete(Path.Combine(runDir, f));
        var options = new TrainerOptions
        {
            Iterations = s.Iterations,
            BatchSize = s.Batch,
            BaseLr = s.Lr,
            Seed = s.Seed,
            Workers = s.Workers,
            WarmupIterations = Math.Min(1000, s.Iterations / 10),
            Milestones = [s.Iterations * 2 / 3, s.Iterations * 8 / 9],
            CheckpointEvery = (int)Math.Max(1, s.Iterations / 5),
            ClipGradNorm = s.Clip,
        };
        // From scratch: trainable batch norm and no frozen stages (FrozenBatchNorm and freeze_at suit only
        // pretrained backbones, and none exist here); a narrow FPN and short towers keep a CPU step cheap.
        var spec = new DetectorSpec(0, s.Backbone, FpnChannels: s.FpnChannels, NumConvs: s.NumConvs,
            BackboneNorm: Scratch.Models.Common.Backbones.ResNetNorm.BatchNorm, FreezeAt: 0);
        var (trainer, eval, _) = TrainCommand.Execute(
            new TrainCommand.TrainRun(s.Detector, dataDir, runDir, s.Backbone, options, Resume: false, s.Json, spec), output);

        var val = CocoImageFolder.FromDataRoot(dataDir, "val");
        var picture = Path.Combine(runDir, "detections.png");
        var first = val.Load(0);
        var det = DetectionEvaluator.DetectImage(trainer.Model, first.Image, first.Height, first.Width);
        var drawn = DetectionVisualizer.Draw(first.ImageTensor(), det.Boxes, det.Labels, det.Scores, val.ClassNames, scoreThreshold: 0.3);
        new Canvas(drawn).Save(picture);
        var seconds = clock.Elapsed.TotalSeconds;
        var metrics = Path.Combine(runDir, DetectionEvaluator.MetricsFile);
        var model = Path.Combine(runDir, DetectionTrainer.ModelFile);
        if (s.Json)
        {
            output.WriteLine(DetectionEvaluator.StatsJson(eval!.Coco.Stats, ("seconds", seconds)));
        }
        else
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"box AP {100 * eval!.Coco.Stats.AP:F1}, AP50 {100 * eval.Coco.Stats.AP50:F1} in {seconds:F1} s"));
            output.WriteLine($"  {metrics}");
            output.WriteLine($"  {picture}");
            output.WriteLine($"  {model}");
        }
        return 0;
    }

    private static void MakeData(string dataDir, Settings s, TextWriter output)
    {
        var options = new FashionDetOptions
        {
            Size = s.Size, MinItems = 1, MaxItems = s.MaxItems, MinScale = 1.0, MaxScale = Math.Max(1.0, 4.0 * s.Size / 320),
        };
        foreach (var (split, count, source, seed) in new[] { ("train", s.TrainImages, Split.Train, s.Seed), ("val", s.ValImages, Split.Test, s.Seed + 1) })
        {
            var data = FashionMnist.Load(source, DataSource.Embedded);
            var (items, labels) = DataCommand.ToBytes(data);
            var ds = FashionDetWriter.Write(new FashionDetGenerator(items, labels, options), dataDir, split, count, seed);
            if (!s.Json) output.WriteLine($"FashionDet {split}: {count} images, {ds.Annotations.Count} instances ({s.Size}x{s.Size}) in {dataDir}");
        }
    }
}
