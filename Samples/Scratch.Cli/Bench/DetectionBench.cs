using System.Globalization;

namespace Scratch.Cli.Bench;

/// <summary><c>scratch bench roi-align [--backward]</c> and <c>scratch bench nms</c>: time the detection ops on
/// the workloads of <c>Benchmarks/torch_bench.py roi-align / nms</c>.</summary>
/// <remarks>RoIAlign: features [1, 256, 50, 68] (stride 16 of an 800×1088 image), 512 random boxes inside the
/// image in image coordinates, 7×7 output, sampling ratio 2, aligned, spatial scale 1/16; with <c>--backward</c>
/// forward + backward (input gradient) is timed too. NMS: 10 000 random boxes (corner uniform in [0, 1000)², sides
/// uniform in [10, 110)) with uniform scores, IoU threshold 0.5.</remarks>
internal static class DetectionBench
{
    /// <summary>Usage text.</summary>
    public const string Usage =
        "usage: scratch bench roi-align [--backward] [--threads T] [--runs R] [--json]\n" +
        "       scratch bench nms [--threads T] [--runs R] [--json]   (--backward is accepted and ignored: no gradient)";

    /// <summary>Runs <c>roi-align</c> or <c>nms</c> (<paramref name="op"/>); returns the exit code.</summary>
    public static int Run(string op, string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(Usage);
            return 0;
        }
        int threadLimit, runs;
        bool json, backward;
        try
        {
            var p = op == "nms"
                ? new ArgParser("bench nms", args, ["threads", "runs"], ["json", "backward"])
                : new ArgParser("bench roi-align", args, ["threads", "runs"], ["backward", "json"]);
            threadLimit = p.Int("threads", 0, min: 0);
            runs = p.Int("runs", 11, min: 1);
            json = p.Flag("json");
            backward = p.Flag("backward");
            if (backward && op == "nms") Console.Error.WriteLine("scratch bench nms: NMS has no backward; --backward ignored");
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"scratch {e.Message}\n{Usage}");
            return 2;
        }
        if (ThreadLimit.Enforce(threadLimit) is { } exitCode) return exitCode;
        var inv = CultureInfo.InvariantCulture;
        var threads = Environment.ProcessorCount;
        if (op == "nms")
        {
            var (boxes, scores) = NmsInputs(10_000, new Random(0));
            double ms;
            using (Autograd.GradMode.Disable()) ms = ResNetBench.Median(() => F.Nms(boxes, scores, 0.5), runs);
            const string name = "nms_10000_iou0.5";
            Console.WriteLine(json
                ? string.Create(inv, $"{{\"framework\":\"scratch\",\"op\":\"nms\",\"name\":\"{name}\",\"threads\":{threads},\"ms\":{ms:0.####}}}")
                : string.Create(inv, $"{name} threads={threads}: {ms:0.###} ms (median of {runs})"));
            return 0;
        }
        var g = new Generator(0);
        var features = Tensor.Randn(new Shape(1, 256, 50, 68), g).RequiresGrad_();
        var rois = RoiInputs(512, 800, 1088, new Random(0));
        Tensor Forward() => F.RoIAlign(features, rois, 7, spatialScale: 1.0 / 16, samplingRatio: 2, aligned: true);
        double fwd;
        using (Autograd.GradMode.Disable()) fwd = ResNetBench.Median(() => Forward(), runs);
        double? both = null;
        if (backward)
        {
            var grad = Tensor.Randn(new Shape(512, 256, 7, 7), g);
            both = ResNetBench.Median(() =>
            {
                features.Grad = null;
                Forward().Backward(grad);
            }, runs);
        }
        const string roiName = "roi_align_512x256x7x7";
        var bwdJson = both is { } b ? string.Create(inv, $",\"ms_fwdbwd\":{b:0.####}") : "";
        var bwdText = both is { } bt ? string.Create(inv, $", fwd+bwd {bt:0.###} ms") : "";
        Console.WriteLine(json
            ? string.Create(inv, $"{{\"framework\":\"scratch\",\"op\":\"roi_align\",\"name\":\"{roiName}\",\"threads\":{threads},\"ms\":{fwd:0.####}{bwdJson}}}")
            : string.Create(inv, $"{roiName} threads={threads}: fwd {fwd:0.###} ms{bwdText} (median of {runs})"));
        return 0;
    }

    /// <summary>[K, 5] RoIs (0, x1, y1, x2, y2): two sorted uniform x and y coordinates inside a height × width
    /// image.</summary>
    internal static Tensor RoiInputs(int k, int height, int width, Random rng)
    {
        var v = new double[k * 5];
        for (var i = 0; i < k; i++)
        {
            double xa = rng.NextDouble() * width, xb = rng.NextDouble() * width;
            double ya = rng.NextDouble() * height, yb = rng.NextDouble() * height;
            v[i * 5 + 1] = Math.Min(xa, xb);
            v[i * 5 + 2] = Math.Min(ya, yb);
            v[i * 5 + 3] = Math.Max(xa, xb);
            v[i * 5 + 4] = Math.Max(ya, yb);
        }
        return Tensor.FromDoubles(v, new Shape(k, 5));
    }

    /// <summary>[K, 4] xyxy boxes with corner uniform in [0, 1000)² and sides uniform in [10, 110), and [K] uniform
    /// scores.</summary>
    private static (Tensor Boxes, Tensor Scores) NmsInputs(int k, Random rng)
    {
        var b = new double[k * 4];
        var s = new double[k];
        for (var i = 0; i < k; i++)
        {
            double x = rng.NextDouble() * 1000, y = rng.NextDouble() * 1000;
            b[i * 4] = x;
            b[i * 4 + 1] = y;
            b[i * 4 + 2] = x + 10 + rng.NextDouble() * 100;
            b[i * 4 + 3] = y + 10 + rng.NextDouble() * 100;
            s[i] = rng.NextDouble();
        }
        return (Tensor.FromDoubles(b, new Shape(k, 4)), Tensor.FromDoubles(s, new Shape(k)));
    }
}
