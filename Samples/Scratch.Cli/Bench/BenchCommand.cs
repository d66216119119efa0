using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using Scratch.Backends.Cpu;

namespace Scratch.Cli.Bench;

/// <summary><c>scratch bench gemm --n N [--m M] [--k K] [--threads T] [--dtype f32|f64] [--runs R] [--json]</c>:
/// times the Cpu backend's GEMM (C = A·B, row-major, fresh uniform operands) and prints the median of R timed runs
/// after warm-up, as milliseconds and GFLOP/s (2·m·n·k flops per product).</summary>
internal static class BenchCommand
{
    /// <summary>Usage text.</summary>
    public const string Usage =
        "usage: scratch bench gemm --n N [--m M] [--k K] [--threads T] [--dtype f32|f64] [--runs R] [--json]\n" +
        "  --n N        columns of C (and the default for M and K)\n" +
        "  --m M        rows of C (default N)\n" +
        "  --k K        inner dimension (default N)\n" +
        "  --threads T  worker threads (default: all cores)\n" +
        "  --dtype D    f32 (default) or f64\n" +
        "  --runs R     timed runs, the median is reported (default 11)\n" +
        "  --json       one JSON object per line: op, dtype, m, n, k, threads, ms, gflops";

    /// <summary>Runs <c>bench &lt;op&gt; ...</c>; returns the exit code.</summary>
    public static int Run(string[] args)
    {
        if (args.Length == 0 || args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        if (GpuBench.DeviceArg(args[1..]) is not null || args[0] == "add") return GpuBench.Run(args[0], args[1..]);
        if (args[0] == "conv") return ConvBench.Run(args[1..]);
        if (args[0] == "resnet50") return ResNetBench.Run(args[1..]);
        if (args[0] == "train") return DetectorTrainBench.Run(args[1..]);
        if (args[0] is "roi-align" or "nms") return DetectionBench.Run(args[0], args[1..]);
        if (args[0] is "loader" or "fashiondet") return LoaderBench.Run(args[1..]);
        if (args[0] is "ps-roi-align" or "border-align") return AlignBench.Run(args[0], args[1..]);
        if (args[0] != "gemm")
        {
            Console.Error.WriteLine($"scratch bench: unknown benchmark '{args[0]}' (known: gemm, add, conv, resnet50, train, roi-align, nms, ps-roi-align, border-align, loader)\n{Usage}\n{ConvBench.Usage}\n{ResNetBench.Usage}\n{DetectorTrainBench.Usage}\n{DetectionBench.Usage}\n{AlignBench.Usage}\n{LoaderBench.Usage}\n{GpuBench.Usage}");
            return 2;
        }
        try
        {
            var (rest, dtype) = TakeDtype(args[1..]);
            var p = new ArgParser("bench gemm", rest, ["n", "m", "k", "threads", "runs"], ["json"]);
            var n = p.Int("n", 512);
            var o = new Options(p.Int("m", n), n, p.Int("k", n), p.Int("threads", 0, min: 0), dtype, p.Int("runs", 11), p.Flag("json"));
            if (ThreadLimit.Enforce(o.Threads) is { } exitCode) return exitCode;
            var (ms, gflops) = o.DType == "f64" ? Time<double>(o) : Time<float>(o);
            var threads = Environment.ProcessorCount;
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine(o.Json
                ? string.Create(inv, $"{{\"op\":\"gemm\",\"dtype\":\"{o.DType}\",\"m\":{o.M},\"n\":{o.N},\"k\":{o.K},\"threads\":{threads},\"ms\":{ms:0.####},\"gflops\":{gflops:0.##}}}")
                : string.Create(inv, $"gemm {o.DType} m={o.M} n={o.N} k={o.K} threads={threads}: {ms:0.###} ms (median of {o.Runs}), {gflops:0.0} GFLOP/s"));
            return 0;
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"scratch {e.Message}\n{Usage}");
            return 2;
        }
    }

    private sealed record Options(int M, int N, int K, int Threads, string DType, int Runs, bool Json);

    /// <summary>Removes <c>--dtype D</c> / <c>--dtype=D</c> from the arguments and validates D.</summary>
    private static (string[] Remaining, string DType) TakeDtype(string[] args)
    {
        var rest = new List<string>();
        var dtype = "f32";
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--dtype")
            {
                if (i + 1 >= args.Length) throw new ArgumentException("bench gemm: --dtype expects a value.");
                dtype = args[++i];
            }
            else if (args[i].StartsWith("--dtype=", StringComparison.Ordinal))
            {
                dtype = args[i]["--dtype=".Length..];
            }
            else
            {
                rest.Add(args[i]);
            }
        }
        if (dtype is not ("f32" or "f64"))
            throw new ArgumentException($"bench gemm: --dtype expects f32 or f64, got '{dtype}'.");
        return ([.. rest], dtype);
    }

    /// <summary>Warms up (at least 3 runs and 0.2 s), then returns the median time of the timed runs.</summary>
    private static (double Ms, double GFlops) Time<T>(Options o) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(0);
        var a = new T[(long)o.M * o.K];
        var b = new T[(long)o.K * o.N];
        var c = new T[(long)o.M * o.N];
        for (var i = 0; i < a.Length; i++) a[i] = T.CreateTruncating(rng.NextDouble() * 2 - 1);
        for (var i = 0; i < b.Length; i++) b[i] = T.CreateTruncating(rng.NextDouble() * 2 - 1);
        void Once() => Gemm.Run(false, false, o.M, o.N, o.K, T.One, a, o.K, b, o.N, T.Zero, c, o.N);
        var warm = Stopwatch.StartNew();
        for (var i = 0; i < 3 || warm.Elapsed.TotalSeconds < 0.2; i++) Once();
        var times = new double[o.Runs];
        for (var r = 0; r < o.Runs; r++)
        {
            var t0 = Stopwatch.GetTimestamp();
            Once();
            times[r] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }
        Array.Sort(times);
        var ms = times[times.Length / 2];
        return (ms, 2.0 * o.M * o.N * o.K / (ms * 1e6));
    }
}
