namespace Scratch.Autograd;

/// <summary>Whether ops record the graph on this thread. <c>using (GradMode.Disable())</c> makes inference tape-free.
/// </summary>
public static class GradMode
{
    [ThreadStatic]
    private static int _disabledDepth;

    /// <summary>True when ops record autograd nodes on the current thread.</summary>
    public static bool IsEnabled => _disabledDepth == 0;

    /// <summary>Disables recording until the returned scope is disposed (scopes nest).</summary>
    public static Scope Disable()
    {
        _disabledDepth++;
        return new Scope();
    }

    /// <summary>Restores recording when disposed.</summary>
    public readonly struct Scope : IDisposable
    {
        /// <inheritdoc/>
        public void Dispose() => _disabledDepth--;
    }
}
