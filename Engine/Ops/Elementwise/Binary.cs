using Scratch.Ops;

namespace Scratch;

public static partial class F
{
    /// <summary>y = op(a, b) with broadcasting, no recording; checks dtype and device agreement.</summary>
    internal static Tensor ZipForward<TOp>(Tensor a, Tensor b, TOp op) where TOp : struct, IBinaryOp
    {
        RequireSame(a, b, op.Name);
        var shape = Shape.Broadcast(a.Shape, b.Shape, op.Name);
        var y = Tensor.Uninitialized(shape, a.DType, a.Device);
        var dims = shape.ToArray();
        a.Backend.Zip(op, a.Detach().Expand(dims), b.Detach().Expand(dims), y);
        return y;
    }

    /// <summary>Bool result of predicate <paramref name="op"/> with broadcasting (never differentiable).</summary>
    internal static Tensor CompareForward<TOp>(Tensor a, Tensor b, TOp op) where TOp : struct, ICompareOp
    {
        RequireSame(a, b, op.Name);
        var shape = Shape.Broadcast(a.Shape, b.Shape, op.Name);
        var y = Tensor.Empty(shape, DType.Bool, a.Device);
        var dims = shape.ToArray();
        a.Backend.Compare(op, a.Detach().Expand(dims), b.Detach().Expand(dims), y);
        return y;
    }
}
