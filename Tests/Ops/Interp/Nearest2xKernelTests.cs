using FsCheck;
using FsCheck.Fluent;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Interp;

/// <summary>The Cpu nearest-2× fast path (by scale factor or by size) against the Reference backend's generic
/// two-tap loops: outputs and input gradients bit for bit, in float32 and float64.</summary>
public class Nearest2xKernelTests
{
    public sealed record UpCase(int N, int C, int H, int W, bool BySize, bool F64, ulong Seed)
    {
        public override string ToString() => $"x [{N}, {C}, {H}, {W}] bySize {BySize} {(F64 ? "F64" : "F32")}";

        public Tensor Apply(Tensor x) => BySize
            ? F.Interpolate(x, size: new Size2(2 * H, 2 * W))
            : F.Interpolate(x, scaleFactor: 2.0);
    }

    public static class Arbs
    {
        public static Arbitrary<UpCase> Cases() => Arb.From(
            from n in Gen.Choose(1, 2)
            from c in Gen.Choose(1, 4)
            from h in Gen.Choose(1, 13)
            from w in Gen.Choose(1, 21)
            from bySize in Gen.Elements(true, false)
            from f64 in Gen.Elements(true, false)
            from seed in Gen.Choose(0, int.MaxValue)
            select new UpCase(n, c, h, w, bySize, f64, (ulong)seed));
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Cpu_matches_reference_exactly(UpCase c)
    {
        var x = Values.Uniform(new Shape(c.N, c.C, c.H, c.W), c.Seed, c.F64 ? DType.F64 : DType.F32, -3, 3);
        Verify.SameOnBackends(t => c.Apply(t[0]), [x], 0, 0);
    }

    [Fact]
    public void Each_input_fills_its_two_by_two_block_and_gathers_its_gradient()
    {
        var x = Tensor.From(new float[] { 1, 2, 3, 4, 5, 6 }, new Shape(1, 1, 2, 3));
        x.RequiresGrad = true;
        var y = F.Interpolate(x, scaleFactor: 2.0);
        Verify.Values(y, new Shape(1, 1, 4, 6),
        [
            1, 1, 2, 2, 3, 3,
            1, 1, 2, 2, 3, 3,
            4, 4, 5, 5, 6, 6,
            4, 4, 5, 5, 6, 6,
        ]);
        (y * Tensor.Arange(24, DType.F32).Reshape(1, 1, 4, 6)).Sum().Backward();
        // block sums of 0..23 laid out 4×6: (0+1+6+7), (2+3+8+9), ...
        Verify.Values(x.Grad!, new Shape(1, 1, 2, 3), [14, 22, 30, 62, 70, 78]);
    }

    [Fact]
    public void A_large_tensor_takes_the_parallel_path()
    {
        var x = Values.Uniform(new Shape(2, 16, 25, 27), 9, DType.F32, -1, 1);
        Verify.SameOnBackends(t => F.Interpolate(t[0], scaleFactor: 2.0), [x], 0, 0);
    }
}
