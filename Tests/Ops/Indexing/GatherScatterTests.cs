using FsCheck;
using FsCheck.Fluent;
using Scratch.Autograd;
using Scratch.Tests.Properties;
using Xunit;
using static Scratch.Tests.Ops.ShapeOps.ShapeCheck;

namespace Scratch.Tests.Ops.Indexing;

public class GatherScatterTests
{
    /// <summary>Self shape, index shape (each size ≤ self's), src shape (each size ≥ index's), dim.</summary>
    public sealed record ScatterCase(int[] Self, int[] Index, int[] Src, int Dim, ulong Seed)
    {
        public override string ToString() => $"self {new Shape(Self)} index {new Shape(Index)} src {new Shape(Src)} dim {Dim}";

        /// <summary>Random indices into self's dim; unique along dim when <paramref name="unique"/> (a scatter with no
        /// collisions, so the overwrite gradient is well defined).</summary>
        public Tensor MakeIndex(bool unique)
        {
            var g = new Generator(Seed + 3);
            var n = Self[Dim];
            var idx = new long[new Shape(Index).Numel];
            var shape = new Shape(Index);
            var lanes = new Dictionary<string, List<long>>();
            var counter = new int[Index.Length];
            for (var i = 0; i < idx.Length; i++)
            {
                var key = string.Join(",", counter.Select((v, k) => k == Dim ? -1 : v));
                if (!lanes.TryGetValue(key, out var free))
                    lanes[key] = free = Enumerable.Range(0, n).Select(v => (long)v).OrderBy(_ => g.NextDouble()).ToList();
                idx[i] = unique ? free[counter[Dim]] : Pick(g, 0, n - 1);
                for (var d = Index.Length - 1; d >= 0; d--)
                {
                    if (++counter[d] < Index[d]) break;
                    counter[d] = 0;
                }
            }
            return Tensor.From(idx, shape);
        }
    }

    public static class Arbs
    {
        public static Arbitrary<ScatterCase> Cases() => Arb.From(
            from rank in Gen.Choose(1, 3)
            from self in Gen.ArrayOf(Gen.Choose(1, 4), rank)
            from dim in Gen.Choose(0, rank - 1)
            from shrink in Gen.ArrayOf(Gen.Choose(0, 2), rank)
            from grow in Gen.ArrayOf(Gen.Choose(0, 1), rank)
            from seed in Gen.Choose(0, int.MaxValue)
            let index = self.Select((s, i) => Math.Max(0, s - shrink[i])).ToArray()
            select new ScatterCase(self, index, index.Select((s, i) => s + grow[i]).ToArray(), dim, (ulong)seed));
    }

    private static Tensor Make(int[] dims, ulong seed, DType dtype = DType.F64) => Values.Uniform(new Shape(dims), seed, dtype, -2, 2);

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Gradients_match_finite_differences(ScatterCase c)
    {
        var self = Make(c.Self, c.Seed);
        var src = Make(c.Src, c.Seed + 1);
        var any = c.MakeIndex(false);
        Verify.Gradients(x => x[0].Gather(c.Dim, any), self);
        Verify.Gradients(x => x[0].ScatterAdd(c.Dim, any, x[1]), self, src);
        Verify.Gradients(x => x[0].Scatter(c.Dim, c.MakeIndex(true), x[1]), self, src);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Cpu_matches_reference_for_strided_inputs(ScatterCase c)
    {
        var self = Make(c.Self, c.Seed);
        var src = Make(c.Src, c.Seed + 1);
        var index = c.MakeIndex(false);
        Verify.SameOnBackends(x => Stepped(x[0]).Gather(c.Dim, x[1]), [self, index], 0, 0);
        Verify.SameOnBackends(
            x => Stepped(x[0]).ScatterAdd(c.Dim, x[2], Stepped(x[1])), [self, src, index], 1e-12, 1e-12);
        Verify.SameOnBackends(x => x[0].Permute(Enumerable.Range(0, c.Self.Length).Reverse().ToArray()).Contiguous()
            .Permute(Enumerable.Range(0, c.Self.Length).Reverse().ToArray()).Scatter(c.Dim, x[2], x[1]),
            [self.To(DType.F32), src.To(DType.F32), c.MakeIndex(true)], 0, 0);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Gather_of_scatter_on_a_permutation_is_the_identity(ScatterCase c)
    {
        var full = c with { Index = c.Self, Src = c.Self };
        var perm = full.MakeIndex(unique: true);
        var src = Make(c.Self, c.Seed + 1);
        var scattered = Tensor.ZerosLike(src).Scatter(c.Dim, perm, src);
        Verify.Close(src, scattered.Gather(c.Dim, perm), 0, 0);
        Verify.Close(scattered, Tensor.ZerosLike(src).ScatterAdd(c.Dim, perm, src), 0, 0);
    }

    [Fact]
    public void Known_values()
    {
        var idx = Tensor.From(new long[] { 0, 1, 2, 0, 1, 2, 0, 1 }, new Shape(2, 4));
        var b = Tensor.Arange(12, DType.F32).Reshape(3, 4);
        // torch 1.13: torch.gather(torch.arange(12.).reshape(3,4),0,torch.tensor([[0,1,2,0],[1,2,0,1]]))
        Verify.Values(b.Gather(0, idx), new Shape(2, 4), [0, 5, 10, 3, 4, 9, 2, 7]);
        // torch 1.13: torch.gather(b,1,torch.tensor([[3,0],[1,1],[2,2]]))
        Verify.Values(
            b.Gather(1, Tensor.From(new long[] { 3, 0, 1, 1, 2, 2 }, new Shape(3, 2))), new Shape(3, 2),
            [3, 0, 5, 5, 10, 10]);
        var src = Tensor.Arange(1, 9, 1, DType.F32).Reshape(2, 4);
        // torch 1.13: torch.zeros(3,4).scatter(0,torch.tensor([[0,1,2,0],[1,2,0,1]]),torch.arange(1.,9.).reshape(2,4))
        Verify.Values(
            Tensor.Zeros(new Shape(3, 4)).Scatter(0, idx, src), new Shape(3, 4), [1, 0, 7, 4, 5, 2, 0, 8, 0, 6, 3, 0]);
        // torch 1.13: torch.ones(3,4).scatter_add(0,torch.tensor([[0,1,2,0],[0,2,0,1]]),torch.arange(1.,9.).reshape(2,4))
        var idx2 = Tensor.From(new long[] { 0, 1, 2, 0, 0, 2, 0, 1 }, new Shape(2, 4));
        Verify.Values(
            Tensor.Ones(new Shape(3, 4)).ScatterAdd(0, idx2, src), new Shape(3, 4),
            [7, 1, 8, 5, 1, 3, 1, 9, 1, 7, 4, 1]);
    }

    [Fact]
    public void In_place_forms_write_and_bump_the_version()
    {
        var idx = Tensor.From(new long[] { 0, 1, 2, 0, 0, 2, 0, 1 }, new Shape(2, 4));
        var src = Tensor.Arange(1, 9, 1, DType.F32).Reshape(2, 4);
        var t = Tensor.Ones(new Shape(3, 4));
        var v = t.Storage.Version;
        Assert.Same(t, t.ScatterAdd_(0, idx, src));
        Assert.True(t.Storage.Version > v);
        Verify.Values(t, new Shape(3, 4), [7, 1, 8, 5, 1, 3, 1, 9, 1, 7, 4, 1]);
        var u = Tensor.Zeros(new Shape(3, 4));
        u.Scatter_(0, Tensor.From(new long[] { 0, 1, 2, 0, 1, 2, 0, 1 }, new Shape(2, 4)), src);
        Verify.Values(u, new Shape(3, 4), [1, 0, 7, 4, 5, 2, 0, 8, 0, 6, 3, 0]);

        var x = Tensor.Ones(new Shape(3, 4), DType.F64).RequiresGrad_();
        var saved = Tensor.Ones(new Shape(3, 4), DType.F64);
        var y = (x * saved).Sum();
        saved.ScatterAdd_(0, idx, src.To(DType.F64));
        Assert.Throws<AutogradException>(() => y.Backward());
        Assert.Throws<AutogradException>(() => x.Scatter_(0, idx, src.To(DType.F64)));
    }

    [Fact]
    public void Bad_arguments_are_reported()
    {
        var x = Tensor.Zeros(new Shape(3, 4));
        Throws<ArgumentOutOfRangeException>(
            () => x.Gather(1, Tensor.From(new long[] { 4 }, new Shape(1, 1))), "Gather", "index", "4", "[0, 3]");
        Throws<ArgumentOutOfRangeException>(
            () => x.Gather(0, Tensor.From(new long[] { -1 }, new Shape(1, 1))), "Gather", "index", "-1", "[0, 2]");
        Throws<ShapeMismatchException>(() => x.Gather(0, Tensor.From(new long[] { 0 })), "Gather", "index", "rank 2");
        Throws<ShapeMismatchException>(
            () => x.Gather(0, Tensor.Zeros(new Shape(1, 5), DType.I64)), "Gather", "index", "[1, 5]");
        Throws<ShapeMismatchException>(
            () => x.Scatter(0, Tensor.Zeros(new Shape(2, 2), DType.I64), Tensor.Zeros(new Shape(1, 2))), "Scatter",
            "index");
        Throws<DTypeMismatchException>(
            () => x.ScatterAdd(0, Tensor.Zeros(new Shape(1, 1), DType.I64), Tensor.Zeros(new Shape(1, 1), DType.F64)),
            "ScatterAdd", "src");
        Throws<ArgumentOutOfRangeException>(
            () => x.ScatterAdd_(0, Tensor.From(new long[] { 7 }, new Shape(1, 1)), Tensor.Zeros(new Shape(1, 1))),
            "ScatterAdd", "index", "7", "[0, 2]");
    }
}
