using Scratch.Autograd;
using Scratch.Tests.Properties;
using Xunit;
using static Scratch.Tests.Ops.ShapeOps.ShapeCheck;

namespace Scratch.Tests.Ops.Indexing;

public class IndexSelectTests
{
    private static (int Dim, Tensor Index) Args(int[] dims, ulong seed)
    {
        var g = new Generator(seed + 21);
        var d = Pick(g, 0, dims.Length - 1);
        var n = dims[d];
        var picks = n == 0 ? [] : Enumerable.Range(0, Pick(g, 0, 5)).Select(_ => (long)Pick(g, 0, n - 1)).ToArray();
        return (d, Tensor.From(picks));
    }

    [TensorProperty]
    public void Gradients_match_finite_differences(ShapeCase c)
    {
        var dims = AtLeast1D(c.Dims);
        var (d, index) = Args(dims, c.Seed);
        var x = Values.Uniform(new Shape(dims), c.Seed, DType.F64, -2, 2);
        Verify.Gradients(t => t[0].IndexSelect(d, index), x);
        var srcDims = (int[])dims.Clone();
        srcDims[d] = (int)index.Numel;
        var src = Values.Uniform(new Shape(srcDims), c.Seed + 1, DType.F64, -2, 2);
        Verify.Gradients(t => t[0].IndexAdd(d, index, t[1], 1.5), x, src);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(TensorArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Cpu_matches_reference_for_strided_inputs(ViewCase c)
    {
        var (d, index) = Args(c.Dims, c.Seed);
        SameOnViews(c, x => x.IndexSelect(d, index.To(x.Device)));
        SameOnViews(c, x => x.IndexSelect(d, index.To(x.Device)), DType.F32);
        var srcDims = (int[])c.Dims.Clone();
        srcDims[d] = (int)index.Numel;
        SameOnViews(c, x => Tensor.Zeros(new Shape(c.Dims), x.DType, x.Device).IndexAdd(d, index.To(x.Device), x.Sum().Expand(srcDims) * 1));
        Verify.SameOnBackends(t => t[0].IndexAdd(d, t[2], Stepped(t[1])),
            [c.Make(), Values.Uniform(new Shape(srcDims), c.Seed, DType.F64, -1, 1), index]);
    }

    [TensorProperty]
    public void Index_add_of_an_index_select_on_a_permutation_restores_the_input(ShapeCase c)
    {
        var dims = AtLeast1D(c.Dims);
        var d = (int)(c.Seed % (ulong)dims.Length);
        var x = Values.Uniform(new Shape(dims), c.Seed, DType.F64, -2, 2);
        var perm = Tensor.Randperm(dims[d], new Generator(c.Seed));
        var picked = x.IndexSelect(d, perm);
        Verify.Close(x, Tensor.ZerosLike(x).IndexAdd(d, perm, picked), 0, 0);
    }

    [Fact]
    public void Known_values()
    {
        var b = Tensor.Arange(12, DType.F32).Reshape(3, 4);
        // torch 1.13: torch.index_select(torch.arange(12.).reshape(3,4),1,torch.tensor([3,0,3]))
        Verify.Values(
            b.IndexSelect(1, Tensor.From(new long[] { 3, 0, 3 })), new Shape(3, 3), [3, 0, 3, 7, 4, 7, 11, 8, 11]);
        // torch 1.13: torch.ones(3,4).index_add(0,torch.tensor([2,0,2]),torch.arange(12.).reshape(3,4), alpha=2)
        var y = Tensor.Ones(new Shape(3, 4)).IndexAdd(0, Tensor.From(new long[] { 2, 0, 2 }), b, 2);
        Verify.Values(y, new Shape(3, 4), [9, 11, 13, 15, 1, 1, 1, 1, 17, 21, 25, 29]);
    }

    [Fact]
    public void In_place_index_add_writes_and_bumps_the_version()
    {
        var t = Tensor.Ones(new Shape(3, 4));
        var v = t.Storage.Version;
        var r = t.IndexAdd_(0, Tensor.From(new long[] { 2, 0, 2 }), Tensor.Arange(12, DType.F32).Reshape(3, 4), 2);
        Assert.Same(t, r);
        Assert.True(t.Storage.Version > v);
        Verify.Values(t, new Shape(3, 4), [9, 11, 13, 15, 1, 1, 1, 1, 17, 21, 25, 29]);
        var w = Tensor.Ones(new Shape(2), DType.F64).RequiresGrad_();
        Assert.Throws<AutogradException>(() => w.IndexAdd_(0, Tensor.From(new long[] { 0 }), Tensor.Ones(new Shape(1), DType.F64)));
    }

    [Fact]
    public void Bad_arguments_are_reported()
    {
        var x = Tensor.Zeros(new Shape(3, 4));
        Throws<ArgumentOutOfRangeException>(
            () => x.IndexSelect(1, Tensor.From(new long[] { 0, 4 })), "IndexSelect", "index", "4", "[0, 3]");
        Throws<ArgumentOutOfRangeException>(
            () => x.IndexSelect(0, Tensor.From(new long[] { -1 })), "IndexSelect", "index", "-1", "[0, 2]");
        Throws<ShapeMismatchException>(
            () => x.IndexSelect(0, Tensor.From(new long[] { 0 }, new Shape(1, 1))), "IndexSelect", "index");
        Throws<DTypeMismatchException>(() => x.IndexSelect(0, Tensor.From(new float[] { 0 })), "IndexSelect", "index");
        Throws<ShapeMismatchException>(
            () => x.IndexAdd(0, Tensor.From(new long[] { 0 }), Tensor.Zeros(new Shape(2, 4))), "IndexAdd", "source",
            "[1, 4]");
        Throws<ArgumentOutOfRangeException>(
            () => x.IndexAdd(0, Tensor.From(new long[] { 3 }), Tensor.Zeros(new Shape(1, 4))), "IndexAdd", "index",
            "3");
    }
}
