using Scratch.Autograd;
using Scratch.NN;

namespace Scratch.Models.Common.Backbones;

/// <summary>The conv → batch norm [→ + residual] [→ ReLU] step of the ResNet blocks. In inference (grad mode off,
/// the norm in eval mode or frozen, a bias-free conv on the Cpu device) the norm folds into a per-channel scale and
/// shift and the whole step is one <see cref="F.Conv2dAffine"/>, whose epilogue runs while each output block is in
/// cache; otherwise the layers run one after the other. Both give the same values.</summary>
internal static class ConvBn
{
    /// <summary>act(norm(conv(x)) [+ residual]).</summary>
    public static Tensor Forward(Conv2d conv, Module<Tensor, Tensor> norm, Tensor x, Tensor? residual = null,
        bool relu = false)
    {
        if (conv.Bias is null && !GradMode.IsEnabled && x.Device.Kind == DeviceKind.Cpu
            && Fold(norm) is var (scale, shift) && scale.Length == conv.OutChannels)
        {
            var c = new Shape(scale.Length);
            return F.Conv2dAffine(x, conv.Weight, Tensor.FromDoubles(scale, c, x.DType, x.Device),
                Tensor.FromDoubles(shift, c, x.DType, x.Device), residual, relu, conv.Stride, conv.Padding,
                conv.Dilation, conv.Groups);
        }
        var y = norm.Forward(conv.Forward(x));
        if (residual is not null) y = y + residual;
        return relu ? F.Relu(y) : y;
    }

    /// <summary>The shortcut of a block: the projection (conv, norm) when there is one, else x.</summary>
    public static Tensor Shortcut(Sequential? downsample, Tensor x) =>
        downsample is { Count: 2 } && downsample[0] is Conv2d conv ? Forward(conv, downsample[1], x)
        : downsample?.Forward(x) ?? x;

    /// <summary>The per-channel (scale, shift) of a norm that uses fixed statistics — an eval-mode
    /// <see cref="BatchNorm2d"/> with running statistics or a <see cref="FrozenBatchNorm2d"/> — computed as their
    /// own forward computes it: scale = γ/√(σ² + ε), shift = β − μ·scale; null for any other norm.</summary>
    private static (double[] Scale, double[] Shift)? Fold(Module<Tensor, Tensor> norm) => norm switch
    {
        BatchNorm2d { Training: false, RunningMean: { } m, RunningVar: { } v } bn =>
            Fold(bn.Weight, bn.Bias, m, v, bn.Eps),
        FrozenBatchNorm2d f => Fold(f.Weight, f.Bias, f.RunningMean, f.RunningVar, f.Eps),
        _ => null,
    };

    private static (double[], double[]) Fold(Tensor? weight, Tensor? bias, Tensor mean, Tensor variance, double eps)
    {
        var (m, v) = (Doubles(mean)!, Doubles(variance)!);
        var (w, b) = (Doubles(weight), Doubles(bias));
        var (scale, shift) = (new double[m.Length], new double[m.Length]);
        for (var c = 0; c < m.Length; c++)
        {
            scale[c] = (w?[c] ?? 1) / Math.Sqrt(v[c] + eps);
            shift[c] = (b?[c] ?? 0) - m[c] * scale[c];
        }
        return (scale, shift);
    }

    private static double[]? Doubles(Tensor? t) => t?.Detach().To(DType.F64).ToArray<double>();
}
