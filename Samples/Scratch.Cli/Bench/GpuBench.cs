using System.Diagnostics;
using System.Globalization;
using Scratch.Backends.Gpu;
using Scratch.Models.Common.Backbones;
using Scratch.Optim;

namespace Scratch.Cli.Bench;

/// <summary><c>scratch bench gemm|add|conv|roi-align|resnet50 ... --device cuda[:i]|ilgpu-cpu [--json]</c>: the GPU
/// workloads of <c>Benchmarks/gpu-compare.sh</c> on an ILGPU device. Operands are made on the host, moved to the
/// device once, and every timed run ends with a device synchronisation; the median of R runs after warm-up is
/// reported, with the accelerator's name.</summary>
internal static class GpuBench
{
    /// <summary>Usage text.</summary>
    public const string Usage =
        "usage: scratch bench gemm --device D [--n N] [--m M] [--k K] [--dtype f32|f64] [--tf32|--bf16|--f16]\n" +
        "                         [--runs R] [--json]   (fp32 at a reduced precision runs the tensor-core kernel)\n" +
        "       scratch bench add --device D [--n N] [--runs R] [--json]                 (y = a + b, N floats)\n" +
        "       scratch bench conv --device D [--batch B] [--cin C] [--cout C] [--size S] [--kernel K] [--runs R] [--json]\n" +
        "       scratch bench roi-align --device D [--rois K] [--cin C] [--backward] [--runs R] [--json]\n" +
        "       scratch bench resnet50 --device D [--batch B] [--size S] [--train] [--runs R] [--json]\n" +
        "  --device D   cuda, cuda:I or ilgpu-cpu (ILGPU's CPU accelerator, for testing)";

    /// <summary>The value of <c>--device</c> when it names a GPU device, else null (the host benchmarks run).</summary>
    public static string? DeviceArg(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var v = args[i] == "--device" && i + 1 < args.Length ? args[i + 1]
                : args[i].StartsWith("--device=", StringComparison.Ordinal) ? args[i]["--device=".Length..] : null;
            if (v is not null && v != "cpu") return v;
        }
        return null;
    }

    private static Device ParseDevice(string s) => s switch
    {
        "cuda" => Device.Cuda(0),
        "ilgpu-cpu" or "ilgpu-cpu:0" => Device.IlgpuCpu,
        _ when s.StartsWith("cuda:", StringComparison.Ordinal) &&
               int.TryParse(s[5..], NumberStyles.None, CultureInfo.InvariantCulture, out var i) => Device.Cuda(i),
        _ => throw new ArgumentException($"bench: --device expects cpu, cuda, cuda:I or ilgpu-cpu, got '{s}'."),
    };

    /// <summary>Runs workload <paramref name="op"/> on the device named by <c>--device</c>; returns the exit code.
    /// </summary>
    public static int Run(string op, string[] args)
    {
        try
        {
            return RunOn(op, args);
        }
        catch (Exception e) when (e is NotSupportedException or ArgumentException or GpuOutOfMemoryException
                                      or DeviceMismatchException)
        {
            Console.Error.WriteLine($"scratch bench {op}: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }

    private static int RunOn(string op, string[] args)
    {
        ArgParser p;
        Device device;
        try
        {
            p = new ArgParser("bench " + op, args,
                ["device", "n", "m", "k", "dtype", "runs", "batch", "cin", "cout", "size", "kernel", "rois"],
                ["json", "tf32", "bf16", "f16", "backward", "train"]);
            device = ParseDevice(p.String("device", "cuda")!);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"scratch {e.Message}\n{Usage}");
            return 2;
        }
        IlgpuBackend gpu;
        try
        {
            gpu = GpuRuntime.BackendFor(device);
        }
        catch (NotSupportedException e)
        {
            Console.Error.WriteLine($"scratch bench {op}: {e.Message}");
            return 1;
        }
        var runs = p.Int("runs", 11, min: 1);
        var inv = CultureInfo.InvariantCulture;
        var fields = new List<string>();
        double Time(Action f) => Median(() =>
        {
            f();
            gpu.Synchronize();
        }, runs);
        var g = new Generator(0);
        double ms;
        string name;
        switch (op)
        {
            case "gemm":
            {
                var n = p.Int("n", 4096);
                int m = p.Int("m", n), k = p.Int("k", n);
                var dtype = p.String("dtype", "f32") == "f64" ? DType.F64 : DType.F32;
                var precision = p.Flag("tf32") ? MatmulPrecision.Tf32
                    : p.Flag("bf16") ? MatmulPrecision.Bf16
                    : p.Flag("f16") ? MatmulPrecision.F16 : MatmulPrecision.Default;
                var a = Tensor.Randn(new Shape(1, m, k), g).To(dtype).To(device);
                var b = Tensor.Randn(new Shape(1, k, n), g).To(dtype).To(device);
                var c = Tensor.Empty(new Shape(1, m, n), dtype, device);
                ms = Time(() => gpu.Matmul(a, b, c, precision));
                name = $"gemm_{(gpu.UsesTensorCores(dtype, precision) ? precision.ToString().ToLowerInvariant() : dtype.Name())}_{m}x{n}x{k}";
                fields.Add(string.Create(inv, $"\"gflops\":{2.0 * m * n * k / (ms * 1e6):0.##}"));
                fields.AddRange(GpuBenchChecks.Fields(GpuBenchChecks.Gemm(a, b, c,
                    gpu.UsesTensorCores(dtype, precision) ? precision : MatmulPrecision.Default)));
                break;
            }
            case "add":
            {
                var n = p.Int("n", 1 << 28);
                var a = Tensor.Randn(new Shape(n), g).To(device);
                var b = Tensor.Randn(new Shape(n), g).To(device);
                using (Autograd.GradMode.Disable()) ms = Time(() => _ = a + b);
                name = $"add_{n}";
                fields.Add(string.Create(inv, $"\"gbps\":{3.0 * 4 * n / (ms * 1e6):0.##}"));
                break;
            }
            case "conv":
            {
                int batch = p.Int("batch", 8), cin = p.Int("cin", 256), cout = p.Int("cout", 256);
                int size = p.Int("size", 56), kernel = p.Int("kernel", 3);
                var x = Tensor.Randn(new Shape(batch, cin, size, size), g).To(device).RequiresGrad_();
                var w = Tensor.Randn(new Shape(cout, cin, kernel, kernel), g).To(device).RequiresGrad_();
                Tensor Forward() => F.Conv2d(x, w, null, 1, kernel / 2);
                using (Autograd.GradMode.Disable()) ms = Time(() => Forward());
                var grad = Tensor.Randn(new Shape(batch, cout, size, size), g).To(device);
                var both = Time(() =>
                {
                    x.Grad = null;
                    w.Grad = null;
                    Forward().Backward(grad);
                });
                Tensor y;
                using (Autograd.GradMode.Disable()) y = Forward();
                fields.AddRange(GpuBenchChecks.Fields(
                    GpuBenchChecks.Conv(x, w, y, grad, x.Grad!, w.Grad!, kernel / 2)));
                name = $"conv{kernel}x{kernel}_{cin}_{cout}_b{batch}_{size}";
                fields.Add(string.Create(inv, $"\"ms_fwdbwd\":{both:0.####}"));
                fields.Add(string.Create(inv,
                    $"\"gflops\":{2.0 * batch * cout * size * size * cin * kernel * kernel / (ms * 1e6):0.##}"));
                break;
            }
            case "roi-align":
            {
                int nr = p.Int("rois", 512), ch = p.Int("cin", 256);
                var features = Tensor.Randn(new Shape(1, ch, 50, 68), g).To(device).RequiresGrad_();
                var rois = DetectionBench.RoiInputs(nr, 800, 1088, new Random(0)).To(device);
                Tensor Forward() => F.RoIAlign(features, rois, 7, spatialScale: 1.0 / 16, samplingRatio: 2, aligned: true);
                using (Autograd.GradMode.Disable()) ms = Time(() => Forward());
                if (p.Flag("backward"))
                {
                    var grad = Tensor.Randn(new Shape(nr, ch, 7, 7), g).To(device);
                    var both = Time(() =>
                    {
                        features.Grad = null;
                        Forward().Backward(grad);
                    });
                    fields.Add(string.Create(inv, $"\"ms_fwdbwd\":{both:0.####}"));
                }
                name = $"roi_align_{nr}x{ch}x7x7";
                break;
            }
            case "resnet50":
            {
                var train = p.Flag("train");
                int batch = p.Int("batch", train ? 32 : 1), size = p.Int("size", 224, min: 32);
                var model = new ResNet(new ResNetConfig(50), g);
                model.To(device);
                var x = Tensor.Randn(new Shape(batch, 3, size, size), g).To(device);
                if (train)
                {
                    model.Train();
                    var labels = new long[batch];
                    for (var i = 0; i < batch; i++) labels[i] = i * 37 % 1000;
                    var target = Tensor.From(labels).To(device);
                    var sgd = new Sgd(model.Parameters(), lr: 0.01, momentum: 0.9);
                    ms = Time(() =>
                    {
                        var loss = F.CrossEntropy(model.Forward(x), target);
                        loss.Backward();
                        sgd.Step();
                        sgd.ZeroGrad();
                    });
                }
                else
                {
                    model.Eval();
                    using (Autograd.GradMode.Disable()) ms = Time(() => model.Forward(x));
                }
                name = $"resnet50_{(train ? "train" : "eval")}_b{batch}_{size}";
                break;
            }
            default:
                Console.Error.WriteLine($"scratch bench {op}: no GPU workload named '{op}'.\n{Usage}");
                return 2;
        }
        var card = gpu.Accelerator.Name.Replace("\"", "'", StringComparison.Ordinal);
        var extra = fields.Count > 0 ? "," + string.Join(",", fields) : "";
        Console.WriteLine(p.Flag("json")
            ? string.Create(inv, $"{{\"framework\":\"scratch\",\"op\":\"{op}\",\"name\":\"{name}\",\"device\":\"{device}\",\"card\":\"{card}\",\"ms\":{ms:0.####}{extra}}}")
            : string.Create(inv, $"{name} on {device} ({card}): {ms:0.###} ms (median of {runs}){extra}"));
        return 0;
    }

    /// <summary>Median wall time of <paramref name="runs"/> calls after warm-up (at least 2 calls and 0.2 s).</summary>
    private static double Median(Action f, int runs)
    {
        var warm = Stopwatch.StartNew();
        for (var i = 0; i < 2 || warm.Elapsed.TotalSeconds < 0.2; i++) f();
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
