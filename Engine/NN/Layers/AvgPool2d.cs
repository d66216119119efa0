namespace Scratch.NN;

/// <summary>2-D average pooling (PyTorch's <c>nn.AvgPool2d</c>); see <see cref="F.AvgPool2d"/>.</summary>
public sealed class AvgPool2d(Size2 kernelSize, Size2? stride = null, Size2? padding = null, bool ceilMode = false,
    bool countIncludePad = true, int? divisorOverride = null) : Module<Tensor, Tensor>
{
    /// <summary>(kh, kw).</summary>
    public Size2 KernelSize { get; } = kernelSize;

    /// <summary>(sh, sw); defaults to the kernel size.</summary>
    public Size2 Stride { get; } = stride ?? kernelSize;

    /// <summary>(ph, pw).</summary>
    public Size2 Padding { get; } = padding ?? 0;

    /// <summary>Round output sizes up.</summary>
    public bool CeilMode { get; } = ceilMode;

    /// <summary>Whether padded zeros count in the divisor.</summary>
    public bool CountIncludePad { get; } = countIncludePad;

    /// <summary>A fixed divisor, or null.</summary>
    public int? DivisorOverride { get; } = divisorOverride;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) =>
        F.AvgPool2d(input, KernelSize, Stride, Padding, CeilMode, CountIncludePad, DivisorOverride);
}
