using Scratch.Autograd;
using Scratch.Tests.Properties;
using Xunit;
using static Scratch.Tests.Ops.ShapeOps.ShapeCheck;

namespace Scratch.Tests.Ops.Indexing;

public class TensorIndexTests
{
    private static Tensor X => Tensor.Arange(24, DType.F64).Reshape(2, 3, 4);

    [Fact]
    public void Basic_indexing_matches_torch()
    {
        // torch 1.13: x = torch.arange(24.).reshape(2,3,4); x[1, 1:-1, ::2] -> [1, 2] [16.0, 18.0]
        Verify.Values(X[1, 1..^1, TensorIndex.Slice(null, null, 2)], new Shape(1, 2), [16, 18]);
        // torch 1.13: x[..., -1]
        Verify.Values(X[TensorIndex.Ellipsis, -1], new Shape(2, 3), [3, 7, 11, 15, 19, 23]);
        // torch 1.13: x[None, 0, :, 1:3]
        Verify.Values(X[TensorIndex.NewAxis, 0, .., 1..3], new Shape(1, 3, 2), [1, 2, 5, 6, 9, 10]);
        Verify.Values(X[^1, ^1, ^1], new Shape(), [23]);
        Assert.Same(X.Storage.GetType(), X[0].Storage.GetType());
        var x = X;
        Assert.Same(x.Storage, x[1, 1..].Storage);
    }

    [Fact]
    public void Advanced_indexing_matches_torch()
    {
        // torch 1.13: x[:, torch.tensor([[2,0],[1,1]])] -> shape [2, 2, 2, 4]
        var y = X[.., Tensor.From(new long[] { 2, 0, 1, 1 }, new Shape(2, 2))];
        Verify.Values(y, new Shape(2, 2, 2, 4),
            [8, 9, 10, 11, 0, 1, 2, 3, 4, 5, 6, 7, 4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 16, 17, 18, 19, 16, 17, 18, 19]);
        // torch 1.13: x[:, torch.tensor([True,False,True])]
        Verify.Values(X[.., Tensor.From(new[] { true, false, true })], new Shape(2, 2, 4),
            [0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 20, 21, 22, 23]);
        // torch 1.13: x[torch.tensor([[True,False,True],[False,False,True]])]
        Verify.Values(X[Tensor.From(new[] { true, false, true, false, false, true }, new Shape(2, 3))], new Shape(3, 4),
            [0, 1, 2, 3, 8, 9, 10, 11, 20, 21, 22, 23]);
        // torch 1.13: x[0, -3:, torch.tensor([-1, 0])]
        Verify.Values(X[0, ^3.., Tensor.From(new long[] { -1, 0 })], new Shape(3, 2), [3, 0, 7, 4, 11, 8]);
    }

    [TensorProperty]
    public void Index_gradient_matches_finite_differences(ShapeCase c)
    {
        var dims = AtLeast1D(c.Dims);
        var g = new Generator(c.Seed + 1);
        var d = Pick(g, 0, dims.Length - 1);
        var n = dims[d];
        var x = Values.Uniform(new Shape(dims), c.Seed, DType.F64, -2, 2);
        var entries = new List<TensorIndex>();
        for (var i = 0; i < d; i++) entries.Add(..);
        if (n > 0 && g.NextDouble() < 0.5)
        {
            entries.Add(Pick(g, -n, n - 1));
        }
        else
        {
            var picks = Enumerable.Range(0, Pick(g, 0, 4)).Select(_ => n == 0 ? 0L : Pick(g, -n, n - 1)).ToArray();
            entries.Add(n == 0 ? Tensor.From(new bool[0]) : Tensor.From(picks));
        }
        entries.Add(TensorIndex.Ellipsis);
        entries.Add(TensorIndex.NewAxis);
        var index = entries.ToArray();
        Verify.Gradients(t => t[0][index], x);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(TensorArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Cpu_matches_reference_for_strided_inputs(ViewCase c)
    {
        var last = c.Dims[^1];
        SameOnViews(c, x => x[TensorIndex.Ellipsis, TensorIndex.Slice(-3, null, 2), TensorIndex.NewAxis]);
        if (last > 0)
        {
            var mask = Tensor.From(Enumerable.Range(0, last).Select(i => (i + (int)(c.Seed % 3)) % 2 == 0).ToArray());
            SameOnViews(c, x => x[TensorIndex.Ellipsis, mask.To(x.Device)]);
            SameOnViews(
                c, x => x[TensorIndex.Ellipsis, Tensor.From(new long[] { -1, 0, -1 }, new Shape(3, 1)).To(x.Device)],
                DType.F32);
        }
    }

    [Fact]
    public void Setting_writes_in_place_like_torch()
    {
        // torch 1.13: x = torch.arange(12.).reshape(3,4); x[1:, ::2] = torch.tensor([-1., -2.]); x[0, torch.tensor([3,
        //             -4])] = 9.; x[x > 9] = 0.
        //             -> [9, 1, 2, 9, -1, 5, -2, 7, -1, 9, -2, 0]
        var x = Tensor.Arange(12, DType.F32).Reshape(3, 4);
        var version = x.Storage.Version;
        x[1.., TensorIndex.Slice(null, null, 2)] = Tensor.From(new float[] { -1, -2 });
        Assert.True(x.Storage.Version > version);
        x[0, Tensor.From(new long[] { 3, -4 })] = Tensor.Scalar(9);
        x[Tensor.From(x.ToArray<float>().Select(v => v > 9).ToArray(), new Shape(3, 4))] = Tensor.Scalar(0);
        Verify.Values(x, new Shape(3, 4), [9, 1, 2, 9, -1, 5, -2, 7, -1, 9, -2, 0]);

        // torch 1.13: t = torch.arange(6.).reshape(2,3).T; t[:,1] = -5 -> [0, -5, 1, -5, 2, -5] (a non-contiguous
        //             target)
        var t = Tensor.Arange(6, DType.F64).Reshape(2, 3).T;
        t[.., 1] = Tensor.Scalar(-5, DType.F64);
        Verify.Values(t, new Shape(3, 2), [0, -5, 1, -5, 2, -5]);

        var leaf = Tensor.Zeros(new Shape(2), DType.F64).RequiresGrad_();
        Throws<AutogradException>(() => leaf[0] = Tensor.Scalar(1, DType.F64), "IndexPut_");
    }

    [Fact]
    public void Bad_indices_are_reported()
    {
        var x = X;
        Throws<ArgumentOutOfRangeException>(() => _ = x[2], "Select", "index", "2", "[-2, 1]");
        Throws<ArgumentOutOfRangeException>(
            () => _ = x[0, Tensor.From(new long[] { 3 })], "Index", "index", "3", "[-3, 2]");
        Throws<ShapeMismatchException>(() => _ = x[0, 0, 0, 0], "Index", "indices");
        Throws<ArgumentException>(() => _ = x[TensorIndex.Ellipsis, 0, TensorIndex.Ellipsis], "Ellipsis");
        Throws<ShapeMismatchException>(() => _ = x[Tensor.From(new[] { true, false, true })], "Index", "mask");
        Throws<DTypeMismatchException>(() => _ = x[Tensor.From(new float[] { 1 })], "Index", "index", "float32");
        Throws<ArgumentOutOfRangeException>(() => TensorIndex.Slice(0, 2, 0), "step");
        Throws<ArgumentOutOfRangeException>(() => _ = x[^0], "^0");
    }
}
