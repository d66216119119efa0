using Scratch.Tests.Properties;
using Xunit;
using static Scratch.Tests.Ops.ShapeOps.ShapeCheck;

namespace Scratch.Tests.Ops.ShapeOps;

public class FlipRepeatTests
{
    private static int[] FlipDims(int rank, ulong seed)
    {
        var g = new Generator(seed + 9);
        return Enumerable.Range(0, Math.Max(rank, 1)).Where(_ => g.NextDouble() < 0.5).Select(d => g.NextDouble() < 0.5 ? d : d - Math.Max(rank, 1)).ToArray();
    }

    private static int[] Repeats(int rank, ulong seed)
    {
        var g = new Generator(seed + 13);
        return Enumerable.Range(0, rank + Pick(g, 0, 1)).Select(_ => Pick(g, 0, 3)).ToArray();
    }

    [TensorProperty]
    public void Flip_gradient_matches_finite_differences(ShapeCase c) =>
        Verify.Gradients(x => x[0].Flip(FlipDims(c.Dims.Length, c.Seed)), c.Make());

    [TensorProperty]
    public void Flip_twice_is_identity_and_matches_index_select(ShapeCase c)
    {
        var x = c.Make();
        var dims = FlipDims(c.Dims.Length, c.Seed);
        Verify.Close(x, x.Flip(dims).Flip(dims), 0, 0);
        if (c.Dims.Length == 0) return;
        var d = dims.Length > 0 ? (dims[0] + c.Dims.Length) % c.Dims.Length : 0;
        var reversed = Tensor.From(Enumerable.Range(0, c.Dims[d]).Reverse().Select(i => (long)i).ToArray());
        Verify.Close(x.IndexSelect(d, reversed), x.Flip(d), 0, 0);
    }

    [TensorProperty]
    public void Repeat_gradient_matches_finite_differences(ShapeCase c) =>
        Verify.Gradients(x => x[0].Repeat(Repeats(c.Dims.Length, c.Seed)), c.Make());

    [TensorProperty]
    public void Repeat_tiles_the_input(ShapeCase c)
    {
        var x = c.Make();
        var reps = Repeats(c.Dims.Length, c.Seed);
        var y = x.Repeat(reps);
        var lead = reps.Length - c.Dims.Length;
        var full = Enumerable.Repeat(1, lead).Concat(c.Dims).ToArray();
        Assert.Equal(new Shape(full.Select((s, i) => s * reps[i]).ToArray()), y.Shape);
        var xv = x.ToDoubleArray();
        var yv = y.ToDoubleArray();
        var yDims = y.Shape.ToArray();
        for (var i = 0; i < yv.Length; i++)
        {
            long rem = i, src = 0, mul = 1;
            for (var d = yDims.Length - 1; d >= 0; d--)
            {
                var coord = rem % yDims[d];
                rem /= yDims[d];
                src += coord % full[d] * mul;
                mul *= full[d];
            }
            Assert.Equal(xv[src], yv[i]);
        }
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(TensorArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Cpu_matches_reference_for_strided_inputs(ViewCase c)
    {
        SameOnViews(c, x => x.Flip(FlipDims(c.Dims.Length, c.Seed)));
        SameOnViews(c, x => x.Repeat(Repeats(c.Dims.Length, c.Seed)), DType.F32);
    }

    [Fact]
    public void Known_values()
    {
        var x = Tensor.Arange(24, DType.F32).Reshape(2, 3, 4);
        // torch 1.13: torch.flip(torch.arange(24.).reshape(2,3,4),[0,2])
        Verify.Values(x.Flip(0, -1), new Shape(2, 3, 4),
            [15, 14, 13, 12, 19, 18, 17, 16, 23, 22, 21, 20, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8]);
        // torch 1.13: torch.arange(24.).reshape(2,3,4)[0].repeat(2,1,2)
        Verify.Values(x.Select(0, 0).Repeat(2, 1, 2), new Shape(2, 3, 8),
            [0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 4, 5, 6, 7, 8, 9, 10, 11, 8, 9, 10, 11,
             0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 4, 5, 6, 7, 8, 9, 10, 11, 8, 9, 10, 11]);
        // torch 1.13: torch.arange(3).flip(0) -> [2, 1, 0] (int64)
        Verify.Values(Tensor.Arange(3).Flip(0), new Shape(3), [2, 1, 0]);
    }

    [Fact]
    public void Bad_arguments_are_reported()
    {
        var x = Tensor.Zeros(new Shape(2, 3));
        Throws<ArgumentOutOfRangeException>(() => x.Flip(2), "Flip", "dims");
        Throws<ArgumentException>(() => x.Flip(1, -1), "Flip", "dims");
        Throws<ShapeMismatchException>(() => x.Repeat(2), "Repeat", "repeats");
        Throws<ArgumentOutOfRangeException>(() => x.Repeat(1, -1), "Repeat", "repeats");
    }
}
