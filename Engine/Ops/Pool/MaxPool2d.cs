using Scratch.Autograd;
using Scratch.Ops;

namespace Scratch;

public static partial class F
{
    /// <summary>2-D max pooling of x [N, C, H, W] (PyTorch's <c>max_pool2d</c>); see
    /// <see cref="MaxPool2dWithIndices"/>.</summary>
    public static Tensor MaxPool2d(Tensor x, Size2 kernelSize, Size2? stride = null, Size2? padding = null,
        Size2? dilation = null, bool ceilMode = false) =>
        MaxPool2dWithIndices(x, kernelSize, stride, padding, dilation, ceilMode).Output;

    /// <summary>2-D max pooling that also returns the arg-max of every window as I64 flat indices h·W + w into its
    /// input plane (PyTorch's <c>return_indices=True</c>).</summary>
    /// <remarks>Window (oh, ow) covers rows oh·sh − ph + i·dh, i &lt; kh (columns alike); padding counts as −∞, so
    /// only in-range elements compete. NaN propagates; ties keep the first element in row-major order.
    /// OH = ⌊(H + 2ph − dh·(kh − 1) − 1 (+ sh − 1 with ceilMode)) / sh⌋ + 1, and with ceilMode the last window
    /// must start inside the input or the left padding. Padding may be at most half the kernel. The gradient
    /// goes to each window's arg-max (accumulating where windows share it).</remarks>
    /// <param name="x">[N, C, H, W], float32 or float64.</param>
    /// <param name="kernelSize">(kh, kw) ≥ 1.</param>
    /// <param name="stride">Default: the kernel size.</param>
    /// <param name="padding">Implicit −∞ on each side, at most half the kernel; default 0.</param>
    /// <param name="dilation">Spacing of window taps; default 1.</param>
    /// <param name="ceilMode">Round the output size up instead of down.</param>
    public static (Tensor Output, Tensor Indices) MaxPool2dWithIndices(Tensor x, Size2 kernelSize, Size2? stride = null,
        Size2? padding = null, Size2? dilation = null, bool ceilMode = false)
    {
        const string op = "MaxPool2d";
        PoolChecks.Input(op, x);
        var (k, s, p, d) = (kernelSize, stride ?? kernelSize, padding ?? 0, dilation ?? 1);
        var (oh, ow) = PoolChecks.Sliding(op, x, k, s, p, d, ceilMode);
        var rows = PoolAxis.Sliding(x.Size(2), oh, k.H, s.H, p.H, d.H);
        var cols = PoolAxis.Sliding(x.Size(3), ow, k.W, s.W, p.W, d.W);
        return MaxPoolRecord(op, x, rows, cols);
    }

    internal static (Tensor Output, Tensor Indices) MaxPoolRecord(string op, Tensor x, PoolAxis rows, PoolAxis cols)
    {
        var (y, idx) = PoolKernels.MaxForward(x, rows, cols);
        var shape = x.Shape;
        y = Graph.Record(y, op, [x], g => [PoolKernels.MaxBackward(g, idx, shape)]);
        return (y, idx);
    }
}
