namespace Scratch;

public static partial class F
{
    /// <summary>The GPU path of <see cref="NormalizeRows(Tensor, double, out double[], out double[])"/>:
    /// y = (x − μ)/√(σ² + ε) per row of x [rows, len] with μ and the biased σ² from the backend's row reductions
    /// (two passes: mean, then the mean of the squared deviations); written with differentiable ops, so autograd
    /// derives the backward. The per-row statistics come back to the host for the callers' running averages.</summary>
    private static Tensor GpuNormalizeRows(Tensor x, double eps, out double[] mean, out double[] variance)
    {
        var m = Mean(x, [1], keepDim: true);
        var d = x - m;
        var v = Mean(d * d, [1], keepDim: true);
        var y = d * Rsqrt(v + eps);
        mean = m.Detach().ToDoubleArray();
        variance = v.Detach().ToDoubleArray();
        return y;
    }
}
