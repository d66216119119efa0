namespace Scratch;

public static partial class F
{
    /// <summary>log softmax(x)ᵢ = xᵢ − m − log Σⱼ e^(xⱼ − m) along <paramref name="dim"/> (m the maximum along the
    /// dim): finite even where softmax underflows to 0. Backward: dx = g − softmax(x)·Σ g.</summary>
    public static Tensor LogSoftmax(Tensor x, int dim) => SoftmaxFamily(x, dim, true, "LogSoftmax");
}

public partial class Tensor
{
    /// <summary>Log-softmax along <paramref name="dim"/>; see <see cref="F.LogSoftmax"/>.</summary>
    public Tensor LogSoftmax(int dim) => F.LogSoftmax(this, dim);
}
