using System.Numerics;
using Scratch.Autograd;
using Scratch.Backends.Gpu;

namespace Scratch;

public static partial class F
{
    /// <summary>The unreduced Smooth L1 loss on a GPU device: one fused kernel forward (no Where, which has only host
    /// kernels) and one backward; the values and gradients are those of the composite host graph
    /// (∂/∂target = −∂/∂input).</summary>
    private static Tensor SmoothL1Gpu(Tensor input, Tensor target, double beta) =>
        input.DType == DType.F32 ? SmoothL1Gpu<float>(input, target, beta) : SmoothL1Gpu<double>(input, target, beta);

    private static Tensor SmoothL1Gpu<T>(Tensor input, Tensor target, double beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const string op = "SmoothL1Loss";
        var backend = GpuRuntime.BackendFor(input.Device);
        var (b, q, l) = (T.CreateChecked(beta), T.CreateChecked(0.5 / beta), T.CreateChecked(0.5 * beta));
        var (x, t) = (input.Detach().Materialize(), target.Detach().Materialize());
        var y = Tensor.Empty(input.Shape, input.DType, input.Device);
        backend.SmoothL1(x, t, y, b, q, l, op);
        if (!Graph.NeedsGrad(input, target)) return y;
        var (sx, st) = (new SavedTensor(input, op), new SavedTensor(target, op));
        return Graph.Record(y, op, [input, target], g =>
        {
            var dx = Tensor.Empty(input.Shape, input.DType, input.Device);
            backend.SmoothL1Backward(sx.Get().Detach().Materialize(), st.Get().Detach().Materialize(), g.Materialize(),
                dx, b, q, op);
            return [input.RequiresGrad ? dx : null, target.RequiresGrad ? -dx : null];
        });
    }
}
