namespace Scratch.Data.Coco;

/// <summary>A COCO annotation or detections file that cannot be used: malformed JSON, a missing or mistyped field,
/// an unknown category, an annotation pointing at a missing image, or a degenerate box. The message names the file
/// and the offending record (annotation id or detection index).</summary>
public sealed class CocoFormatException : Exception
{
    /// <summary>Creates the exception for <paramref name="source"/> (a file name or a caller-chosen label).</summary>
    public CocoFormatException(string source, string message, Exception? inner = null)
        : base($"{source}: {message}", inner) => Source = source;

    /// <summary>The file (or label) whose contents were rejected.</summary>
    public new string Source { get; }
}
