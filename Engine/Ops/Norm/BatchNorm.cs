using Scratch.Autograd;

namespace Scratch;

public static partial class F
{
    /// <summary>Batch normalisation over [N, C], [N, C, L] or [N, C, H, W] (any rank ≥ 2), as PyTorch's
    /// <c>batch_norm</c>: y = (x − μ_c)/√(σ²_c + ε)·γ_c + β_c per channel c (dim 1).</summary>
    /// <param name="x">Float input with channels in dim 1.</param>
    /// <param name="runningMean">[C] running mean, updated in place when training: r ← (1 − momentum)·r +
    /// momentum·μ.</param>
    /// <param name="runningVar">[C] running variance, updated in place when training with the UNBIASED batch variance
    /// (n/(n−1)·σ², n = N·spatial), as PyTorch.</param>
    /// <param name="weight">Optional [C] scale γ.</param>
    /// <param name="bias">Optional [C] shift β.</param>
    /// <param name="training">True: normalise with the batch statistics (μ, biased σ² over N and the spatial dims)
    /// and update the running statistics; false: use the running statistics (batch statistics when they are
    /// null).</param>
    /// <param name="momentum">Weight of the new batch statistics in the running update.</param>
    /// <param name="eps">ε added to the variance.</param>
    /// <remarks>Training needs more than one value per channel (PyTorch's rule). Gradients flow to x, γ and β; the
    /// batch-statistics path uses the fused row normaliser's hand-written backward.</remarks>
    public static Tensor BatchNorm(Tensor x, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null,
        Tensor? bias = null, bool training = false, double momentum = 0.1, double eps = 1e-5)
    {
        const string op = "BatchNorm";
        RequireFloating(x, op);
        if (x.Rank < 2)
            throw new ShapeMismatchException(op, "input", "[N, C], [N, C, L] or [N, C, H, W]", x.Shape.ToString());
        var c = x.Shape[1];
        CheckChannelVector(x, runningMean, c, op, "runningMean");
        CheckChannelVector(x, runningVar, c, op, "runningVar");
        CheckChannelVector(x, weight, c, op, "weight");
        CheckChannelVector(x, bias, c, op, "bias");
        Tensor y;
        if (training || runningMean is null || runningVar is null)
        {
            var count = c == 0 ? 0 : x.Numel / c;
            if (training && count <= 1)
                throw new ArgumentException(
                    $"{op}: input expected more than 1 value per channel when training, got {x.Shape}.", nameof(x));
            double[] mean, variance;
            if (x.Device.Kind == DeviceKind.Cpu && count > 0)
                y = Ops.ChannelNormKernels.BatchNormTrain(x, weight, bias, eps, out mean, out variance);
            else
            {
                var perm = Enumerable.Range(0, x.Rank).ToArray();
                (perm[0], perm[1]) = (1, 0);
                var xt = x.Permute(perm);
                var norm = NormalizeRows(xt.Reshape(c, checked((int)count)), eps, out mean, out variance);
                y = ChannelAffine(norm.Reshape(xt.Shape.ToArray()).Permute(perm), weight, bias, c);
            }
            if (training)
            {
                var unbiased = variance.Select(v => v * count / (count - 1)).ToArray();
                UpdateRunning(runningMean, mean, momentum);
                UpdateRunning(runningVar, unbiased, momentum);
            }
        }
        else if (x.Device.Kind == DeviceKind.Cpu && !Graph.NeedsGrad([.. weight is null ? Array.Empty<Tensor>() : [weight], .. bias is null ? Array.Empty<Tensor>() : [bias]]))
            return Ops.ChannelNormKernels.BatchNormEval(x, runningMean, runningVar, weight, bias, eps);
        else
        {
            var rv = runningVar.Detach().To(DType.F64).ToArray<double>();
            var inv = rv.Select(v => 1 / Math.Sqrt(v + eps)).ToArray();
            var invStd = Tensor.FromDoubles(inv, new Shape(c), x.DType, x.Device);
            // Eval folds the statistics and the affine into one per-channel scale and shift (two passes over x):
            // y = x·s + t with s = w/√(var+ε), t = b − mean·s; s and t are [C] tensors, so w and b still get gradients.
            var shape = ChannelShape(x.Rank, c);
            var scale = weight is null ? invStd : weight * invStd;
            var shift = -(runningMean.Detach().To(x.DType) * scale);
            if (bias is not null) shift = shift + bias;
            return x * scale.Reshape(shape) + shift.Reshape(shape);
        }
        return y;
    }

    /// <summary>r ← (1 − momentum)·r + momentum·batch, in place (no autograd); skipped when r is null.</summary>
    internal static void UpdateRunning(Tensor? running, double[] batch, double momentum)
    {
        if (running is null) return;
        using var _ = GradMode.Disable();
        var r = running.Detach().To(DType.F64).ToArray<double>();
        for (var i = 0; i < r.Length; i++) r[i] = (1 - momentum) * r[i] + momentum * batch[i];
        running.Copy_(Tensor.FromDoubles(r, running.Shape, running.DType, running.Device));
    }

    /// <summary>Throws unless <paramref name="t"/> is null or a [C] tensor on x's device with x's dtype
    /// class.</summary>
    internal static void CheckChannelVector(Tensor x, Tensor? t, int c, string op, string arg)
    {
        if (t is null) return;
        if (t.Shape != new Shape(c)) throw new ShapeMismatchException(op, arg, $"[{c}]", t.Shape.ToString());
        RequireSame(x, t, op, arg);
    }

    /// <summary>[1, C, 1, ...] of the given rank: a per-channel vector that broadcasts over dim 1.</summary>
    internal static int[] ChannelShape(int rank, int c)
    {
        var s = Enumerable.Repeat(1, rank).ToArray();
        s[1] = c;
        return s;
    }

    /// <summary>y·γ + β with γ, β per channel (dim 1); either may be null.</summary>
    internal static Tensor ChannelAffine(Tensor y, Tensor? weight, Tensor? bias, int c)
    {
        var shape = ChannelShape(y.Rank, c);
        if (weight is not null) y = y * weight.Reshape(shape);
        if (bias is not null) y = y + bias.Reshape(shape);
        return y;
    }
}
