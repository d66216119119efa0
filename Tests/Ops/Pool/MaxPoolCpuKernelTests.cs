using FsCheck;
using FsCheck.Fluent;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Pool;

/// <summary>The separable Cpu max-pool kernel against the Reference row-major scan on inputs full of ties and NaNs,
/// over rows wider than the vector width (and not multiples of it), in float32 and float64.</summary>
public class MaxPoolCpuKernelTests
{
    public sealed record TieCase(int N, int C, int H, int W, int K, int S, int P, int D, bool Ceil, bool F64,
        bool Nans, ulong Seed)
    {
        public override string ToString() =>
            $"x [{N}, {C}, {H}, {W}] k {K} s {S} p {P} d {D} ceil {Ceil} {(F64 ? "F64" : "F32")} nans {Nans}";

        /// <summary>Values from {−1, 0, 1} (many ties), some NaN when <see cref="Nans"/>.</summary>
        public Tensor X()
        {
            var g = new Generator(Seed);
            var v = new double[N * C * H * W];
            for (var i = 0; i < v.Length; i++)
            {
                var r = g.NextInt64(Nans ? 7 : 3);
                v[i] = r < 3 ? r - 1 : r == 3 ? double.NaN : 0;
            }
            return Tensor.FromDoubles(v, new Shape(N, C, H, W), F64 ? DType.F64 : DType.F32);
        }
    }

    public static class Arbs
    {
        public static Arbitrary<TieCase> Cases() => Arb.From(
            from k in Gen.Choose(1, 4)
            from d in Gen.Choose(1, 2)
            from s in Gen.Choose(1, 3)
            from p in Gen.Choose(0, k / 2)
            from h in Gen.Choose(d * (k - 1) + 1, 12)
            from w in Gen.Choose(d * (k - 1) + 1, 41)
            from n in Gen.Choose(1, 2)
            from c in Gen.Choose(1, 3)
            from ceil in Gen.Elements(true, false)
            from f64 in Gen.Elements(true, false)
            from nans in Gen.Elements(true, false)
            from seed in Gen.Choose(0, int.MaxValue)
            select new TieCase(n, c, h, w, k, s, p, d, ceil, f64, nans, (ulong)seed));
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Values_and_indices_match_the_reference_with_ties_and_nans(TieCase c)
    {
        var x = c.X();
        var (yc, ic) = F.MaxPool2dWithIndices(x, c.K, c.S, c.P, c.D, c.Ceil);
        var (yr, ir) = F.MaxPool2dWithIndices(x.To(Device.Reference), c.K, c.S, c.P, c.D, c.Ceil);
        Assert.Equal(ir.ToArray<long>(), ic.ToArray<long>());
        Assert.Equal(yr.ToDoubleArray(), yc.ToDoubleArray());
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Gradients_match_the_reference_with_ties(TieCase c)
    {
        var x = (c with { Nans = false }).X();
        Verify.SameOnBackends(t => F.MaxPool2d(t[0], c.K, c.S, c.P, c.D, c.Ceil), [x], 0, 0);
    }

    [Fact]
    public void A_large_plane_set_takes_the_parallel_path()
    {
        var x = Values.Uniform(new Shape(2, 8, 37, 45), 3, DType.F32, -1, 1);
        var (yc, ic) = F.MaxPool2dWithIndices(x, 3, 2, 1);
        var (yr, ir) = F.MaxPool2dWithIndices(x.To(Device.Reference), 3, 2, 1);
        Assert.Equal(ir.ToArray<long>(), ic.ToArray<long>());
        Assert.Equal(yr.ToDoubleArray(), yc.ToDoubleArray());
    }
}
