using FsCheck;
using FsCheck.Fluent;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Linalg;

public class MatmulTests
{
    public sealed record MatmulCase(int[] A, int[] B, ulong Seed)
    {
        public override string ToString() => $"{new Shape(A)} @ {new Shape(B)}";
    }

    public static class Arbs
    {
        public static Arbitrary<MatmulCase> Cases() => Arb.From(
            from m in Gen.Choose(1, 6)
            from k in Gen.Choose(0, 6)
            from n in Gen.Choose(1, 20)
            from batch in Gen.Choose(0, 2).SelectMany(r => Gen.ArrayOf(Gen.Choose(1, 3), r))
            from kind in Gen.Choose(0, 4)
            from seed in Gen.Choose(0, int.MaxValue)
            select kind switch
            {
                0 => new MatmulCase([k], [k], (ulong)seed),
                1 => new MatmulCase([m, k], [k], (ulong)seed),
                2 => new MatmulCase([k], [.. batch, k, n], (ulong)seed),
                3 => new MatmulCase([.. batch, m, k], [k, n], (ulong)seed),
                _ => new MatmulCase([.. batch, m, k], [.. batch.Select((b, i) => i == 0 ? 1 : b), k, n], (ulong)seed),
            });
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Gradients_match_finite_differences(MatmulCase c) =>
        Verify.Gradients(x => F.Matmul(x[0], x[1]),
            Values.Uniform(new Shape(c.A), c.Seed, DType.F64, -1, 1),
            Values.Uniform(new Shape(c.B), c.Seed + 1, DType.F64, -1, 1));

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Cpu_matches_reference(MatmulCase c)
    {
        var a = Values.Uniform(new Shape(c.A), c.Seed, DType.F32, -1, 1);
        var b = Values.Uniform(new Shape(c.B), c.Seed + 1, DType.F32, -1, 1);
        Verify.SameOnBackends(x => F.Matmul(x[0], x[1]), [a, b], 1e-5, 1e-5);
        Verify.SameOnBackends(x => F.Matmul(x[0].MT.Contiguous().MT, x[1]), [a.Rank >= 2 ? a : a.Unsqueeze(0), b], 1e-5, 1e-5);
    }

    [TensorProperty]
    public void Is_associative_within_tolerance(ShapeCase c)
    {
        var n = c.Dims.Length + 2;
        var a = Values.Uniform(new Shape(n, n + 1), c.Seed, DType.F64, -1, 1);
        var b = Values.Uniform(new Shape(n + 1, 3), c.Seed + 1, DType.F64, -1, 1);
        var d = Values.Uniform(new Shape(3, n), c.Seed + 2, DType.F64, -1, 1);
        Verify.Close((a.Matmul(b)).Matmul(d), a.Matmul(b.Matmul(d)), 1e-12, 1e-12);
    }

    [Fact]
    public void Known_product()
    {
        var a = Tensor.From(new float[] { 1, 2, 3, 4, 5, 6 }, new Shape(2, 3));
        var b = Tensor.From(new float[] { 7, 8, 9, 10, 11, 12 }, new Shape(3, 2));
        Verify.Values(a.Matmul(b), new Shape(2, 2), [58, 64, 139, 154]);
        Verify.Values(a.Matmul(b).T, new Shape(2, 2), [58, 139, 64, 154]);
        Verify.Values(Tensor.From(new float[] { 1, 2 }).Matmul(Tensor.From(new float[] { 3, 4 })), new Shape(), [11]);
    }

    [Fact]
    public void Inner_dimension_mismatch_is_reported()
    {
        var ex = Assert.Throws<ShapeMismatchException>(() => Tensor.Zeros(new Shape(2, 3)).Matmul(Tensor.Zeros(new Shape(4, 2))));
        Assert.Contains("Matmul", ex.Message);
        Assert.Contains("[4, 2]", ex.Message);
    }
}
