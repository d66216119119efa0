using System.Diagnostics;
using System.Globalization;
using Scratch.Data.Coco;
using Scratch.Models.Common.Detection;
using Scratch.Models.Common.Training;

namespace Scratch.Cli.Train;

/// <summary><c>scratch train DETECTOR --data DIR --out RUN [...]</c>: trains a detector from the zoo on a COCO-format
/// folder as written by <c>scratch data fashiondet</c> (SGD momentum 0.9, weight decay 1e-4 except on norm layers,
/// linear warmup, ×0.1 at 2/3 and 8/9 of the steps), with checkpoints, <c>metrics.jsonl</c> and a final COCO
/// evaluation of the val split into <c>RUN/metrics.json</c> and <c>RUN/detections.json</c>.</summary>
internal static class TrainCommand
{
    /// <summary>Usage text.</summary>
    public const string Usage =
        "usage: scratch train DETECTOR --data DIR --out RUN [--backbone B] [--fpn-channels C] [--convs N]\n" +
        "                      [--norm bn|frozenbn] [--freeze-at N] [--iters N] [--batch B] [--lr LR] [--size S]\n" +
        "                      [--device D] [--checkpoint-every N] [--seed S] [--resume] [--workers W] [--clip C]\n" +
        "                      [--warmup N] [--threads T] [--json]\n" +
        "  DIR has annotations/instances_{train,val}.json and images/{train,val}/ (scratch data fashiondet)\n" +
TrainingCli.ModelUsage + "\n" + TrainingCli.DeviceUsage + "\n" +
        "  --iters N             optimizer steps (default 1000); lr ×0.1 at 2/3 and 8/9 of them\n" +
        "  --batch B             images per step (default 8)\n" +
        "  --lr LR               base learning rate (default 0.01)\n" +
        "  --size S              resize images to shorter edge S (default: as stored)\n" +
        "  --checkpoint-every N  write RUN/checkpoint.safetensors every N steps (default 100; always at the end)\n" +
        "  --seed S              initialisation, data order and augmentation seed (default 0)\n" +
        "  --resume              continue from RUN/checkpoint.safetensors (bit-identical to an uninterrupted run)\n" +
        "  --workers W           background data-loading threads (default 2; results do not depend on it)\n" +
        "  --clip C              clip gradients to joint L2 norm C (default: off)\n" +
        "  --warmup N            linear warmup steps (default min(1000, N/10))\n" +
        "  --json                no progress bar; the last line is one JSON object of the val COCO stats and seconds";

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
            var (name, rest) = TrainingCli.DetectorName("train", args);
            var p = new ArgParser("train", rest,
                [.. TrainingCli.ModelOptions, "data", "out", "iters", "batch", "lr", "size", "device", "checkpoint-every", "seed", "workers", "clip", "warmup", "threads"],
                ["resume", "json"]);
            device = TrainingCli.ParseDevice("train", p.String("device"));
            var iters = p.Int("iters", 1000);
            var spec = TrainingCli.Spec(p, 0);
            var run = new TrainRun(name, p.Required("data"), p.Required("out"), spec.Backbone, new TrainerOptions
            {
                Iterations = iters,
                BatchSize = p.Int("batch", 8),
                BaseLr = p.Double("lr", 0.01),
                ImageSize = p.String("size") is null ? null : p.Int("size", 0, min: 8),
                CheckpointEvery = p.Int("checkpoint-every", 100, min: 0),
                Seed = p.ULong("seed", 0),
                Workers = p.Int("workers", 2, min: 0),
                ClipGradNorm = p.String("clip") is null ? null : p.Double("clip", 1),
                WarmupIterations = p.Int("warmup", (int)Math.Min(1000, iters / 10), min: 0),
                Milestones = [iters * 2 / 3, iters * 8 / 9],
                Device = device,
            }, p.Flag("resume"), p.Flag("json"), spec);
            if (ThreadLimit.Enforce(p.Int("threads", 0, min: 0)) is { } exit) return exit;
            var (_, eval, seconds) = Execute(run, Console.Out);
            if (run.Json)
                Console.WriteLine(eval is null
                    ? string.Create(CultureInfo.InvariantCulture, $"{{\"seconds\": {seconds}}}")
                    : DetectionEvaluator.StatsJson(eval.Coco.Stats, ("seconds", seconds)));
            return 0;
        }
        catch (NotSupportedException e)
        {
            Console.Error.WriteLine(TrainingCli.Unsupported("train", device, e));
            return 1;
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"scratch {e.Message}\n{Usage}");
            return 2;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or CocoFormatException or UnauthorizedAccessException or ArithmeticException)
        {
            Console.Error.WriteLine($"scratch train: {e.Message}");
            return 1;
        }
    }

    /// <summary>What to train.</summary>
    /// <param name="Spec">Model options (its class count and seed are replaced by the data's and the options'); null
    /// takes the detector's defaults.</param>
    public sealed record TrainRun(string Detector, string DataDir, string OutDir, string Backbone, TrainerOptions Options, bool Resume, bool Json,
        DetectorSpec? Spec = null);

    /// <summary>Trains, evaluates on the val split when the folder has one, and returns the trainer, the evaluation
    /// (null without a val split) and the wall-clock seconds.</summary>
    public static (DetectionTrainer Trainer, DetectionEvaluation? Eval, double Seconds) Execute(TrainRun run, TextWriter output)
    {
        var clock = Stopwatch.StartNew();
        var train = CocoImageFolder.FromDataRoot(run.DataDir, "train");
        var valJson = Path.Combine(run.DataDir, "annotations", "instances_val.json");
        var spec = (run.Spec ?? new DetectorSpec(0)) with { NumClasses = train.NumClasses, Backbone = run.Backbone, InChannels = 3, Seed = run.Options.Seed };
        var model = TrainingCli.Create("train", run.Detector, spec);
        var options = run.Options with { OutputDirectory = run.OutDir, Metadata = TrainingCli.SpecMetadata(spec) };
        var trainer = new DetectionTrainer(model, train, options);
        var checkpoint = trainer.CheckpointPath!;
        if (run.Resume && File.Exists(checkpoint))
        {
            var pos = trainer.Resume();
            if (!run.Json) output.WriteLine($"resumed from {checkpoint} at step {pos.Iteration}");
        }
        else if (File.Exists(checkpoint))
        {
            throw new ArgumentException($"train: {run.OutDir} already holds a checkpoint; pass --resume to continue it or choose another --out.");
        }
        else
        {
            Directory.CreateDirectory(run.OutDir);
            File.Delete(Path.Combine(run.OutDir, DetectionTrainer.MetricsFile));
        }
        if (!run.Json)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{run.Detector} ({run.Backbone}) on {train.Count} images, {train.NumClasses} classes: {options.Iterations} steps of {options.BatchSize}, lr {options.BaseLr}, seed {options.Seed}"));
        var first = trainer.Position.Iteration;
        var bar = new ProgressBar("train", options.Iterations - first, enabled: !run.Json);
        trainer.Progress = pr => bar.Update(pr.Iteration - first,
            string.Join(" ", pr.Losses.Select(kv => $"{kv.Key.Replace("loss_", "", StringComparison.Ordinal)} {TrainingCli.F4(kv.Value)}"))
            + $" total {TrainingCli.F4(pr.TotalLoss)} lr {pr.Lr.ToString("G3", CultureInfo.InvariantCulture)}");
        trainer.Train();
        bar.Finish();
        if (!run.Json) output.WriteLine($"weights: {Path.Combine(run.OutDir, DetectionTrainer.ModelFile)}");
        DetectionEvaluation? eval = null;
        if (File.Exists(valJson))
        {
            var val = CocoImageFolder.FromDataRoot(run.DataDir, "val");
            var evalBar = new ProgressBar("eval ", val.Count, enabled: !run.Json);
            eval = DetectionEvaluator.Evaluate(model, val, run.OutDir, Math.Max(1, options.BatchSize), options.ImageSize,
                (done, _) => evalBar.Update(done, ""));
            evalBar.Finish();
            if (!run.Json)
            {
                foreach (var line in eval.Coco.SummaryLines) output.WriteLine(line);
                output.WriteLine($"metrics: {Path.Combine(run.OutDir, DetectionEvaluator.MetricsFile)}");
            }
        }
        return (trainer, eval, clock.Elapsed.TotalSeconds);
    }
}
