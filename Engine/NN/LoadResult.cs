namespace Scratch.NN;

/// <summary>What <see cref="StateDictExtensions.LoadStateDict"/> found: model keys absent from the dict, dict keys
/// the model does not have, and keys present in both with different shapes (those are not loaded).</summary>
public sealed record LoadResult(IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys,
    IReadOnlyList<string> ShapeMismatchedKeys)
{
    /// <summary>True when all three lists are empty.</summary>
    public bool IsExact => MissingKeys.Count == 0 && UnexpectedKeys.Count == 0 && ShapeMismatchedKeys.Count == 0;
}

/// <summary>Thrown by a strict <see cref="StateDictExtensions.LoadStateDict"/> that found missing, unexpected or
/// shape-mismatched keys; the message lists all three.</summary>
public sealed class StateDictMismatchException(LoadResult result, string message) : ArgumentException(message)
{
    /// <summary>The three key lists.</summary>
    public LoadResult Result { get; } = result;
}
