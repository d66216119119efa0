using System.Diagnostics;
using System.Globalization;
using Scratch.Models.Common.Backbones;
using Scratch.Optim;

namespace Scratch.Cli.Bench;

/// <summary><c>scratch bench resnet50 [--batch B] [--size S] [--train] [--threads T] [--runs R] [--json]</c>: times
/// torchvision's ResNet-50 end to end. Without <c>--train</c>: one inference forward pass (eval mode, grad mode
/// off), batch 1 at 224×224 by default. With <c>--train</c>: one training step (train-mode forward, cross-entropy
/// against fixed labels, backward, SGD with momentum, zeroed gradients), batch 2 at 224×224 by default. Reports the
/// median of R runs after warm-up (at least 10 runs and 1 s), each pass inside a <see cref="MemoryScope"/> (its closing sweep
/// included in the time) unless <c>--no-pool</c>; the same workload as <c>Benchmarks/torch_bench.py resnet50</c>.</summary>
internal static class ResNetBench
{
    /// <summary>Usage text.</summary>
    public const string Usage =
        "usage: scratch bench resnet50 [--batch B] [--size S] [--train] [--threads T] [--runs R] [--no-pool] [--json]\n" +
        "  --batch B    images per pass (default 1, or 2 with --train)\n" +
        "  --size S     image height and width (default 224)\n" +
        "  --train      time a training step (forward, cross-entropy, backward, SGD momentum, zero grad)\n" +
        "  --threads T  worker threads (default: all cores)\n" +
        "  --runs R     timed runs, the median is reported (default 5)\n" +
        "  --no-pool    run each pass outside a MemoryScope (plain GC allocation)\n" +
        "  --json       one JSON object: framework, op, batch, size, threads, ms";

    /// <summary>Runs the benchmark; returns the exit code.</summary>
    public static int Run(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(Usage);
            return 0;
        }
        int threadLimit, batch, size, runs;
        bool train, json, pool;
        try
        {
            var p = new ArgParser("bench resnet50", args, ["batch", "size", "threads", "runs"], ["train", "json", "no-pool"]);
            threadLimit = p.Int("threads", 0, min: 0);
            train = p.Flag("train");
            batch = p.Int("batch", train ? 2 : 1, min: 1);
            size = p.Int("size", 224, min: 32);
            runs = p.Int("runs", 5, min: 1);
            json = p.Flag("json");
            pool = !p.Flag("no-pool");
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"scratch {e.Message}\n{Usage}");
            return 2;
        }
        if (ThreadLimit.Enforce(threadLimit) is { } exitCode) return exitCode;

        var g = new Generator(0);
        var model = new ResNet(new ResNetConfig(50), g);
        var x = Tensor.Randn(new Shape(batch, 3, size, size), g);
        double ms;
        if (train)
        {
            model.Train();
            var labels = new long[batch];
            for (var i = 0; i < batch; i++) labels[i] = (i * 37) % 1000;
            var target = Tensor.From(labels);
            var sgd = new Sgd(model.Parameters(), lr: 0.01, momentum: 0.9);
            ms = Median(() =>
            {
                using var scope = pool ? MemoryScope.Begin() : null;
                var loss = F.CrossEntropy(model.Forward(x), target);
                loss.Backward();
                sgd.Step();
                sgd.ZeroGrad();
            }, runs);
        }
        else
        {
            model.Eval();
            using (Autograd.GradMode.Disable())
                ms = Median(() =>
                {
                    using var scope = pool ? MemoryScope.Begin() : null;
                    model.Forward(x);
                }, runs);
        }
        var op = train ? "resnet50_train" : "resnet50_eval";
        var threads = Environment.ProcessorCount;
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(json
            ? string.Create(inv, $"{{\"framework\":\"scratch\",\"op\":\"{op}\",\"batch\":{batch},\"size\":{size},\"threads\":{threads},\"ms\":{ms:0.####}}}")
            : string.Create(inv, $"{op} batch={batch} size={size} threads={threads}: {ms:0.###} ms (median of {runs})"));
        return 0;
    }

    /// <summary>Median wall time of <paramref name="runs"/> calls after <see cref="Warmup.Run"/>.</summary>
    internal static double Median(Action f, int runs)
    {
        Warmup.Run(f);
        var t = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var s = Stopwatch.GetTimestamp();
            f();
            t[i] = Stopwatch.GetElapsedTime(s).TotalMilliseconds;
        }
        Array.Sort(t);
        return t[runs / 2];
    }
}
