namespace Scratch.NN;

/// <summary>Base of the loss modules: <c>Forward((input, target))</c> or <c>Forward(input, target)</c>, with a
/// <see cref="Scratch.Reduction"/>.</summary>
public abstract class LossModule : Module<(Tensor Input, Tensor Target), Tensor>
{
    /// <summary>Sets the reduction.</summary>
    protected LossModule(Reduction reduction) => Reduction = reduction;

    /// <summary>None, Mean or Sum.</summary>
    public Reduction Reduction { get; }

    /// <summary>The loss of <paramref name="input"/> against <paramref name="target"/>.</summary>
    public Tensor Forward(Tensor input, Tensor target) => Forward((input, target));
}
