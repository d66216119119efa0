namespace Scratch.NN;

/// <summary>Instance normalisation of [N, C, H, W] inputs (PyTorch's <c>nn.InstanceNorm2d</c>): keys
/// <c>weight</c>, <c>bias</c> when affine and <c>running_mean</c>, <c>running_var</c>, <c>num_batches_tracked</c>
/// when tracking running statistics (both off by default, as in PyTorch).</summary>
/// <remarks>Instance statistics are used in training or when running statistics are not tracked; in eval with
/// tracking the running statistics are used. See <see cref="F.InstanceNorm"/>.</remarks>
public sealed class InstanceNorm2d : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer (γ = 1, β = 0, running mean 0, running variance 1).</summary>
    public InstanceNorm2d(int numFeatures, double eps = 1e-5, double momentum = 0.1, bool affine = false,
        bool trackRunningStats = false)
    {
        if (numFeatures <= 0)
            throw new ArgumentOutOfRangeException(nameof(numFeatures), numFeatures,
                "InstanceNorm2d: numFeatures must be > 0.");
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
            Buffer("num_batches_tracked", Tensor.Zeros(new Shape(), DType.I64));
        }
    }

    /// <summary>Channel count C.</summary>
    public int NumFeatures { get; }

    /// <summary>ε added to the variance.</summary>
    public double Eps { get; }

    /// <summary>Running-average factor.</summary>
    public double Momentum { get; }

    /// <summary>[C] scale, or null.</summary>
    public Parameter? Weight { get; }

    /// <summary>[C] shift, or null.</summary>
    public Parameter? Bias { get; }

    /// <summary>[C] running mean, or null.</summary>
    public Tensor? RunningMean { get; }

    /// <summary>[C] running variance, or null.</summary>
    public Tensor? RunningVar { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 4 || input.Shape[1] != NumFeatures)
            throw new ShapeMismatchException("InstanceNorm2d", "input", $"[N, {NumFeatures}, H, W]",
                input.Shape.ToString());
        var useInputStats = Training || RunningMean is null;
        return F.InstanceNorm(input, RunningMean, RunningVar, Weight, Bias, useInputStats, Momentum, Eps);
    }
}
