using Scratch.Tests.Properties;
using Xunit;
using static Scratch.Tests.Ops.ShapeOps.ShapeCheck;

namespace Scratch.Tests.Ops.ShapeOps;

public class SliceTests
{
    private static (int Dim, int? Start, int? End, int Step) SliceArgs(int[] dims, ulong seed)
    {
        var g = new Generator(seed + 11);
        var dim = Pick(g, 0, dims.Length - 1);
        var n = dims[dim];
        int? start = g.NextDouble() < 0.2 ? null : Pick(g, -n - 2, n + 2);
        int? end = g.NextDouble() < 0.2 ? null : Pick(g, -n - 2, n + 2);
        return (dim - (g.NextDouble() < 0.5 ? dims.Length : 0), start, end, Pick(g, 1, 3));
    }

    /// <summary>Python's slice semantics, written out independently: the selected positions.</summary>
    private static int[] PythonSlice(int n, int? start, int? end, int step)
    {
        int Norm(int v) => Math.Min(Math.Max(v < 0 ? v + n : v, 0), n);
        var s = start is { } a ? Norm(a) : 0;
        var e = end is { } b ? Norm(b) : n;
        var r = new List<int>();
        for (var i = s; i < e; i += step) r.Add(i);
        return r.ToArray();
    }

    [TensorProperty]
    public void Slice_gradient_matches_finite_differences(ShapeCase c)
    {
        var dims = AtLeast1D(c.Dims);
        var (dim, start, end, step) = SliceArgs(dims, c.Seed);
        Verify.Gradients(
            x => x[0].Slice(dim, start, end, step), Values.Uniform(new Shape(dims), c.Seed, DType.F64, -2, 2));
    }

    [TensorProperty]
    public void Slice_matches_python_slicing_via_index_select(ShapeCase c)
    {
        var dims = AtLeast1D(c.Dims);
        var (dim, start, end, step) = SliceArgs(dims, c.Seed);
        var x = Values.Uniform(new Shape(dims), c.Seed, DType.F64, -2, 2);
        var d = dim < 0 ? dim + dims.Length : dim;
        var expected = x.IndexSelect(
            d, Tensor.From(PythonSlice(dims[d], start, end, step).Select(i => (long)i).ToArray()));
        var y = x.Slice(dim, start, end, step);
        Verify.Close(expected, y, 0, 0);
        Assert.Same(x.Storage, y.Storage);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(TensorArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Views_match_on_both_backends_for_strided_inputs(ViewCase c)
    {
        var (dim, start, end, step) = SliceArgs(c.Dims, c.Seed);
        SameOnViews(c, x => x.Slice(dim, start, end, step));
        var g = new Generator(c.Seed);
        var d = Pick(g, 0, c.Dims.Length - 1);
        if (c.Dims[d] > 0)
        {
            var i = Pick(g, -c.Dims[d], c.Dims[d] - 1);
            SameOnViews(c, x => x.Select(d, i));
            var s = Pick(g, 0, c.Dims[d]);
            var len = Pick(g, 0, c.Dims[d] - s);
            SameOnViews(c, x => x.Narrow(d, s, len), DType.F32);
        }
    }

    [TensorProperty]
    public void Select_and_narrow_gradients_match_finite_differences(ShapeCase c)
    {
        var dims = AtLeast1D(c.Dims).Select(s => Math.Max(s, 1)).ToArray();
        var g = new Generator(c.Seed + 3);
        var d = Pick(g, 0, dims.Length - 1);
        var i = Pick(g, -dims[d], dims[d] - 1);
        var s = Pick(g, -dims[d], dims[d] - 1);
        var len = Pick(g, 0, dims[d] - (s < 0 ? s + dims[d] : s));
        var x = Values.Uniform(new Shape(dims), c.Seed, DType.F64, -2, 2);
        Verify.Gradients(t => t[0].Select(d, i), x);
        Verify.Gradients(t => t[0].Narrow(d, s, len) * 2, x);
    }

    [TensorProperty]
    public void Unbind_then_stack_round_trips(ShapeCase c)
    {
        var dims = AtLeast1D(c.Dims);
        var x = Values.Uniform(new Shape(dims), c.Seed, DType.F64, -2, 2);
        var d = (int)(c.Seed % (ulong)dims.Length);
        var parts = x.Unbind(d);
        Assert.Equal(dims[d], parts.Length);
        if (parts.Length > 0) Verify.Close(x, F.Stack(parts, d), 0, 0);
    }

    [Fact]
    public void Known_values()
    {
        // torch 1.13: torch.arange(10.)[-7:-1:3] -> [3.0, 6.0]
        Verify.Values(Tensor.Arange(10, DType.F64).Slice(0, -7, -1, 3), new Shape(2), [3, 6]);
        // torch 1.13: torch.arange(10.).reshape(2,5).narrow(1,-3,2) -> [2.0, 3.0, 7.0, 8.0]
        Verify.Values(Tensor.Arange(10, DType.F64).Reshape(2, 5).Narrow(1, -3, 2), new Shape(2, 2), [2, 3, 7, 8]);
        // torch 1.13: torch.arange(10.).reshape(2,5).select(1,-1) -> [4.0, 9.0]
        Verify.Values(Tensor.Arange(10, DType.F64).Reshape(2, 5).Select(1, -1), new Shape(2), [4, 9]);
        // torch 1.13: torch.arange(5.)[7:9].shape -> [0]
        Verify.Values(Tensor.Arange(5, DType.F64).Slice(0, 7, 9), new Shape(0), []);
        // torch 1.13: torch.arange(6.).reshape(2,3).unbind(1) -> [0, 3], [1, 4], [2, 5]
        var columns = Tensor.Arange(6, DType.F64).Reshape(2, 3).Unbind(1);
        Assert.Equal(3, columns.Length);
        Verify.Values(columns[2], new Shape(2), [2, 5]);
    }

    [Fact]
    public void Gradient_is_scattered_into_zeros()
    {
        var x = Tensor.Arange(6, DType.F64).Reshape(2, 3).Detach().RequiresGrad_();
        // torch 1.13: x = torch.arange(6.).reshape(2,3).requires_grad_(); (x[:, ::2]*3).sum().backward(); x.grad
        (x.Slice(1, 0, null, 2) * 3).Sum().Backward();
        Verify.Values(x.Grad!, new Shape(2, 3), [3, 0, 3, 3, 0, 3]);
    }

    [Fact]
    public void Bad_arguments_are_reported()
    {
        var x = Tensor.Zeros(new Shape(2, 5));
        Throws<ArgumentOutOfRangeException>(() => x.Select(1, 5), "Select", "index", "5", "[-5, 4]");
        Throws<ArgumentOutOfRangeException>(() => x.Select(0, -3), "Select", "index", "-3", "[-2, 1]");
        Throws<ArgumentOutOfRangeException>(() => x.Slice(1, 0, 3, 0), "Slice", "step");
        Throws<ArgumentOutOfRangeException>(() => x.Slice(2, 0, 3), "Slice", "dim");
        Throws<ArgumentOutOfRangeException>(() => x.Narrow(1, 3, 3), "Narrow", "length", "[0, 2]");
        Throws<ArgumentOutOfRangeException>(() => x.Narrow(1, -6, 1), "Narrow", "start", "[-5, 5]");
        Throws<ShapeMismatchException>(() => Tensor.Scalar(1).Select(0, 0), "Select", "input");
    }
}
