using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Reduce;

public class ArgmaxTests
{
    [ReduceProperty]
    public void Cpu_matches_reference(ReduceCase c)
    {
        Verify.SameOnBackends(x => F.Argmax(x[0]), [c.Make(DType.F32)], 0, 0);
        Verify.SameOnBackends(x => F.Argmin(x[0], c.Dim, c.KeepDim), [c.Make()], 0, 0);
        // Ties: the first extreme wins on both backends.
        Verify.SameOnBackends(x => F.Argmax(x[0], c.Dim), [c.Make(DType.F64, 0, 2).To(DType.I64)], 0, 0);
    }

    [ReduceProperty]
    public void Indices_point_at_the_first_extreme(ReduceCase c)
    {
        var x = c.Make(DType.F64, 0, 3).To(DType.I64).To(DType.F64);
        var flat = x.ToDoubleArray();
        Assert.Equal(Array.IndexOf(flat, flat.Max()), x.Argmax().Item<long>());
        Assert.Equal(Array.IndexOf(flat, flat.Min()), x.Argmin().Item<long>());
        var rows = ReduceData.Rows(x, c.Dim);
        var am = x.Argmax(c.Dim, c.KeepDim);
        Assert.Equal(x.Max(c.Dim, c.KeepDim).Indices.ToArray<long>(), am.ToArray<long>());
        Assert.Equal(x.Max(c.Dim, c.KeepDim).Indices.Shape, am.Shape);
        var ai = x.Argmin(c.Dim).ToArray<long>();
        var ax = am.ToArray<long>();
        for (var r = 0; r < rows.Length; r++)
        {
            Assert.Equal(Array.IndexOf(rows[r], rows[r].Max()), ax[r]);
            Assert.Equal(Array.IndexOf(rows[r], rows[r].Min()), ai[r]);
        }
    }

    [Fact]
    public void Known_values_match_torch()
    {
        var x = Tensor.FromDoubles([1.5, -2.0, 3.25, 0.5, 4.0, -1.0], new Shape(2, 3), DType.F64);
        // torch 1.13: torch.argmax(x) -> 4, torch.argmin(x, 1) -> [1, 2], torch.argmax(x, 0, keepdim=True) -> [[0, 1, 0]]
        Assert.Equal(4L, x.Argmax().Item<long>());
        Assert.Equal(DType.I64, x.Argmax().DType);
        Assert.Equal([1L, 2L], x.Argmin(1).ToArray<long>());
        var k = x.Argmax(0, keepDim: true);
        Assert.Equal(new Shape(1, 3), k.Shape);
        Assert.Equal([0L, 1L, 0L], k.ToArray<long>());
        // torch 1.13: torch.argmax(x, keepdim=True).shape -> torch.Size([1, 1])
        Assert.Equal(new Shape(1, 1), x.Argmax(keepDim: true).Shape);
        // torch 1.13: torch.tensor([1., nan, 3.]).argmax() -> 1
        Assert.Equal(1L, Tensor.From(new[] { 1f, float.NaN, 3f }).Argmax().Item<long>());
        Assert.Equal(1L, Tensor.From(new[] { 1f, float.NaN, 3f }).Argmin().Item<long>());
    }

    [Fact]
    public void Argmax_is_not_differentiable()
    {
        var x = Tensor.From(new[] { 1.0, 2.0 }).RequiresGrad_();
        Assert.False(x.Argmax().RequiresGrad);
    }

    [Fact]
    public void Bad_input_is_rejected_with_clear_messages()
    {
        var x = Tensor.Zeros(new Shape(2, 3));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => x.Argmax(-3));
        Assert.Contains("Argmax", ex.Message);
        Assert.Equal("dim", ex.ParamName);
        // torch 1.13: torch.zeros(0, 3).argmax() raises "Expected reduction dim to be specified for input.numel() == 0"
        var empty = Assert.Throws<ArgumentException>(() => Tensor.Zeros(new Shape(0, 3)).Argmin());
        Assert.Contains("Argmin", empty.Message);
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(new Shape(0, 3)).Argmax(0));
    }
}
