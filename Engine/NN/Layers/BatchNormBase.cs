using Scratch.Autograd;

namespace Scratch.NN;

/// <summary>Shared body of <see cref="BatchNorm1d"/> and <see cref="BatchNorm2d"/>, with PyTorch's keys
/// <c>weight</c>, <c>bias</c> (when affine), <c>running_mean</c>, <c>running_var</c> and <c>num_batches_tracked</c>
/// (an int64 scalar; when tracking running statistics).</summary>
/// <remarks>Training: normalises with batch statistics and updates the running ones in place (their tensor identity
/// is kept); momentum null means a cumulative average (factor 1/num_batches_tracked). Eval: uses the running
/// statistics, or batch statistics when they are not tracked.</remarks>
public abstract class BatchNormBase : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer: γ = 1, β = 0, running mean 0, running variance 1.</summary>
    protected BatchNormBase(int numFeatures, double eps, double? momentum, bool affine, bool trackRunningStats)
    {
        if (numFeatures <= 0)
            throw new ArgumentOutOfRangeException(nameof(numFeatures), numFeatures,
                $"{GetType().Name}: numFeatures must be > 0.");
        (NumFeatures, Eps, Momentum) = (numFeatures, eps, momentum);
        if (affine)
        {
            Weight = Param("weight", Tensor.Ones(new Shape(numFeatures)));
            Bias = Param("bias", Tensor.Zeros(new Shape(numFeatures)));
        }
        else
        {
            NoParam("weight");
            NoParam("bias");
        }
        if (trackRunningStats)
        {
            RunningMean = Buffer("running_mean", Tensor.Zeros(new Shape(numFeatures)));
            RunningVar = Buffer("running_var", Tensor.Ones(new Shape(numFeatures)));
            NumBatchesTracked = Buffer("num_batches_tracked", Tensor.Zeros(new Shape(), DType.I64));
        }
    }

    /// <summary>Channel count C.</summary>
    public int NumFeatures { get; }

    /// <summary>ε added to the variance.</summary>
    public double Eps { get; }

    /// <summary>Running-average factor; null for a cumulative moving average.</summary>
    public double? Momentum { get; }

    /// <summary>[C] scale γ, or null when not affine.</summary>
    public Parameter? Weight { get; }

    /// <summary>[C] shift β, or null when not affine.</summary>
    public Parameter? Bias { get; }

    /// <summary>[C] running mean, or null when running statistics are not tracked.</summary>
    public Tensor? RunningMean { get; }

    /// <summary>[C] running (unbiased) variance, or null when not tracked.</summary>
    public Tensor? RunningVar { get; }

    /// <summary>Int64 scalar count of training batches seen, or null when not tracked.</summary>
    public Tensor? NumBatchesTracked { get; }

    /// <summary>Throws unless the input rank suits the layer.</summary>
    protected abstract void CheckInput(Tensor input);

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        CheckInput(input);
        if (input.Shape[1] != NumFeatures)
            throw new ShapeMismatchException(GetType().Name, "input", $"{NumFeatures} channels in dim 1",
                input.Shape.ToString());
        var factor = Momentum ?? 0.0;
        if (Training && NumBatchesTracked is not null)
        {
            using (GradMode.Disable()) NumBatchesTracked.Fill_(NumBatchesTracked.Item() + 1);
            if (Momentum is null) factor = 1.0 / NumBatchesTracked.Item();
        }
        var batchStats = Training || RunningMean is null;
        return F.BatchNorm(input, RunningMean, RunningVar, Weight, Bias, batchStats, factor, Eps);
    }
}
