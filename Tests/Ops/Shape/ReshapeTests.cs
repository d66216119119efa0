using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.ShapeOps;

public class ReshapeTests
{
    [TensorProperty]
    public void Gradient_matches_finite_differences(ShapeCase c)
    {
        Verify.Gradients(x => x[0].Reshape(-1) * 2, c.Make());
        Verify.Gradients(x => x[0].Unsqueeze(0).Flatten() * 3, c.Make());
        Verify.Gradients(x => x[0].Squeeze().Exp(), c.Make());
    }

    [TensorProperty]
    public void Reshape_of_a_strided_view_matches_reference(ViewCase c)
    {
        ShapeCheck.SameOnViews(c, x => x.Reshape(-1) * 2);
        ShapeCheck.SameOnViews(c, x => x.Unsqueeze(1).Squeeze(1).Flatten(0, -1));
    }

    [Fact]
    public void View_shares_storage_and_reshape_of_transposed_copies()
    {
        var x = Tensor.Arange(6).Reshape(2, 3);
        Assert.Same(x.Storage, x.View(3, 2).Storage);
        var t = x.T.Reshape(6);
        Assert.NotSame(x.Storage, t.Storage);
        // torch 1.13: torch.arange(6).reshape(2, 3).t().reshape(6) -> [0, 3, 1, 4, 2, 5]
        Assert.Equal([0L, 3, 1, 4, 2, 5], t.ToArray<long>());
        Assert.Equal(new Shape(2, 1, 3), x.Unsqueeze(1).Shape);
        Assert.Equal(new Shape(2, 3, 1), x.Unsqueeze(-1).Shape);
        Assert.Equal(new Shape(3), Tensor.Zeros(new Shape(1, 3, 1)).Squeeze().Shape);
        Assert.Equal(new Shape(3, 1), Tensor.Zeros(new Shape(1, 3, 1)).Squeeze(0).Shape);
        Assert.Equal(new Shape(2, 12), Tensor.Zeros(new Shape(2, 3, 4)).Flatten(1).Shape);
    }

    [Fact]
    public void Bad_shapes_are_reported()
    {
        var x = Tensor.Zeros(new Shape(2, 3));
        Assert.Contains("6 elements", Assert.Throws<ShapeMismatchException>(() => x.Reshape(4)).Message);
        Assert.Contains("contiguous", Assert.Throws<ShapeMismatchException>(() => x.T.View(6)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Unsqueeze(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Flatten(1, 0));
    }
}
