namespace Scratch.IO.Onnx;

/// <summary>The registry of ONNX operators Scratch implements (default domain, opsets
/// <see cref="MinOpset"/>–<see cref="MaxOpset"/>), filled by one partial file per operator family.</summary>
internal static partial class OnnxOps
{
    /// <summary>Oldest default-domain opset accepted.</summary>
    public const long MinOpset = 7;

    /// <summary>Newest default-domain opset accepted.</summary>
    public const long MaxOpset = 17;

    private static readonly Dictionary<string, OnnxKernel> Kernels = Build();

    /// <summary>The operator types Scratch implements.</summary>
    public static IReadOnlyCollection<string> Supported => Kernels.Keys;

    /// <summary>The kernel for an op type, or null.</summary>
    public static OnnxKernel? Find(string opType) => Kernels.GetValueOrDefault(opType);

    private static Dictionary<string, OnnxKernel> Build()
    {
        var d = new Dictionary<string, OnnxKernel>(StringComparer.Ordinal);
        AddElementwise(d);
        AddActivations(d);
        AddShape(d);
        AddIndexing(d);
        AddNN(d);
        AddReduce(d);
        AddResize(d);
        AddDetection(d);
        AddMatrix(d);
        AddControl(d);
        AddEinsum(d);
        AddLoss(d);
        AddGridSample(d);
        AddRecurrent(d);
        return d;
    }

    private static Tensor?[] One(Tensor t) => [t];
}
