namespace Scratch;

public static partial class F
{
    /// <summary>Instance normalisation of [N, C, L], [N, C, H, W] or deeper inputs, as PyTorch's
    /// <c>instance_norm</c>: each (n, c) slice is normalised over its spatial elements, then γ_c, β_c apply.</summary>
    /// <param name="x">Float input [N, C, *] with at least one spatial dim.</param>
    /// <param name="runningMean">Optional [C] running mean; with <paramref name="useInputStats"/> it is updated in
    /// place with the batch average of the per-instance means.</param>
    /// <param name="runningVar">Optional [C] running variance, updated with the batch average of the per-instance
    /// unbiased variances.</param>
    /// <param name="weight">Optional [C] scale.</param>
    /// <param name="bias">Optional [C] shift.</param>
    /// <param name="useInputStats">True: normalise with each instance's own statistics; false: with the running
    /// statistics (which must then be given).</param>
    /// <param name="momentum">Weight of the new statistics in the running update.</param>
    /// <param name="eps">ε added to the variance.</param>
    public static Tensor InstanceNorm(Tensor x, Tensor? runningMean = null, Tensor? runningVar = null,
        Tensor? weight = null, Tensor? bias = null, bool useInputStats = true, double momentum = 0.1, double eps = 1e-5)
    {
        const string op = "InstanceNorm";
        RequireFloating(x, op);
        if (x.Rank < 3)
            throw new ShapeMismatchException(op, "input", "[N, C, L], [N, C, H, W] or deeper", x.Shape.ToString());
        var (n, c) = (x.Shape[0], x.Shape[1]);
        CheckChannelVector(x, runningMean, c, op, "runningMean");
        CheckChannelVector(x, runningVar, c, op, "runningVar");
        CheckChannelVector(x, weight, c, op, "weight");
        CheckChannelVector(x, bias, c, op, "bias");
        if (!useInputStats)
        {
            if (runningMean is null || runningVar is null)
                throw new ArgumentException(
                    $"{op}: runningMean and runningVar expected when useInputStats is false, got null.",
                    nameof(runningMean));
            return BatchNorm(x, runningMean, runningVar, weight, bias, training: false, momentum, eps);
        }
        var spatial = n * c == 0 ? 0 : checked((int)(x.Numel / ((long)n * c)));
        if (spatial <= 1 && (runningMean is not null || runningVar is not null))
            throw new ArgumentException(
                $"{op}: input expected more than 1 spatial element per channel, got {x.Shape}.", nameof(x));
        var normalised = NormalizeRows(x.Reshape(n * c, spatial), eps, out var mean, out var variance);
        var y = normalised.Reshape(x.Shape.ToArray());
        var avgMean = new double[c];
        var avgVar = new double[c];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < c; j++)
            {
                avgMean[j] += mean[i * c + j] / n;
                avgVar[j] += variance[i * c + j] * spatial / (spatial - 1) / n;
            }
        UpdateRunning(runningMean, avgMean, momentum);
        UpdateRunning(runningVar, avgVar, momentum);
        return ChannelAffine(y, weight, bias, c);
    }
}
