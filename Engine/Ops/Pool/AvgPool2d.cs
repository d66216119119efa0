using Scratch.Autograd;
using Scratch.Ops;

namespace Scratch;

public static partial class F
{
    /// <summary>2-D average pooling of x [N, C, H, W] (PyTorch's <c>avg_pool2d</c>).</summary>
    /// <remarks>Window (oh, ow) spans rows [oh·sh − ph, oh·sh − ph + kh) (columns alike);
    /// y = Σ in-range x / divisor with divisor = <paramref name="divisorOverride"/> if given, else the window area
    /// clipped to the padded input when
    /// <paramref name="countIncludePad"/>, else the number of in-range elements. Output size as
    /// <see cref="MaxPool2dWithIndices"/> with dilation 1. Padding may be at most half the kernel.
    /// ∂x = g / divisor spread over each window.</remarks>
    /// <param name="x">[N, C, H, W], float32 or float64.</param>
    /// <param name="kernelSize">(kh, kw) ≥ 1.</param>
    /// <param name="stride">Default: the kernel size.</param>
    /// <param name="padding">Zero padding on each side, at most half the kernel; default 0.</param>
    /// <param name="ceilMode">Round the output size up instead of down.</param>
    /// <param name="countIncludePad">Whether padded zeros count in the divisor.</param>
    /// <param name="divisorOverride">A fixed non-zero divisor.</param>
    public static Tensor AvgPool2d(Tensor x, Size2 kernelSize, Size2? stride = null, Size2? padding = null,
        bool ceilMode = false, bool countIncludePad = true, int? divisorOverride = null)
    {
        const string op = "AvgPool2d";
        PoolChecks.Input(op, x);
        if (divisorOverride == 0)
            throw new ArgumentOutOfRangeException(nameof(divisorOverride), divisorOverride,
                $"{op}: divisorOverride expected non-zero, got 0.");
        var (k, s, p) = (kernelSize, stride ?? kernelSize, padding ?? 0);
        var (oh, ow) = PoolChecks.Sliding(op, x, k, s, p, 1, ceilMode);
        var rows = PoolAxis.Sliding(x.Size(2), oh, k.H, s.H, p.H, 1);
        var cols = PoolAxis.Sliding(x.Size(3), ow, k.W, s.W, p.W, 1);
        var divisor = new double[oh * ow];
        for (var i = 0; i < oh; i++)
        for (var j = 0; j < ow; j++)
            divisor[i * ow + j] = divisorOverride ?? (countIncludePad
                ? rows.Span[i] * cols.Span[j]
                : rows.Taps[i].Length * cols.Taps[j].Length);
        return AvgPoolRecord(op, x, rows, cols, divisor);
    }

    internal static Tensor AvgPoolRecord(string op, Tensor x, PoolAxis rows, PoolAxis cols, double[] divisor)
    {
        var y = PoolKernels.AvgForward(x, rows, cols, divisor);
        var shape = x.Shape;
        return Graph.Record(y, op, [x], g => [PoolKernels.AvgBackward(g, rows, cols, divisor, shape)]);
    }
}
