using System.Diagnostics;
using System.Globalization;

namespace Scratch.Cli.Bench;

/// <summary><c>scratch bench conv --preset resnet50|resnet18|detection [--threads T] [--runs R] [--json]</c>: times
/// <see cref="F.Conv2d"/> forward, and forward + backward (input and weight gradients), on the layer set that the
/// speed targets name; the same shapes as <c>Benchmarks/torch_bench.py conv</c>.</summary>
internal static class ConvBench
{
    /// <summary>Usage text.</summary>
    public const string Usage = "usage: scratch bench conv [--preset resnet50|resnet18|detection] [--threads T] [--runs R] [--json] [--phases]";

    private sealed record Layer(string Name, int Batch, int Cin, int Cout, int K, int Stride, int Pad, int Dilation, int Groups, int Size);

    private static readonly Dictionary<string, Layer[]> Presets = new()
    {
        ["resnet50"] =
        [
            new("conv7x7s2_3_64_224", 1, 3, 64, 7, 2, 3, 1, 1, 224),
            new("conv3x3_64_64_56", 1, 64, 64, 3, 1, 1, 1, 1, 56),
            new("conv3x3_256_256_56", 1, 256, 256, 3, 1, 1, 1, 1, 56),
            new("conv1x1_256_1024_56", 1, 256, 1024, 1, 1, 0, 1, 1, 56),
            new("conv3x3_64_64_56_b8", 8, 64, 64, 3, 1, 1, 1, 1, 56),
        ],
        // The 3×3 layers of the ResNet-18 behind the FCOS training benchmark (batch 2 at 256²), stride 1 and 2.
        ["resnet18"] =
        [
            new("conv3x3_64_64_64_b2", 2, 64, 64, 3, 1, 1, 1, 1, 64),
            new("conv3x3s2_64_128_64_b2", 2, 64, 128, 3, 2, 1, 1, 1, 64),
            new("conv3x3_128_128_32_b2", 2, 128, 128, 3, 1, 1, 1, 1, 32),
            new("conv3x3_256_256_16_b2", 2, 256, 256, 3, 1, 1, 1, 1, 16),
            new("conv3x3_512_512_8_b2", 2, 512, 512, 3, 1, 1, 1, 1, 8),
        ],
        ["detection"] =
        [
            new("dw5x5s1_132_40", 1, 132, 132, 5, 1, 2, 1, 132, 40),
            new("dw5x5s2_132_80", 1, 132, 132, 5, 2, 2, 1, 132, 80),
            new("conv3x3d2_256_50", 1, 256, 256, 3, 1, 2, 2, 1, 50),
        ],
    };

    /// <summary>Runs the preset; returns the exit code.</summary>
    public static int Run(string[] args)
    {
        string preset = "resnet50";
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--preset" && i + 1 < args.Length) preset = args[++i];
            else rest.Add(args[i]);
        }
        if (!Presets.TryGetValue(preset, out var layers))
        {
            Console.Error.WriteLine($"scratch bench conv: --preset expects one of {string.Join(", ", Presets.Keys)}, got '{preset}'.\n{Usage}");
            return 2;
        }
        ArgParser p;
        try
        {
            p = new ArgParser("bench conv", [.. rest], ["threads", "runs"], ["json", "phases"]);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"scratch {e.Message}\n{Usage}");
            return 2;
        }
        if (ThreadLimit.Enforce(p.Int("threads", 0, min: 0)) is { } exitCode) return exitCode;
        var runs = p.Int("runs", 7, min: 1);
        var json = p.Flag("json");
        var phases = p.Flag("phases");
        var inv = CultureInfo.InvariantCulture;
        foreach (var l in layers)
        {
            var g = new Generator(0);
            var x = Tensor.Randn(new Shape(l.Batch, l.Cin, l.Size, l.Size), g).RequiresGrad_();
            var w = Tensor.Randn(new Shape(l.Cout, l.Cin / l.Groups, l.K, l.K), g).RequiresGrad_();
            Tensor Forward() => F.Conv2d(x, w, null, l.Stride, l.Pad, l.Dilation, l.Groups);
            var y0 = Forward();
            var grad = Tensor.Randn(y0.Shape, g);
            var flops = 2.0 * y0.Numel * (l.Cin / l.Groups) * l.K * l.K;
            double fwd;
            using (Autograd.GradMode.Disable()) fwd = Median(() => Forward(), runs);
            var both = Median(() =>
            {
                x.Grad = null;
                w.Grad = null;
                Forward().Backward(grad);
            }, runs);
            if (phases)
            {
                // Forward plus one gradient at a time: the other operand is detached.
                var (xd, wd) = (x.Detach(), w.Detach());
                var dx = Median(() => { x.Grad = null; F.Conv2d(x, wd, null, l.Stride, l.Pad, l.Dilation, l.Groups).Backward(grad); }, runs);
                var dw = Median(() => { w.Grad = null; F.Conv2d(xd, w, null, l.Stride, l.Pad, l.Dilation, l.Groups).Backward(grad); }, runs);
                Console.WriteLine(string.Create(inv, $"{l.Name,-22} fwd {fwd,8:0.000}  +dx {dx - fwd,8:0.000}  +dw {dw - fwd,8:0.000}  fwd+bwd {both,8:0.000} ms"));
                continue;
            }
            var shape = $"[{l.Batch},{l.Cin},{l.Size},{l.Size},{l.Cout},{l.K},{l.Stride},{l.Pad},{l.Dilation},{l.Groups}]";
            Console.WriteLine(json
                ? string.Create(inv, $"{{\"framework\":\"scratch\",\"op\":\"conv\",\"name\":\"{l.Name}\",\"shape\":{shape},\"threads\":{Environment.ProcessorCount},\"ms\":{fwd:0.####},\"ms_fwdbwd\":{both:0.####},\"gflops\":{flops / fwd / 1e6:0.##}}}")
                : string.Create(inv, $"{l.Name,-22} fwd {fwd,8:0.000} ms ({flops / fwd / 1e6,6:0.0} GFLOP/s)  fwd+bwd {both,8:0.000} ms"));
        }
        return 0;
    }

    /// <summary>Median wall time of <paramref name="runs"/> calls after <see cref="Warmup.Run"/>.</summary>
    private static double Median(Action f, int runs)
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
