using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.ShapeOps;

public class ContiguousTests
{
    [TensorProperty]
    public void Gradient_flows_through_unchanged(ShapeCase c)
    {
        Verify.Gradients(x => x[0].Permute(Enumerable.Range(0, c.Dims.Length).Reverse().ToArray()).Contiguous() * 2, c.Make());
        Verify.Gradients(x => x[0].Clone() * 2, c.Make());
    }

    [TensorProperty]
    public void Copies_any_view_identically_on_both_backends(ViewCase c)
    {
        ShapeCheck.SameOnViews(c, x => x.Contiguous());
        ShapeCheck.SameOnViews(c, x => x.Clone(), DType.F32);
        var v = c.Make();
        Assert.True(v.Contiguous().IsContiguous);
        Assert.Equal(v.ToDoubleArray(), v.Contiguous().ToDoubleArray());
    }

    [Fact]
    public void Clone_owns_its_storage_and_contiguous_returns_itself_when_possible()
    {
        var x = Tensor.Arange(4).Reshape(2, 2);
        Assert.Same(x, x.Contiguous());
        var c = x.Clone();
        Assert.NotSame(x.Storage, c.Storage);
        x.Add_(10);
        Assert.Equal([0L, 1, 2, 3], c.ToArray<long>());
    }
}
