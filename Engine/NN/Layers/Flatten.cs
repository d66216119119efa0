namespace Scratch.NN;

/// <summary>Flattens dims <paramref name="startDim"/>..<paramref name="endDim"/> into one (PyTorch's
/// <c>nn.Flatten</c>, default start 1 so the batch dim is kept); see <see cref="Tensor.Flatten"/>.</summary>
public sealed class Flatten(int startDim = 1, int endDim = -1) : Module<Tensor, Tensor>
{
    /// <summary>First flattened dim.</summary>
    public int StartDim { get; } = startDim;

    /// <summary>Last flattened dim (inclusive).</summary>
    public int EndDim { get; } = endDim;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Flatten(StartDim, EndDim);
}
