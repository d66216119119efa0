using FsCheck;
using FsCheck.Fluent;
using Scratch.Backends.Cpu;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Backends;

/// <summary>The Cpu backend's blocked GEMM against the Reference backend (through <see cref="F.Matmul"/>) and
/// against a naive triple loop (through <see cref="Gemm.Run{T}"/>).</summary>
public class GemmTests
{
    /// <summary>A product of logical shapes [..BatchA, M, K]·[..BatchB, K, N]; each operand is built from a larger
    /// base tensor, optionally transposed (stored K-major) and/or stepped (every Step-th column of the base).</summary>
    public sealed record MatmulCase(int M, int N, int K, int[] BatchA, int[] BatchB, bool TransA, bool TransB,
        int StepA, int StepB, ulong Seed)
    {
        public override string ToString() =>
            $"[{string.Join(",", BatchA)}|{M}x{K}{(TransA ? "ᵀ" : "")}/{StepA}]·[{string.Join(",", BatchB)}|{K}x{N}{(TransB ? "ᵀ" : "")}/{StepB}]";
    }

    /// <summary>A direct BLAS-style call: sizes, transposes, leading-dimension padding, α, β, threads, kernel.</summary>
    public sealed record RunCase(int M, int N, int K, bool TransA, bool TransB, int PadA, int PadB, int PadC,
        double Alpha, double Beta, int Threads, int Path, ulong Seed)
    {
        public override string ToString() =>
            $"{M}x{N}x{K} tA={TransA} tB={TransB} pad=({PadA},{PadB},{PadC}) α={Alpha} β={Beta} threads={Threads} {(GemmPath)Path}";
    }

    public static class Arbs
    {
        /// <summary>Sizes that hit 1, vector-width and tile-size boundaries (8, 16, 32) and their neighbours.</summary>
        private static Gen<int> Dim(int max) => Gen.Frequency(
            (2, Gen.Elements(1, 2, 5, 6, 7, 8, 9, 15, 16, 17, 31, 32, 33)), (3, Gen.Choose(1, max)));

        public static Arbitrary<MatmulCase> Matmuls() => Arb.From(
            from m in Gen.Frequency((1, Gen.Constant(0)), (12, Dim(40)))
            from n in Gen.Frequency((1, Gen.Constant(0)), (12, Dim(70)))
            from k in Gen.Frequency((1, Gen.Constant(0)), (2, Gen.Constant(1)), (8, Dim(40)))
            from batch in Gen.Choose(0, 2).SelectMany(r => Gen.ArrayOf(Gen.Choose(1, 3), r))
            from bkind in Gen.Choose(0, 2)
            from ta in Gen.Elements(false, true)
            from tb in Gen.Elements(false, true)
            from sa in Gen.Elements(1, 1, 2, 3)
            from sb in Gen.Elements(1, 1, 2)
            from seed in Gen.Choose(0, int.MaxValue)
            select new MatmulCase(m, n, k, batch,
                bkind switch { 0 => batch, 1 => [], _ => [.. batch.Select((b, i) => i == 0 ? 1 : b)] },
                ta, tb, sa, sb, (ulong)seed));

        public static Arbitrary<RunCase> Runs() => Arb.From(
            from m in Gen.Frequency((1, Gen.Constant(0)), (8, Dim(50)))
            from n in Gen.Frequency((1, Gen.Constant(0)), (8, Dim(70)))
            from k in Gen.Frequency((1, Gen.Constant(0)), (8, Dim(50)))
            from ta in Gen.Elements(false, true)
            from tb in Gen.Elements(false, true)
            from pads in Gen.ArrayOf(Gen.Choose(0, 3), 3)
            from alpha in Gen.Elements(1.0, 1.0, -0.5, 2.0, 0.0)
            from beta in Gen.Elements(0.0, 0.0, 1.0, 0.25)
            from threads in Gen.Elements(1, 2, 3)
            from path in Gen.Choose(0, 3)
            from seed in Gen.Choose(0, int.MaxValue)
            select new RunCase(m, n, k, ta, tb, pads[0], pads[1], pads[2], alpha, beta, threads, path, (ulong)seed));
    }

    /// <summary>Base tensor for a logical [..batch, rows, cols] operand and the view that recovers it.</summary>
    private static (Tensor Base, Func<Tensor, Tensor> View) Operand(int[] batch, int rows, int cols, bool trans, int step,
        ulong seed, DType dtype)
    {
        int[] dims = trans ? [.. batch, cols, rows * step] : [.. batch, rows, cols * step];
        var x = Values.Uniform(new Shape(dims), seed, dtype, -1, 1);
        return (x, t =>
        {
            var v = step == 1 ? t : t.Slice(-1, step: step);
            return trans ? v.MT : v;
        });
    }

    private static void SameAsReference(MatmulCase c, DType dtype, double tol)
    {
        var (a, va) = Operand(c.BatchA, c.M, c.K, c.TransA, c.StepA, c.Seed, dtype);
        var (b, vb) = Operand(c.BatchB, c.K, c.N, c.TransB, c.StepB, c.Seed + 1, dtype);
        Verify.SameOnBackends(x => F.Matmul(va(x[0]), vb(x[1])), [a, b], tol, tol);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Cpu_matches_reference_f32(MatmulCase c) => SameAsReference(c, DType.F32, 1e-4);

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Cpu_matches_reference_f64(MatmulCase c) => SameAsReference(c, DType.F64, 1e-11);

    [Theory]
    [InlineData(129, 257, 300, false, false)]
    [InlineData(129, 257, 300, true, true)]
    [InlineData(200, 70, 530, false, true)]
    [InlineData(64, 300, 1100, true, false)]
    [InlineData(1, 600, 700, false, false)]
    public void Large_products_match_reference(int m, int n, int k, bool ta, bool tb)
    {
        foreach (var (dtype, tol) in new[] { (DType.F32, 2e-4), (DType.F64, 1e-10) })
            SameAsReference(new MatmulCase(m, n, k, [], [], ta, tb, 1, 1, 11), dtype, tol);
    }

    [Fact]
    public void Broadcast_batches_match_reference()
    {
        // 8 products of 40x40x40: the one-product-per-task path; then a shared right operand (batch stride 0).
        SameAsReference(new MatmulCase(40, 40, 40, [8], [8], false, true, 1, 1, 3), DType.F32, 1e-4);
        SameAsReference(new MatmulCase(33, 90, 50, [2, 3], [1, 3], true, false, 2, 1, 4), DType.F64, 1e-11);
        SameAsReference(new MatmulCase(70, 65, 300, [3], [], false, false, 1, 2, 5), DType.F32, 2e-4);
    }

    /// <summary>C = α·op(A)·op(B) + β·C in double, β = 0 ignoring C.</summary>
    private static double[] Naive(RunCase r, double[] a, int lda, double[] b, int ldb, double[] c, int ldc)
    {
        var y = (double[])c.Clone();
        for (var i = 0; i < r.M; i++)
        for (var j = 0; j < r.N; j++)
        {
            var s = 0.0;
            for (var p = 0; p < r.K; p++)
                s += (r.TransA ? a[p * lda + i] : a[i * lda + p]) * (r.TransB ? b[j * ldb + p] : b[p * ldb + j]);
            y[i * ldc + j] = r.Alpha * s + (r.Beta == 0 ? 0 : r.Beta * c[i * ldc + j]);
        }
        return y;
    }

    private static double[] Random(int length, ulong seed) =>
        Values.Uniform(new Shape(length), seed, DType.F64, -1, 1).ToArray<double>();

    private static void CheckRun(RunCase r, double tolF64, double tolF32)
    {
        int aRows = r.TransA ? r.K : r.M, aCols = r.TransA ? r.M : r.K;
        int bRows = r.TransB ? r.N : r.K, bCols = r.TransB ? r.K : r.N;
        int lda = aCols + r.PadA, ldb = bCols + r.PadB, ldc = r.N + r.PadC;
        var a = Random(aRows * lda, r.Seed);
        var b = Random(bRows * ldb, r.Seed + 1);
        var c = Random(r.M * ldc, r.Seed + 2);
        if (r.Beta == 0 && c.Length > 0) c[0] = double.NaN; // β = 0 must not read C
        var expected = Naive(r, a, lda, b, ldb, c, ldc);

        var c64 = (double[])c.Clone();
        Gemm.Run(r.TransA, r.TransB, r.M, r.N, r.K, r.Alpha, a, lda, b, ldb, r.Beta, c64, ldc, r.Threads, (GemmPath)r.Path);
        Verify.Close(expected, c64, tolF64, tolF64, $"f64 {r}");

        var c32 = c.Select(v => (float)v).ToArray();
        Gemm.Run(r.TransA, r.TransB, r.M, r.N, r.K, (float)r.Alpha, a.Select(v => (float)v).ToArray(), lda,
            b.Select(v => (float)v).ToArray(), ldb, (float)r.Beta, c32, ldc, r.Threads, (GemmPath)r.Path);
        Verify.Close(expected, c32.Select(v => (double)v).ToArray(), tolF32, tolF32, $"f32 {r}");
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Run_matches_naive_loop_with_alpha_beta(RunCase r) => CheckRun(r, 1e-12, 1e-4);

    [Theory]
    [InlineData(129, 257, 300, 2, (int)GemmPath.Auto)]
    [InlineData(129, 257, 300, 1, (int)GemmPath.V256)]
    [InlineData(97, 75, 530, 2, (int)GemmPath.V128)]
    [InlineData(40, 33, 1500, 2, (int)GemmPath.Auto)] // small C, deep K: split-K with partial sums
    [InlineData(40, 33, 1600, 3, (int)GemmPath.V256)]
    [InlineData(64, 700, 600, 2, (int)GemmPath.Auto)] // one row block: the columns are split across threads
    [InlineData(9, 4200, 3, 2, (int)GemmPath.Auto)] // more than one NC column block
    [InlineData(500, 1, 300, 2, (int)GemmPath.V512)]
    [InlineData(400, 300, 270, 2, (int)GemmPath.Auto)] // three row blocks sharing packed B, columns split in two
    [InlineData(385, 97, 260, 1, (int)GemmPath.V128)]
    [InlineData(200, 150, 300, 3, (int)GemmPath.Auto)] // two row blocks on three threads: columns split in three
    public void Blocked_and_parallel_paths_match_naive_loop(int m, int n, int k, int threads, int path)
    {
        foreach (var (ta, tb) in new[] { (false, false), (true, true) })
            CheckRun(new RunCase(m, n, k, ta, tb, 1, 0, 2, 0.5, 0.25, threads, path, 9), 1e-11, 2e-4);
        CheckRun(new RunCase(m, n, k, false, true, 0, 3, 0, 1, 0, threads, path, 10), 1e-11, 2e-4);
    }

    [Fact]
    public void Zero_depth_scales_c_by_beta()
    {
        double[] c = [1, 2, 3, 4];
        Gemm.Run<double>(false, false, 2, 2, 0, 1, [], 1, [], 2, 0.5, c, 2);
        Assert.Equal([0.5, 1, 1.5, 2], c);
        c = [double.NaN, 2, 3, 4];
        Gemm.Run<double>(false, false, 2, 2, 0, 1, [], 1, [], 2, 0, c, 2);
        Assert.Equal([0.0, 0, 0, 0], c);
    }

    [Fact]
    public void Beta_one_accumulates()
    {
        // [1 2; 3 4]·[5 6; 7 8] = [19 22; 43 50]; twice with β = 1 doubles it.
        double[] a = [1, 2, 3, 4], b = [5, 6, 7, 8], c = new double[4];
        Gemm.Run<double>(false, false, 2, 2, 2, 1, a, 2, b, 2, 0, c, 2);
        Gemm.Run<double>(false, false, 2, 2, 2, 1, a, 2, b, 2, 1, c, 2);
        Assert.Equal([38.0, 44, 86, 100], c);
    }

    [Fact]
    public void Short_operands_are_reported()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Gemm.Run<float>(false, false, 3, 2, 4, 1, new float[11], 4, new float[8], 2, 0, new float[6], 2));
        Assert.Equal("a", ex.ParamName);
        Assert.Contains("12", ex.Message);
        ex = Assert.Throws<ArgumentException>(() =>
            Gemm.Run<float>(false, true, 3, 2, 4, 1, new float[12], 4, new float[8], 3, 0, new float[6], 2));
        Assert.Equal("ldb", ex.ParamName);
    }
}
