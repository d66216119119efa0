namespace Scratch;

public static partial class F
{
    /// <summary>Int64 index of the first maximum (a NaN counts as the maximum, as in PyTorch). With
    /// <paramref name="dim"/> null the index is into the flattened input (a 0-d result, or all size-1 dims when
    /// <paramref name="keepDim"/>); otherwise along <paramref name="dim"/>. Not differentiable. Throws for an
    /// empty reduction or a dim out of range.</summary>
    public static Tensor Argmax(Tensor x, int? dim = null, bool keepDim = false) => ArgExtreme(x, true, dim, keepDim, "Argmax");

    /// <summary>Int64 index of the first minimum (a NaN counts as the minimum); see <see cref="Argmax"/>.</summary>
    public static Tensor Argmin(Tensor x, int? dim = null, bool keepDim = false) => ArgExtreme(x, false, dim, keepDim, "Argmin");
}

public partial class Tensor
{
    /// <summary>Index of the first maximum (see <see cref="F.Argmax"/>).</summary>
    public Tensor Argmax(int? dim = null, bool keepDim = false) => F.Argmax(this, dim, keepDim);

    /// <summary>Index of the first minimum (see <see cref="F.Argmin"/>).</summary>
    public Tensor Argmin(int? dim = null, bool keepDim = false) => F.Argmin(this, dim, keepDim);
}
