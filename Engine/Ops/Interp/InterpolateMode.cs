namespace Scratch;

/// <summary>Resampling modes of <see cref="F.Interpolate"/>.</summary>
public enum InterpolateMode
{
    /// <summary>Copy the input pixel at ⌊dst·scale⌋ (PyTorch's legacy "nearest").</summary>
    Nearest,

    /// <summary>Linear in each spatial axis.</summary>
    Bilinear,
}
