namespace Scratch.Autograd;

/// <summary>A tensor kept for backward together with its storage version at save time.</summary>
/// <remarks>If an in-place op changes the tensor before backward runs, <see cref="Get"/> throws instead of silently
/// computing a wrong gradient (PyTorch's version-counter check).</remarks>
public readonly struct SavedTensor
{
    private readonly int _version;

    /// <summary>Saves <paramref name="tensor"/> for the op named <paramref name="op"/>.</summary>
    public SavedTensor(Tensor tensor, string op)
    {
        Tensor = tensor;
        Op = op;
        _version = tensor.Storage.Version;
    }

    private Tensor Tensor { get; }

    private string Op { get; }

    /// <summary>The saved tensor, or an exception when it was modified in place since it was saved.</summary>
    public Tensor Get()
    {
        if (Tensor.Storage.Version != _version)
            throw new AutogradException(
                $"{Op}: a tensor of shape {Tensor.Shape} saved for backward was modified by an in-place operation " +
                $"(version {Tensor.Storage.Version}, expected {_version}).");
        return Tensor;
    }
}
