using System.Diagnostics;
using System.Globalization;
using Scratch.Autograd;
using Scratch.Cli.Data;
using Scratch.Optim;
using Scratch.Optim.Schedules;

namespace Scratch.Cli.Quickstart;

/// <summary><c>scratch quickstart</c> runs the detection quickstart (<see cref="DetectionQuickstart"/>, BorderDet by
/// default); <c>scratch quickstart --cnn [--epochs E] [--batch B] [--lr LR] [--seed S] [--threads T] [--json] [--full]</c>:
/// trains <see cref="QuickstartModel"/> on Fashion-MNIST with SGD (momentum 0.9, weight decay 5e-4 on weights
/// only) under a linear-warmup + cosine schedule, evaluating test accuracy after each epoch.</summary>
internal static class QuickstartCommand
{
    /// <summary>Usage text.</summary>
    public const string Usage =
        "usage: scratch quickstart --cnn [--epochs E] [--batch B] [--lr LR] [--seed S] [--threads T] [--json] [--full]\n" +
        "  --epochs E   passes over the training set (default 5)\n" +
        "  --batch B    minibatch size (default 64)\n" +
        "  --lr LR      peak learning rate (default 0.05)\n" +
        "  --seed S     seed for initialisation and shuffling (default 0)\n" +
        "  --threads T  worker threads (default: all cores)\n" +
        "  --json       one JSON object per line instead of the progress bar\n" +
        "  --full       use the installed full Fashion-MNIST instead of the embedded subset\n" +
        "  without --cnn: the detection quickstart, BorderDet by default (scratch quickstart --help-detection)";

    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(string[] args)
    {
        if (!args.Contains("--cnn"))
            return DetectionQuickstart.Run([.. args.Select(a => a == "--help-detection" ? "--help" : a)]);
        args = [.. args.Where(a => a != "--cnn")];
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(Usage);
            return 0;
        }
        ArgParser p;
        try
        {
            p = new ArgParser("quickstart", args, ["epochs", "batch", "lr", "seed", "threads"], ["json", "full"]);
            return Train(new Options(p.Int("epochs", 5), p.Int("batch", 64), p.Double("lr", 0.05), p.ULong("seed", 0),
                p.Int("threads", 0, min: 0), p.Flag("json"), p.Flag("full")));
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"scratch {e.Message}\n{Usage}");
            return 2;
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            Console.Error.WriteLine($"scratch quickstart: {e.Message}");
            return 1;
        }
    }

    private sealed record Options(int Epochs, int Batch, double Lr, ulong Seed, int Threads, bool Json, bool Full);

    private static int Train(Options o)
    {
        if (ThreadLimit.Enforce(o.Threads) is { } exitCode) return exitCode;
        var total = Stopwatch.StartNew();
        var source = o.Full ? DataSource.Full : DataSource.Embedded;
        var train = FashionMnist.Load(Split.Train, source);
        var test = FashionMnist.Load(Split.Test, source);
        if (!o.Json)
            Console.WriteLine($"Fashion-MNIST ({train.Origin}): {train.Count} train / {test.Count} test images; CNN, {o.Epochs} epochs, batch {o.Batch}, lr {o.Lr.ToString(CultureInfo.InvariantCulture)}, seed {o.Seed}");

        var gen = new Generator(o.Seed);
        var model = new QuickstartModel(gen);
        var opt = new Sgd(ParamGroup.SplitWeightDecay(model.Parameters(), 5e-4), lr: o.Lr, momentum: 0.9);
        var stepsPerEpoch = (train.Count + o.Batch - 1) / o.Batch;
        long totalSteps = (long)stepsPerEpoch * o.Epochs;
        var schedule = new WarmupLr(new CosineLr(o.Lr, totalSteps), Math.Min(200, totalSteps / 10), warmupFactor: 0.1);

        var trainX = train.Images.ToArray<float>();
        var trainY = train.Labels.ToArray<long>();
        var testAccuracy = 0.0;
        long step = 0, seen = 0;
        double trainSeconds = 0;
        for (var epoch = 1; epoch <= o.Epochs; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            model.Train();
            var order = Tensor.Randperm(train.Count, gen).ToArray<long>();
            var bar = new ProgressBar($"epoch {epoch}/{o.Epochs}", stepsPerEpoch, enabled: !o.Json);
            double lossSum = 0;
            long correct = 0, count = 0;
            for (var b = 0; b < stepsPerEpoch; b++)
            {
                var idx = order.AsSpan(b * o.Batch, Math.Min(o.Batch, train.Count - b * o.Batch));
                var (x, y) = Gather(trainX, trainY, idx);
                schedule.Apply(opt, step);
                opt.ZeroGrad();
                var logits = model.Forward(x);
                var loss = QuickstartModel.CrossEntropy(logits, y);
                loss.Backward();
                opt.Step();
                step++;
                lossSum += loss.Item() * idx.Length;
                correct += CountCorrect(logits, y);
                count += idx.Length;
                bar.Update(b + 1, lossSum / count, (double)correct / count);
            }
            bar.Finish();
            seen += count;
            trainSeconds += epochClock.Elapsed.TotalSeconds;
            testAccuracy = Evaluate(model, test);
            var seconds = epochClock.Elapsed.TotalSeconds;
            if (o.Json)
                Console.WriteLine(Json(("epoch", epoch), ("loss", lossSum / count), ("train_accuracy", (double)correct / count),
                    ("test_accuracy", testAccuracy), ("seconds", seconds)));
            else
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"epoch {epoch}: loss {lossSum / count:F4}, train accuracy {100.0 * correct / count:F2}%, test accuracy {100 * testAccuracy:F2}% ({seconds:F1} s)"));
        }
        var wall = total.Elapsed.TotalSeconds;
        var imagesPerSecond = seen / Math.Max(1e-9, trainSeconds);
        if (o.Json)
            Console.WriteLine(Json(("accuracy", testAccuracy), ("seconds", wall), ("images_per_second", imagesPerSecond)));
        else
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"test accuracy {100 * testAccuracy:F2}% in {wall:F1} s ({imagesPerSecond:F0} training images/s)"));
        return 0;
    }

    private static (Tensor X, long[] Y) Gather(float[] images, long[] labels, ReadOnlySpan<long> idx)
    {
        const int pixels = 28 * 28;
        var x = new float[idx.Length * pixels];
        var y = new long[idx.Length];
        for (var i = 0; i < idx.Length; i++)
        {
            Array.Copy(images, idx[i] * pixels, x, (long)i * pixels, pixels);
            y[i] = labels[idx[i]];
        }
        return (Tensor.From(x, new Shape(idx.Length, 1, 28, 28)), y);
    }

    private static long CountCorrect(Tensor logits, long[] labels)
    {
        var v = logits.Detach().ToArray<float>();
        var c = logits.Size(1);
        long correct = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var row = v.AsSpan(i * c, c);
            var best = 0;
            for (var j = 1; j < c; j++) if (row[j] > row[best]) best = j;
            if (best == labels[i]) correct++;
        }
        return correct;
    }

    private static double Evaluate(QuickstartModel model, Dataset test)
    {
        model.Eval();
        using var _ = GradMode.Disable();
        var x = test.Images.ToArray<float>();
        var y = test.Labels.ToArray<long>();
        long correct = 0;
        const int chunk = 1000;
        for (var start = 0; start < test.Count; start += chunk)
        {
            var n = Math.Min(chunk, test.Count - start);
            var idx = Enumerable.Range(start, n).Select(i => (long)i).ToArray();
            var (bx, by) = Gather(x, y, idx);
            correct += CountCorrect(model.Forward(bx), by);
        }
        return (double)correct / test.Count;
    }

    private static string Json(params (string Key, double Value)[] fields) =>
        "{" + string.Join(", ", fields.Select(f => $"\"{f.Key}\": {Number(f.Value)}")) + "}";

    private static string Number(double v) =>
        Math.Abs(v - Math.Round(v)) < 1e-12 && Math.Abs(v) < 1e15
            ? ((long)Math.Round(v)).ToString(CultureInfo.InvariantCulture)
            : v.ToString("R", CultureInfo.InvariantCulture);
}
