using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.ShapeOps;

public class ExpandTests
{
    [TensorProperty]
    public void Gradient_sums_over_broadcast_dims(BroadcastCase c)
    {
        var target = Shape.Broadcast(new Shape(c.A), new Shape(c.B)).ToArray();
        Verify.Gradients(x => x[0].Expand(target) * 2, Values.Uniform(new Shape(c.A), c.Seed, DType.F64, -1, 1));
        Verify.Gradients(x => x[0].SumToShape(new Shape(c.A)), Values.Uniform(new Shape(target), c.Seed, DType.F64, -1, 1));
    }

    [TensorProperty]
    public void Cpu_matches_reference(BroadcastCase c)
    {
        var target = Shape.Broadcast(new Shape(c.A), new Shape(c.B)).ToArray();
        Verify.SameOnBackends(x => x[0].Expand(target).Contiguous() * 1.5, [Values.Uniform(new Shape(c.A), c.Seed, DType.F64, -1, 1)]);
    }

    [Fact]
    public void Expanded_view_has_zero_strides_and_no_copy()
    {
        var x = Tensor.From(new float[] { 1, 2, 3 }).Reshape(3, 1);
        var e = x.Expand(2, 3, 4);
        Assert.Same(x.Storage, e.Storage);
        Assert.Equal([0L, 1, 0], e.Strides.ToArray());
        Assert.Equal(new Shape(3, 4), x.Expand(-1, 4).Shape);
        // torch 1.13: torch.tensor([[1.],[2.],[3.]]).expand(3, 2).contiguous().flatten() -> [1, 1, 2, 2, 3, 3]
        Verify.Values(x.Expand(3, 2).Contiguous().Reshape(-1), new Shape(6), [1, 1, 2, 2, 3, 3]);
    }

    [Fact]
    public void Non_broadcastable_target_is_reported()
    {
        var x = Tensor.Zeros(new Shape(3, 2));
        var ex = Assert.Throws<ShapeMismatchException>(() => x.Expand(3, 4));
        Assert.Contains("[3, 4]", ex.Message);
        Assert.Throws<ShapeMismatchException>(() => x.Expand(2));
    }
}
