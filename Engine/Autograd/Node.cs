namespace Scratch.Autograd;

/// <summary>One recorded op in the autograd graph: its name, its inputs and the closure that maps the gradient of
/// its output to gradients of its inputs.</summary>
/// <remarks>The closure captures what backward needs (as <see cref="SavedTensor"/>s, so in-place changes are caught).
/// After a backward pass without <c>retainGraph</c> the closure is dropped, freeing the saved tensors.</remarks>
public sealed class Node
{
    private Func<Tensor, Tensor?[]>? _backward;

    internal Node(string name, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
    {
        Name = name;
        Inputs = inputs;
        _backward = backward;
    }

    /// <summary>The op's name (as shown in graphs and errors).</summary>
    public string Name { get; }

    /// <summary>The op's inputs, in order.</summary>
    public IReadOnlyList<Tensor> Inputs { get; }

    /// <summary>True once a backward pass without retainGraph has freed this node's saved state.</summary>
    public bool IsReleased => _backward is null;

    internal Tensor?[] Apply(Tensor gradOutput)
    {
        var f = _backward ?? throw new AutogradException(
            $"Trying to backward through {Name} a second time: its saved tensors were freed. Pass retainGraph: true to the first Backward call.");
        var grads = f(gradOutput);
        if (grads.Length != Inputs.Count)
            throw new InvalidOperationException($"{Name}: backward returned {grads.Length} gradients for {Inputs.Count} inputs.");
        return grads;
    }

    internal void Release() => _backward = null;

    /// <inheritdoc/>
    public override string ToString() => $"{Name}({string.Join(", ", Inputs.Select(i => i.Shape.ToString()))})";
}
