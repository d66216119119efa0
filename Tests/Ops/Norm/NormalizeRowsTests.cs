using FsCheck;
using FsCheck.Fluent;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Norm;

public class NormalizeRowsTests
{
    public sealed record RowsCase(int Rows, int Len, double Offset, ulong Seed)
    {
        public Tensor X(DType dtype = DType.F64) => Values.Uniform(new Shape(Rows, Len), Seed, dtype, Offset - 2, Offset + 2);

        public override string ToString() => $"[{Rows}, {Len}] offset {Offset} seed {Seed}";
    }

    public static class Arbs
    {
        public static Arbitrary<RowsCase> Cases() => Arb.From(
            from rows in Gen.Choose(0, 5)
            from len in Gen.Frequency((1, Gen.Constant(1)), (6, Gen.Choose(2, 9)))
            from offset in Gen.Elements(0.0, 3.0, -50.0)
            from seed in Gen.Choose(0, int.MaxValue)
            select new RowsCase(rows, len, offset, (ulong)seed));
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Gradients_match_finite_differences(RowsCase c) =>
        Verify.Gradients(x => F.NormalizeRows(x[0], 1e-5), c.X());

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Gradients_match_for_strided_views(RowsCase c) =>
        Verify.Gradients(x => F.NormalizeRows(x[0].T, 1e-3), Values.Uniform(new Shape(c.Len, c.Rows), c.Seed, DType.F64, -2, 2));

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Cpu_matches_reference(RowsCase c)
    {
        Verify.SameOnBackends(x => F.NormalizeRows(x[0], 1e-5), [c.X()], 1e-10, 1e-9);
        // In float32 a large offset relative to the spread is ill-conditioned (the Cpu path centres in float32, the
        // Reference path in float64), so the float32 comparison uses centred data.
        Verify.SameOnBackends(x => F.NormalizeRows(x[0], 1e-5), [(c with { Offset = 0 }).X(DType.F32)], 2e-3, 2e-3);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Rows_have_zero_mean_and_unit_variance(RowsCase c)
    {
        if (c.Len < 2 || c.Rows == 0) return;
        var y = F.NormalizeRows(c.X(), 0, out var mean, out var variance);
        // Rounding x (of magnitude |x|) moves y = (x − μ)/σ by about ε·|x|/σ: a row whose values lie close together
        // far from zero (offset −50, two values 10⁻³ apart) is that much less exact, so the bounds scale with it.
        var cond = Enumerable.Range(0, c.Rows).Max(r =>
            c.X()[r].Abs().Max().Item() / Math.Sqrt(Math.Max(variance[r], double.Epsilon)));
        Verify.Close(Tensor.Zeros(new Shape(c.Rows), DType.F64), y.Mean(1), 1e-12 + 1e-14 * cond, 0);
        Verify.Close(Tensor.Ones(new Shape(c.Rows), DType.F64), (y * y).Mean(1), 1e-9 + 1e-14 * cond, 1e-9);
        Verify.Close(c.X().Mean(1).ToDoubleArray(), mean, 1e-12, 1e-12);
        var centred = c.X() - c.X().Mean(1, keepDim: true);
        Verify.Close((centred * centred).Mean(1).ToDoubleArray(), variance, 1e-12, 1e-9);
    }

    [Fact]
    public void Parallel_cpu_path_matches_reference_on_large_inputs()
    {
        var x = Values.Uniform(new Shape(70, 600), 11, DType.F32, 5, 9);
        Verify.SameOnBackends(t => F.NormalizeRows(t[0], 1e-5), [x], 1e-4, 1e-4);
        Verify.SameOnBackends(t => F.LayerNorm(t[0].Reshape(70, 20, 30), [20, 30]), [x], 1e-4, 1e-4);
    }

    [Fact]
    public void Bad_input_is_rejected()
    {
        var ex = Assert.Throws<ShapeMismatchException>(() => F.NormalizeRows(Tensor.Zeros(new Shape(2, 3, 4)), 1e-5));
        Assert.Contains("input", ex.Message);
    }
}
