using Scratch.Autograd;
using Scratch.Ops;

namespace Scratch;

public static partial class F
{
    /// <summary>Applies an elementwise <see cref="IUnaryOp"/> with its fused backward kernel.</summary>
    public static Tensor Map<TOp>(Tensor x, TOp op) where TOp : struct, IUnaryOp
    {
        RequireFloating(x, op.Name);
        var xc = x.Materialize();
        var y = Tensor.Uninitialized(x.Shape, x.DType, x.Device);
        x.Backend.Map(op, xc, y);
        if (!Graph.NeedsGrad(x)) return y;
        var sx = new SavedTensor(xc, op.Name);
        var sy = new SavedTensor(y, op.Name);
        return Graph.Record(y, op.Name, [x], g =>
        {
            var dx = Tensor.Uninitialized(g.Shape, g.DType, g.Device);
            g.Backend.MapBackward(op, sx.Get(), sy.Get(), g.Materialize(), dx);
            return [dx];
        });
    }
}
