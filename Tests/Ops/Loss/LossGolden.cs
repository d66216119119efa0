using Scratch.Tests.Properties;

namespace Scratch.Tests.Ops.Loss;

/// <summary>The fixed case the loss golden values were computed on with PyTorch 1.13 (float64):
/// inp = [[0.1, 0.7, 0.95], [0.4, 0.01, 0.5]], tgt = [[0.0, 1.0, 0.5], [1.0, 0.0, 0.3]], w = [1.0, 2.0, 0.5],
/// pos_weight = [2.0, 0.5, 1.0]; inp and tgt require grad. For reduction='none' the backward pass is
/// (l * [[1., -1., 2.], [0.5, 3., 1.]]).sum().backward(), otherwise l.backward().</summary>
public static class LossGolden
{
    public static Tensor W(Tensor like) => Tensor.FromDoubles([1.0, 2.0, 0.5], new Shape(3), DType.F64, like.Device);

    public static Tensor P(Tensor like) => Tensor.FromDoubles([2.0, 0.5, 1.0], new Shape(3), DType.F64, like.Device);

    public static void Check(Func<Tensor, Tensor, Reduction, Tensor> f, Reduction reduction, double[] loss, double[] gradInput, double[] gradTarget)
    {
        foreach (var device in new[] { Device.Cpu, Device.Reference })
        {
            var inp = Tensor.FromDoubles([0.1, 0.7, 0.95, 0.4, 0.01, 0.5], new Shape(2, 3), DType.F64, device).RequiresGrad_();
            var tgt = Tensor.FromDoubles([0.0, 1.0, 0.5, 1.0, 0.0, 0.3], new Shape(2, 3), DType.F64, device).RequiresGrad_();
            var l = f(inp, tgt, reduction);
            Verify.Close(loss, l.ToDoubleArray(), 1e-14, 1e-12, $"loss on {device}");
            var total = reduction == Reduction.None
                ? (l * Tensor.FromDoubles([1, -1, 2, 0.5, 3, 1], new Shape(2, 3), DType.F64, device)).Sum()
                : l;
            total.Backward();
            Verify.Close(gradInput, inp.Grad!.ToDoubleArray(), 1e-14, 1e-12, $"input gradient on {device}");
            Verify.Close(gradTarget, tgt.Grad!.ToDoubleArray(), 1e-14, 1e-12, $"target gradient on {device}");
        }
    }
}
