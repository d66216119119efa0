using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Reduce;

/// <summary>The reduction family on non-contiguous inputs and on inputs large enough for the parallel CPU paths.
/// </summary>
public class ReduceViewTests
{
    [TensorProperty]
    public void Views_reduce_like_their_contiguous_copies(ViewCase c)
    {
        var v = c.Make();
        var copy = v.Contiguous();
        var dim = (int)(c.Seed % (ulong)v.Rank);
        if (v.Numel > 0)
        {
            Verify.Close(copy.Amax(dim), v.Amax(dim), 0, 0);
            Verify.Close(copy.Max(dim).Values, v.Max(dim).Values, 0, 0);
            Assert.Equal(copy.Argmin(dim).ToArray<long>(), v.Argmin(dim).ToArray<long>());
        }
        Verify.Close(copy.Prod(dim), v.Prod(dim), 1e-12, 1e-12);
        Verify.Close(copy.Norm(3, dim), v.Norm(3, dim), 1e-12, 1e-12);
        Verify.Close(copy.Var(dim, correction: 0), v.Var(dim, correction: 0), 1e-12, 1e-12);
        Verify.Close(copy.Cumsum(dim), v.Cumsum(dim), 1e-12, 1e-12);
        Verify.Close(copy.Cumprod(dim), v.Cumprod(dim), 1e-12, 1e-12);
    }

    [TensorProperty]
    public void Cpu_matches_reference_on_views(ViewCase c)
    {
        var dim = (int)(c.Seed % (ulong)c.Dims.Length);
        var x = c.Make();
        Verify.SameOnBackends(t => F.Norm(t[0], 2, [dim]), [x], 1e-12, 1e-10);
        Verify.SameOnBackends(t => F.Cumprod(t[0], dim), [x], 1e-12, 1e-10);
        if (x.Numel > 0) Verify.SameOnBackends(t => F.Min(t[0], dim, true).Values, [x], 0, 0);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Large_inputs_match_reference(int dim)
    {
        var x = Values.Uniform(new Shape(260, 270), 11, DType.F64, 0.9, 1.1);
        Verify.SameOnBackends(t => F.Norm(t[0], 2, [dim]), [x], 1e-12, 1e-10);
        Verify.SameOnBackends(t => F.Norm(t[0], double.PositiveInfinity, [dim]), [x], 0, 0);
        Verify.SameOnBackends(t => F.Prod(t[0], [dim]), [x], 1e-12, 1e-9);
        Verify.SameOnBackends(t => F.Cumsum(t[0], dim), [x], 1e-10, 1e-12);
        Verify.SameOnBackends(t => F.Cumprod(t[0], dim), [x], 1e-12, 1e-9);
        Verify.SameOnBackends(t => F.Max(t[0], dim).Values, [x], 0, 0);
        Verify.SameOnBackends(t => F.Amin(t[0], [dim]), [x], 0, 0);
        Verify.SameOnBackends(t => F.Std(t[0], [dim]), [x], 1e-12, 1e-9);
    }
}
