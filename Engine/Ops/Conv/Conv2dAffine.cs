using Scratch.Autograd;
using Scratch.Ops;

namespace Scratch;

public static partial class F
{
    /// <summary>A convolution followed by a per-channel affine map, an optional residual add and an optional ReLU:
    /// y = act(conv(x, weight)·scale_c + shift_c [+ residual]) with c the output channel (dim 1) — a conv with a
    /// folded eval-mode batch norm (scale = γ/√(σ² + ε), shift = β − μ·scale), as in a ResNet block.</summary>
    /// <remarks>The result equals <c>Relu(Conv2d(x, weight, null, …)·scale + shift + residual)</c> computed op by op
    /// (the same multiply, add, add and max in the same order). On Cpu tensors with no gradient to record the
    /// epilogue runs on each output block right after the GEMM that produced it (one pass fewer per step, no
    /// intermediate tensors); otherwise (gradients, the Reference or another device, empty shapes) it is that
    /// composition of differentiable ops.</remarks>
    /// <param name="x">Input [N, Cin, H, W], float32 or float64.</param>
    /// <param name="weight">Filters [Cout, Cin/groups, kh, kw].</param>
    /// <param name="scale">[Cout] per-channel factor.</param>
    /// <param name="shift">[Cout] per-channel offset.</param>
    /// <param name="residual">Optional tensor of the output's shape [N, Cout, OH, OW] added after the affine map.</param>
    /// <param name="relu">Apply max(·, 0) last.</param>
    /// <param name="stride">As <see cref="Conv2d"/>.</param>
    /// <param name="padding">As <see cref="Conv2d"/>.</param>
    /// <param name="dilation">As <see cref="Conv2d"/>.</param>
    /// <param name="groups">As <see cref="Conv2d"/>.</param>
    public static Tensor Conv2dAffine(Tensor x, Tensor weight, Tensor scale, Tensor shift, Tensor? residual = null,
        bool relu = false, Size2? stride = null, Size2? padding = null, Size2? dilation = null, int groups = 1)
    {
        const string op = "Conv2dAffine";
        var g = Conv2dGeometry(op, x, weight, null, stride, padding, dilation, groups);
        CheckChannelVector(x, scale, g.Cout, op, "scale");
        CheckChannelVector(x, shift, g.Cout, op, "shift");
        var outShape = new Shape(g.N, g.Cout, g.OH, g.OW);
        if (residual is not null)
        {
            RequireSame(x, residual, op, "residual");
            if (residual.Shape != outShape)
                throw new ShapeMismatchException(op, "residual", outShape.ToString(), residual.Shape.ToString());
        }
        Tensor[] inputs = residual is null ? [x, weight, scale, shift] : [x, weight, scale, shift, residual];
        if (x.Device.Kind == DeviceKind.Cpu && !Graph.NeedsGrad(inputs) && outShape.Numel > 0 && g.K > 0)
            return ConvKernels.ForwardAffine(x, weight, g, scale, shift, residual, relu);
        var c = ChannelShape(4, g.Cout);
        var y = Conv2d(x, weight, null, stride, padding, dilation, groups) * scale.Reshape(c) + shift.Reshape(c);
        if (residual is not null) y = y + residual;
        return relu ? Relu(y) : y;
    }
}
