using Scratch.Autograd;
using Scratch.Backends.Gpu;

namespace Scratch;

public static partial class F
{
    /// <summary>The GPU path of <see cref="NormalizeRows(Tensor, double, out double[], out double[])"/>: one fused
    /// kernel per direction (<see cref="NormGpuKernels"/>), one group per row, statistics in the input dtype. The
    /// per-row (μ, σ²) come back to the host for the callers' running averages.</summary>
    private static Tensor GpuNormalizeRows(Tensor x, double eps, out double[] mean, out double[] variance)
    {
        const string op = "NormalizeRows";
        var (rows, len) = (x.Shape[0], x.Shape[1]);
        var data = x.Detach().Materialize();
        var y = Tensor.Empty(x.Shape, x.DType, x.Device);
        var stats = Tensor.Empty(new Shape(rows, 2), x.DType, x.Device);
        var gpu = GpuRuntime.BackendFor(x.Device);
        if (x.DType == DType.F32) gpu.NormalizeRows<float>(data, y, stats, rows, len, eps);
        else gpu.NormalizeRows<double>(data, y, stats, rows, len, eps);
        var s = stats.ToDoubleArray();
        (mean, variance) = (new double[rows], new double[rows]);
        for (var r = 0; r < rows; r++) (mean[r], variance[r]) = (s[2 * r], s[2 * r + 1]);
        if (!Graph.NeedsGrad(x)) return y;
        var saved = new SavedTensor(y, op);
        return Graph.Record(y, op, [x], g =>
        {
            var dx = Tensor.Empty(x.Shape, x.DType, x.Device);
            var (gd, yv) = (g.Materialize(), saved.Get());
            if (x.DType == DType.F32) gpu.NormalizeRowsBackward<float>(gd, yv, stats, dx, rows, len, eps);
            else gpu.NormalizeRowsBackward<double>(gd, yv, stats, dx, rows, len, eps);
            return [dx];
        });
    }
}
