using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using Scratch.Backends.Cpu;

namespace Scratch.Benchmarks.Ops;

/// <summary>Square float GEMM, C = A·B row-major: v0 the earlier packed row-axpy kernel (a private copy) against v1
/// the cache-blocked register-tiled <see cref="Gemm"/>. Run with
/// <c>dotnet run -c Release --project Benchmarks -- --filter '*GemmBench*'</c>.</summary>
[MemoryDiagnoser]
public class GemmBench
{
    private float[] _a = [], _b = [], _c = [];

    /// <summary>m = n = k.</summary>
    [Params(256, 512, 1024)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(0);
        _a = new float[N * N];
        _b = new float[N * N];
        _c = new float[N * N];
        for (var i = 0; i < _a.Length; i++) (_a[i], _b[i]) = (rng.NextSingle() * 2 - 1, rng.NextSingle() * 2 - 1);
    }

    /// <summary>v0: rows of C in parallel, each accumulated as Σₖ a[i, k]·B[k, :] with TensorPrimitives.</summary>
    [Benchmark(Baseline = true)]
    public void V0_RowAxpy() => RowAxpy(_a, _b, _c, N, N, N);

    /// <summary>v1: the blocked kernel behind the Cpu backend.</summary>
    [Benchmark]
    public void V1_Blocked() => Gemm.Run(false, false, N, N, N, 1f, _a, N, _b, N, 0f, _c, N);

    /// <summary>The earlier kernel (operands already dense row-major, so its packing step is a copy).</summary>
    private static void RowAxpy(float[] a, float[] b, float[] c, int m, int n, int k)
    {
        var packA = new float[m * k];
        var packB = new float[k * n];
        Array.Copy(a, packA, packA.Length);
        Array.Copy(b, packB, packB.Length);
        Parallel.For(0, m, i =>
        {
            var arow = new ReadOnlySpan<float>(packA, i * k, k);
            var crow = new Span<float>(c, i * n, n);
            crow.Clear();
            for (var q = 0; q < k; q++)
            {
                var s = arow[q];
                if (s == 0) continue;
                TensorPrimitives.FusedMultiplyAdd(new ReadOnlySpan<float>(packB, q * n, n), s, crow, crow);
            }
        });
    }
}
