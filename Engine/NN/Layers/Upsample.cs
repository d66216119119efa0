namespace Scratch.NN;

/// <summary>Resizes [N, C, H, W] inputs (PyTorch's <c>nn.Upsample</c>); exactly one of <paramref name="size"/> and
/// <paramref name="scaleFactor"/>; see <see cref="F.Interpolate"/>.</summary>
public sealed class Upsample(Size2? size = null, Scale2? scaleFactor = null,
    InterpolateMode mode = InterpolateMode.Nearest,
    bool? alignCorners = null) : Module<Tensor, Tensor>
{
    /// <summary>Output (OH, OW), or null.</summary>
    public Size2? Size { get; } = size;

    /// <summary>Scale factors, or null.</summary>
    public Scale2? ScaleFactor { get; } = scaleFactor;

    /// <summary>Resampling mode.</summary>
    public InterpolateMode Mode { get; } = mode;

    /// <summary>Bilinear corner alignment (null for nearest).</summary>
    public bool? AlignCorners { get; } = alignCorners;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Interpolate(input, Size, ScaleFactor, Mode, AlignCorners);
}
