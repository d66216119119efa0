using Scratch.Ops;

namespace Scratch;

public static partial class F
{
    /// <summary>Adaptive 2-D average pooling to a fixed [OH, OW] (PyTorch's <c>adaptive_avg_pool2d</c>).</summary>
    /// <remarks>Output row i averages input rows [⌊i·H/OH⌋, ⌈(i+1)·H/OH⌉) (columns alike); windows may overlap when
    /// the sizes do not divide, and OH may exceed H. ∂x spreads g / window area over each window.</remarks>
    public static Tensor AdaptiveAvgPool2d(Tensor x, Size2 outputSize)
    {
        const string op = "AdaptiveAvgPool2d";
        var (rows, cols) = AdaptiveAxes(op, x, outputSize);
        var divisor = new double[rows.OutSize * cols.OutSize];
        for (var i = 0; i < rows.OutSize; i++)
        for (var j = 0; j < cols.OutSize; j++)
            divisor[i * cols.OutSize + j] = rows.Span[i] * cols.Span[j];
        return AvgPoolRecord(op, x, rows, cols, divisor);
    }

    /// <summary>Adaptive 2-D max pooling to [OH, OW] (PyTorch's <c>adaptive_max_pool2d</c>); windows as in
    /// <see cref="AdaptiveAvgPool2d"/>, gradient to each window's arg-max.</summary>
    public static Tensor AdaptiveMaxPool2d(Tensor x, Size2 outputSize) => AdaptiveMaxPool2dWithIndices(x,
        outputSize).Output;

    /// <summary><see cref="AdaptiveMaxPool2d"/> also returning the I64 arg-max flat indices h·W + w per
    /// plane.</summary>
    public static (Tensor Output, Tensor Indices) AdaptiveMaxPool2dWithIndices(Tensor x, Size2 outputSize)
    {
        const string op = "AdaptiveMaxPool2d";
        var (rows, cols) = AdaptiveAxes(op, x, outputSize);
        return MaxPoolRecord(op, x, rows, cols);
    }

    private static (PoolAxis Rows, PoolAxis Cols) AdaptiveAxes(string op, Tensor x, Size2 outputSize)
    {
        PoolChecks.Input(op, x);
        outputSize.AtLeast(1, op, "outputSize");
        if (x.Size(2) < 1 || x.Size(3) < 1)
            throw new ShapeMismatchException(op, "input", "non-empty spatial dims", x.Shape.ToString());
        return (PoolAxis.Adaptive(x.Size(2), outputSize.H), PoolAxis.Adaptive(x.Size(3), outputSize.W));
    }
}
