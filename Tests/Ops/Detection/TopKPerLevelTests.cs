using FsCheck;
using FsCheck.Fluent;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Detection;

/// <summary>N rows (0 = unbatched) of level sizes, k, and scores rounded to tenths for even seeds (ties).</summary>
public sealed record LevelCase(int N, int[] Sizes, int K, ulong Seed)
{
    public override string ToString() => $"N={N} sizes [{string.Join(", ", Sizes)}] k={K} seed {Seed}";

    public Tensor Scores(DType dtype = DType.F64)
    {
        var shape = N == 0 ? new Shape(Sizes.Sum()) : new Shape(N, Sizes.Sum());
        var v = Values.Uniform(shape, Seed, DType.F64, 0, 1).ToDoubleArray();
        if (Seed % 2 == 0) v = [.. v.Select(x => Math.Round(x, 1))];
        return Tensor.FromDoubles(v, shape, dtype);
    }
}

public class TopKPerLevelTests
{
    public static class Arbs
    {
        public static Arbitrary<LevelCase> Cases() =>
            Arb.From(
                from n in Gen.Choose(0, 2)
                from levels in Gen.Choose(0, 4)
                from sizes in Gen.ArrayOf(Gen.Choose(0, 7), levels)
                from k in Gen.Choose(0, 5)
                from seed in Gen.Choose(0, int.MaxValue)
                select new LevelCase(n, sizes, k, (ulong)seed));
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Each_level_keeps_its_k_largest_in_descending_stable_order(LevelCase c)
    {
        var scores = c.Scores();
        var keep = F.TopKPerLevel(scores, c.Sizes, c.K);
        var width = c.Sizes.Sum(s => Math.Min(s, c.K));
        Assert.Equal(c.N == 0 ? new Shape(width) : new Shape(c.N, width), keep.Shape);
        var s = scores.ToDoubleArray();
        var idx = keep.ToArray<long>();
        for (var row = 0; row < Math.Max(c.N, 1); row++)
        {
            var (at, offset) = (row * width, 0);
            foreach (var size in c.Sizes)
            {
                var take = Math.Min(size, c.K);
                // The O(n log n) definition: the level's entries ordered by (score desc, index asc), first `take`.
                var expected = Enumerable.Range(offset, size)
                    .OrderByDescending(i => s[row * c.Sizes.Sum() + i]).ThenBy(i => i).Take(take).Select(i => (long)i);
                Assert.Equal(expected, idx.Skip(at).Take(take));
                (at, offset) = (at + take, offset + size);
            }
        }
        Assert.Equal(idx, F.TopKPerLevel(scores.To(Device.Reference), c.Sizes, c.K).ToArray<long>());
        Assert.Equal(idx, F.TopKPerLevel(scores.To(DType.F32), c.Sizes, c.K).ToArray<long>());
    }

    [Fact]
    public void Known_values_match_torchvision_rpn_top_n()
    {
        // torch 1.13: torch.manual_seed(0); s = torch.rand(2, 11, dtype=torch.float64); per level of sizes
        // [5, 4, 2]: s[:, off:off+n].topk(min(3, n), dim=1) indices + off, concatenated (torchvision's RPN
        // _get_top_n_idx).
        double[] s =
        [
            0.9700530018065531, 0.707819864399788, 0.45938294312745087, 0.9207476841219603, 0.6450241201227648,
            0.7911478921803037, 0.17860617520075095, 0.3511076243939284, 0.5813409198075745, 0.2882358921361502,
            0.4528688488811142, 0.17679952620371409, 0.35526675833930643, 0.6219052486795277, 0.48184840078170854,
            0.4408004990443595, 0.40728157436444157, 0.2054385934615871, 0.6650381757501495, 0.7848739004551177,
            0.21036647491838456, 0.6767391209176791,
        ];
        var keep = F.TopKPerLevel(Tensor.FromDoubles(s, new Shape(2, 11), DType.F64), [5, 4, 2], 3);
        Assert.Equal(new Shape(2, 8), keep.Shape);
        Assert.Equal([0L, 3, 1, 5, 8, 7, 10, 9, 2, 3, 4, 8, 7, 5, 10, 9], keep.ToArray<long>());
    }

    [Fact]
    public void Bad_inputs_name_the_argument()
    {
        var s = Tensor.Zeros(new Shape(6), DType.F64);
        Assert.Contains("scores", Assert.Throws<ShapeMismatchException>(() => F.TopKPerLevel(s, [2, 3], 1)).Message);
        Assert.Contains("scores", Assert.Throws<ShapeMismatchException>(() =>
            F.TopKPerLevel(Tensor.Zeros(new Shape(1, 1, 6), DType.F64), [6], 1)).Message);
        Assert.Contains("levelSizes",
            Assert.Throws<ArgumentOutOfRangeException>(() => F.TopKPerLevel(s, [7, -1], 1)).Message);
        Assert.Contains("k", Assert.Throws<ArgumentOutOfRangeException>(() => F.TopKPerLevel(s, [6], -1)).Message);
        Assert.Throws<DTypeMismatchException>(() => F.TopKPerLevel(Tensor.Zeros(new Shape(6), DType.I64), [6], 1));
    }
}
