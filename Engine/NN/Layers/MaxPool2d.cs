namespace Scratch.NN;

/// <summary>2-D max pooling (PyTorch's <c>nn.MaxPool2d</c>, without return_indices); see <see cref="F.MaxPool2d"/>.
/// </summary>
public sealed class MaxPool2d(Size2 kernelSize, Size2? stride = null, Size2? padding = null, Size2? dilation = null,
    bool ceilMode = false) : Module<Tensor, Tensor>
{
    /// <summary>(kh, kw).</summary>
    public Size2 KernelSize { get; } = kernelSize;

    /// <summary>(sh, sw); defaults to the kernel size.</summary>
    public Size2 Stride { get; } = stride ?? kernelSize;

    /// <summary>(ph, pw).</summary>
    public Size2 Padding { get; } = padding ?? 0;

    /// <summary>(dh, dw).</summary>
    public Size2 Dilation { get; } = dilation ?? 1;

    /// <summary>Round output sizes up.</summary>
    public bool CeilMode { get; } = ceilMode;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.MaxPool2d(input, KernelSize, Stride, Padding, Dilation, CeilMode);
}
