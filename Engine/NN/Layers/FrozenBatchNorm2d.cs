namespace Scratch.NN;

/// <summary>Batch norm with fixed statistics and affine (torchvision's <c>FrozenBatchNorm2d</c>): buffers
/// <c>weight</c>, <c>bias</c>, <c>running_mean</c>, <c>running_var</c>; y = x·scale + shift with
/// scale = weight/√(running_var + ε) and shift = bias − running_mean·scale, per channel. Nothing is trained.</summary>
public sealed class FrozenBatchNorm2d : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer with weight 1, bias 0, running mean 0 and running variance 1.</summary>
    public FrozenBatchNorm2d(int numFeatures, double eps = 1e-5)
    {
        if (numFeatures <= 0)
            throw new ArgumentOutOfRangeException(nameof(numFeatures), numFeatures,
                "FrozenBatchNorm2d: numFeatures must be > 0.");
        (NumFeatures, Eps) = (numFeatures, eps);
        Weight = Buffer("weight", Tensor.Ones(new Shape(numFeatures)));
        Bias = Buffer("bias", Tensor.Zeros(new Shape(numFeatures)));
        RunningMean = Buffer("running_mean", Tensor.Zeros(new Shape(numFeatures)));
        RunningVar = Buffer("running_var", Tensor.Ones(new Shape(numFeatures)));
    }

    /// <summary>Channel count C.</summary>
    public int NumFeatures { get; }

    /// <summary>ε added to the variance.</summary>
    public double Eps { get; }

    /// <summary>[C] scale buffer.</summary>
    public Tensor Weight { get; }

    /// <summary>[C] shift buffer.</summary>
    public Tensor Bias { get; }

    /// <summary>[C] mean buffer.</summary>
    public Tensor RunningMean { get; }

    /// <summary>[C] variance buffer.</summary>
    public Tensor RunningVar { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 4 || input.Shape[1] != NumFeatures)
            throw new ShapeMismatchException("FrozenBatchNorm2d", "input", $"[N, {NumFeatures}, H, W]",
                input.Shape.ToString());
        var w = Weight.Detach().To(DType.F64).ToArray<double>();
        var b = Bias.Detach().To(DType.F64).ToArray<double>();
        var m = RunningMean.Detach().To(DType.F64).ToArray<double>();
        var v = RunningVar.Detach().To(DType.F64).ToArray<double>();
        var scale = new double[NumFeatures];
        var shift = new double[NumFeatures];
        for (var c = 0; c < NumFeatures; c++)
        {
            scale[c] = w[c] / Math.Sqrt(v[c] + Eps);
            shift[c] = b[c] - m[c] * scale[c];
        }
        if (input.Device.Kind == DeviceKind.Cpu) return Ops.ChannelNormKernels.ScaleShift(input, scale, shift);
        var shape = new Shape(1, NumFeatures, 1, 1);
        return input * Tensor.FromDoubles(scale, shape, input.DType, input.Device)
            + Tensor.FromDoubles(shift, shape, input.DType, input.Device);
    }
}
