using System.Diagnostics;
using System.Globalization;
using Scratch.Data;
using Scratch.Models.Common.Backbones;
using Scratch.Models.Common.Detection;
using Scratch.Models.Common.Training;
using Scratch.Models.Fcos;
using Scratch.Optim;

namespace Scratch.Cli.Bench;

/// <summary><c>scratch bench train fcos|borderdet [--backbone B] [--fpn-channels C] [--convs N] [--batch B]
/// [--size S] [--iters N] [--warmup N] [--threads T] [--json]</c>: times full detector training steps
/// (<see cref="DetectionTrainer.Step"/>: forward, target assignment, losses, backward, SGD with momentum and weight
/// decay, zeroed gradients) on one fixed synthetic batch, so data loading is excluded.</summary>
/// <remarks>The model is the zoo detector with a trainable-BatchNorm backbone and no frozen stage (training from
/// scratch), 10 classes. The batch is <see cref="SyntheticBatch"/>, rebuilt bit-identically by
/// <c>Benchmarks/torch_det_train.py</c>, which times the same model in PyTorch.</remarks>
internal static class DetectorTrainBench
{
    /// <summary>Usage text.</summary>
    public const string Usage =
        "usage: scratch bench train fcos|borderdet [--backbone B] [--fpn-channels C] [--convs N] [--batch B] [--size S]\n" +
        "                          [--iters N] [--warmup N] [--threads T] [--json]\n" +
        "  --backbone B       resnet18 (default), resnet34, resnet50, ...\n" +
        "  --fpn-channels C   FPN and head width (default 64)\n" +
        "  --convs N          convs per head tower (default 2)\n" +
        "  --batch B          images per step (default 2)\n" +
        "  --size S           square image side, a multiple of 32 (default 256)\n" +
        "  --iters N          timed steps, the median is reported (default 5)\n" +
        "  --warmup N         untimed steps first (default 10: the JIT recompiles hot methods at full optimisation\n" +
        "                     during the first steps)\n" +
        "  --threads T        worker threads (default: all cores)\n" +
        "  --phases           also time the phases of an FCOS step (network, assignment, losses, backward, clip, update,\n" +
        "                     scope end) and list the slowest backward ops\n" +
        "  --json             one JSON object: framework, op, shape, threads, ms, ms_min, ms_max, images_per_s, params";

    /// <summary>Classes of the synthetic batch (FashionDet's count).</summary>
    public const int NumClasses = 10;

    /// <summary>Boxes per synthetic image.</summary>
    public const int BoxesPerImage = 4;

    /// <summary>Runs the benchmark (<paramref name="args"/> after <c>train</c>); returns the exit code.</summary>
    public static int Run(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(Usage);
            return 0;
        }
        string detector, backbone;
        int fpn, convs, batchSize, size, iters, warmup, threadLimit;
        bool json, phases;
        try
        {
            if (args.Length == 0 || args[0] is not ("fcos" or "borderdet"))
                throw new ArgumentException($"bench train: expected a detector first (fcos or borderdet), got '{(args.Length == 0 ? "" : args[0])}'.");
            detector = args[0];
            var p = new ArgParser("bench train", args[1..],
                ["backbone", "fpn-channels", "convs", "batch", "size", "iters", "warmup", "threads"], ["json", "phases"]);
            backbone = p.String("backbone", "resnet18")!;
            fpn = p.Int("fpn-channels", 64);
            convs = p.Int("convs", 2, min: 0);
            batchSize = p.Int("batch", 2);
            size = p.Int("size", 256, min: 64);
            if (size % 32 != 0) throw new ArgumentException($"bench train: --size expects a multiple of 32, got {size}.");
            iters = p.Int("iters", 5);
            warmup = p.Int("warmup", 10, min: 0);
            threadLimit = p.Int("threads", 0, min: 0);
            json = p.Flag("json");
            phases = p.Flag("phases");
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"scratch {e.Message}\n{Usage}");
            return 2;
        }
        if (ThreadLimit.Enforce(threadLimit) is { } exitCode) return exitCode;

        var spec = new DetectorSpec(NumClasses, backbone, 3, 0, fpn, convs, ResNetNorm.BatchNorm, 0);
        var model = DetectorZoo.Create(detector, spec);
        model.Train();
        var parameters = model.Parameters().Cast<Tensor>().ToArray();
        var count = parameters.Sum(t => t.Numel);
        var sgd = new Sgd(DetectionTrainer.ParamGroups(model, 1e-4, 0), lr: 0.001, momentum: 0.9);
        var batch = SyntheticBatch(batchSize, size, NumClasses);
        var losses = new List<double>();
        void Once() => losses.Add(DetectionTrainer.Step(model, sgd, batch, parameters, clipGradNorm: 5.0, iteration: losses.Count).Total);
        for (var i = 0; i < warmup; i++) Once();
        var times = new double[iters];
        for (var i = 0; i < iters; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            Once();
            times[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }
        Array.Sort(times);
        var ms = times[iters / 2];
        if (phases && model is FcosDetector fcos) Phases(fcos, sgd, batch, parameters, iters);
        var ips = batchSize * 1000.0 / ms;
        var threads = Environment.ProcessorCount;
        var shape = $"{batchSize}x3x{size}x{size}";
        var op = $"{detector}_train_{backbone}_fpn{fpn}_convs{convs}";
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(json
            ? string.Create(inv, $"{{\"framework\":\"scratch\",\"op\":\"{op}\",\"shape\":\"{shape}\",\"threads\":{threads},\"ms\":{ms:0.###},\"ms_min\":{times[0]:0.###},\"ms_max\":{times[^1]:0.###},\"images_per_s\":{ips:0.####},\"params\":{count},\"first_loss\":{losses[0]:0.######},\"last_loss\":{losses[^1]:0.######}}}")
            : string.Create(inv, $"{op} batch {shape} threads={threads}: {ms:0.#} ms/step (median of {iters}, min {times[0]:0.#}, max {times[^1]:0.#}), {ips:0.###} images/s; {count} parameters; loss {losses[0]:0.####} -> {losses[^1]:0.####}"));
        return 0;
    }

    /// <summary>Prints the median milliseconds of each phase of an FCOS training step over <paramref name="iters"/>
    /// steps (the last, "scope end", is the memory scope's closing sweep), and the slowest backward nodes of the middle step (stderr, so that <c>--json</c> output stays one
    /// line).</summary>
    private static void Phases(FcosDetector model, Sgd sgd, DetectionBatch batch, Tensor[] parameters, int iters)
    {
        // SCRATCH_PROFILE_SHAPES=1 splits the backward list by input shape.
        var byShape = Environment.GetEnvironmentVariable("SCRATCH_PROFILE_SHAPES") == "1";
        string[] names = ["network", "assign", "losses", "backward", "clip", "update", "scope end"];
        var t = new double[names.Length][];
        for (var k = 0; k < names.Length; k++) t[k] = new double[iters];
        for (var i = 0; i < iters; i++)
        {
            var memory = MemoryScope.Begin();
            sgd.ZeroGrad();
            var s = Stopwatch.GetTimestamp();
            Scratch.Autograd.Graph.ForwardTimes = i == iters / 2 ? [] : null;
            Scratch.Autograd.Graph.StartForwardClock();
            var fwd = model.RunNetwork(batch.Images);
            t[0][i] = Lap(ref s);
            if (Scratch.Autograd.Graph.ForwardTimes is { } ops)
                foreach (var (name, (ms, calls)) in ops.OrderByDescending(kv => kv.Value.Ms).Take(20))
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    forward {name,-40} {ms,8:0.0} ms in {calls} calls"));
            Scratch.Autograd.Graph.ForwardTimes = null;
            var targets = model.Assign(fwd.Shifts, batch);
            t[1][i] = Lap(ref s);
            var losses = FcosLoss.Compute(fwd.Head, targets, model.Options.Loss);
            Tensor? total = null;
            foreach (var (_, l) in losses.OrderBy(kv => kv.Key, StringComparer.Ordinal)) total = total is null ? l : total + l;
            _ = total!.Detach().Item();
            t[2][i] = Lap(ref s);
            Scratch.Autograd.Backward.NodeTimes = i == iters / 2 ? [] : null;
            Scratch.Autograd.Backward.ProfileByShape = byShape;
            total.Backward();
            t[3][i] = Lap(ref s);
            if (Scratch.Autograd.Backward.NodeTimes is { } nodes)
                foreach (var (name, (ms, calls)) in nodes.OrderByDescending(kv => kv.Value.Ms).Take(byShape ? 60 : 12))
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    backward {name,-22} {ms,8:0.0} ms in {calls} calls"));
            Scratch.Autograd.Backward.NodeTimes = null;
            F.ClipGradNorm(parameters, 5.0);
            t[4][i] = Lap(ref s);
            sgd.Step();
            sgd.ZeroGrad();
            t[5][i] = Lap(ref s);
            memory.Dispose();
            t[6][i] = Lap(ref s);
        }
        var inv = CultureInfo.InvariantCulture;
        for (var k = 0; k < names.Length; k++)
        {
            Array.Sort(t[k]);
            Console.Error.WriteLine(string.Create(inv, $"  {names[k],-12} {t[k][iters / 2],9:0.0} ms"));
        }
    }

    private static double Lap(ref long start)
    {
        var now = Stopwatch.GetTimestamp();
        var ms = Stopwatch.GetElapsedTime(start, now).TotalMilliseconds;
        start = now;
        return ms;
    }

    /// <summary>The fixed benchmark batch: <paramref name="batch"/> square images of side <paramref name="size"/> with
    /// <see cref="BoxesPerImage"/> boxes each. Box j = n·4 + k of image n: width w = S/8 + (29·j mod S/4), height
    /// h = S/8 + (41·j mod S/4), corner x1 = (37·j + 11) mod (S − w), y1 = (53·j + 7) mod (S − h), label j mod C.
    /// Pixels are 0.2 outside boxes and 0.3 + 0.06·label + 0.1·channel inside (later boxes painted over earlier
    /// ones).</summary>
    public static DetectionBatch SyntheticBatch(int batch, int size, int numClasses, Device? device = null)
    {
        var data = new float[batch * 3 * size * size];
        Array.Fill(data, 0.2f);
        var boxes = new Tensor[batch];
        var labels = new Tensor[batch];
        for (var n = 0; n < batch; n++)
        {
            var b = new float[BoxesPerImage * 4];
            var l = new long[BoxesPerImage];
            for (var k = 0; k < BoxesPerImage; k++)
            {
                var j = n * BoxesPerImage + k;
                var w = size / 8 + 29 * j % (size / 4);
                var h = size / 8 + 41 * j % (size / 4);
                var x1 = (37 * j + 11) % (size - w);
                var y1 = (53 * j + 7) % (size - h);
                l[k] = j % numClasses;
                (b[k * 4], b[k * 4 + 1], b[k * 4 + 2], b[k * 4 + 3]) = (x1, y1, x1 + w, y1 + h);
                for (var c = 0; c < 3; c++)
                {
                    var v = 0.3f + 0.06f * l[k] + 0.1f * c;
                    for (var y = y1; y < y1 + h; y++)
                        Array.Fill(data, v, ((n * 3 + c) * size + y) * size + x1, w);
                }
            }
            boxes[n] = Tensor.From(b, new Shape(BoxesPerImage, 4), device);
            labels[n] = Tensor.From(l, new Shape(BoxesPerImage), device);
        }
        return new DetectionBatch(Tensor.From(data, new Shape(batch, 3, size, size), device),
            [.. Enumerable.Repeat((size, size), batch)], boxes, labels, null, [.. Enumerable.Repeat((object?)null, batch)]);
    }
}
