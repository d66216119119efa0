namespace Scratch.NN;

/// <summary>A leaf tensor registered as a trainable weight of a <see cref="Module"/> (requires grad by default).
/// </summary>
public sealed class Parameter : Tensor
{
    /// <summary>Wraps <paramref name="data"/>'s storage as a parameter (detached from any graph).</summary>
    public Parameter(Tensor data, bool requiresGrad = true) : base(data.Detach())
    {
        if (requiresGrad) RequiresGrad = true;
    }
}
