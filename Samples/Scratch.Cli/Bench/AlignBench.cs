using System.Globalization;

namespace Scratch.Cli.Bench;

/// <summary><c>scratch bench ps-roi-align [--max] [--backward]</c> and <c>scratch bench border-align
/// [--backward]</c>: time the position-sensitive RoIAlign and BorderAlign ops on detection-sized workloads (the
/// PSRoIAlign one matches <c>Benchmarks/torch_bench.py ps-roi-align</c>; BorderAlign has no torchvision equivalent).
/// </summary>
/// <remarks>PSRoIAlign: a Light-Head R-CNN thin feature map, [1, 490, 50, 68] = 10·7·7 channels at stride 16 of an
/// 800×1088 image, 512 random boxes (as <c>bench roi-align</c>), 7×7 bins, sampling ratio 2, spatial scale 1/16 →
/// [512, 10, 7, 7]; <c>--max</c> times the max variant (Light-Head/ThunderNet) instead of the average
/// (R-FCN/torchvision). BorderAlign: a BorderDet head on the P3 level of FCOS at 800×1216: input
/// [1, 1024, 100, 152] (C = 256), one box per location (K = 15 200) with left/top/right/bottom distances uniform
/// in [0.5, 8) feature cells around the location, pool size 10 → [1, 256, 15200, 4]. <c>--backward</c> also times
/// forward + backward (input gradient).</remarks>
internal static class AlignBench
{
    /// <summary>Usage text.</summary>
    public const string Usage =
        "usage: scratch bench ps-roi-align [--max] [--backward] [--threads T] [--runs R] [--json]\n" +
        "       scratch bench border-align [--backward] [--threads T] [--runs R] [--json]";

    /// <summary>Runs <c>ps-roi-align</c> or <c>border-align</c> (<paramref name="op"/>); returns the exit code.
    /// </summary>
    public static int Run(string op, string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(Usage);
            return 0;
        }
        int threadLimit, runs;
        bool json, backward, max;
        try
        {
            var p = op == "border-align"
                ? new ArgParser("bench border-align", args, ["threads", "runs"], ["backward", "json"])
                : new ArgParser("bench ps-roi-align", args, ["threads", "runs"], ["backward", "json", "max"]);
            threadLimit = p.Int("threads", 0, min: 0);
            runs = p.Int("runs", op == "border-align" ? 5 : 11, min: 1);
            json = p.Flag("json");
            backward = p.Flag("backward");
            max = op != "border-align" && p.Flag("max");
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"scratch {e.Message}\n{Usage}");
            return 2;
        }
        if (ThreadLimit.Enforce(threadLimit) is { } exitCode) return exitCode;
        var g = new Generator(0);
        Tensor features;
        Func<Tensor> forward;
        string name, opName;
        if (op == "border-align")
        {
            features = Tensor.Randn(new Shape(1, 1024, 100, 152), g).RequiresGrad_();
            var boxes = BorderBoxes(100, 152, new Random(0));
            forward = () => F.BorderAlign(features, boxes, 10);
            (name, opName) = ("border_align_1x1024x100x152_k15200_p10", "border_align");
        }
        else
        {
            features = Tensor.Randn(new Shape(1, 490, 50, 68), g).RequiresGrad_();
            var rois = DetectionBench.RoiInputs(512, 800, 1088, new Random(0));
            forward = max
                ? () => F.PSRoIAlignMax(features, rois, 7, spatialScale: 1.0 / 16, samplingRatio: 2)
                : () => F.PSRoIAlign(features, rois, 7, spatialScale: 1.0 / 16, samplingRatio: 2);
            (name, opName) = max
                ? ("ps_roi_align_max_512x490x7x7", "ps_roi_align_max")
                : ("ps_roi_align_512x490x7x7", "ps_roi_align");
        }
        double fwd;
        using (Autograd.GradMode.Disable()) fwd = ResNetBench.Median(() => forward(), runs);
        double? both = null;
        if (backward)
        {
            Tensor? grad = null;
            both = ResNetBench.Median(() =>
            {
                features.Grad = null;
                var y = forward();
                grad ??= Tensor.Randn(y.Shape, new Generator(1));
                y.Backward(grad);
            }, runs);
        }
        var threads = Environment.ProcessorCount;
        var inv = CultureInfo.InvariantCulture;
        var bwdJson = both is { } b ? string.Create(inv, $",\"ms_fwdbwd\":{b:0.####}") : "";
        var bwdText = both is { } bt ? string.Create(inv, $", fwd+bwd {bt:0.###} ms") : "";
        Console.WriteLine(json
            ? string.Create(inv, $"{{\"framework\":\"scratch\",\"op\":\"{opName}\",\"name\":\"{name}\",\"threads\":{threads},\"ms\":{fwd:0.####}{bwdJson}}}")
            : string.Create(inv, $"{name} threads={threads}: fwd {fwd:0.###} ms{bwdText} (median of {runs})"));
        return 0;
    }

    /// <summary>[1, H·W, 4] boxes in feature cells: around location (x, y) (row-major), distances to the left, top,
    /// right and bottom side uniform in [0.5, 8).</summary>
    private static Tensor BorderBoxes(int h, int w, Random rng)
    {
        var v = new double[h * w * 4];
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
            {
                var o = (y * w + x) * 4;
                v[o] = x - 0.5 - 7.5 * rng.NextDouble();
                v[o + 1] = y - 0.5 - 7.5 * rng.NextDouble();
                v[o + 2] = x + 0.5 + 7.5 * rng.NextDouble();
                v[o + 3] = y + 0.5 + 7.5 * rng.NextDouble();
            }
        return Tensor.FromDoubles(v, new Shape(1, h * w, 4));
    }
}
