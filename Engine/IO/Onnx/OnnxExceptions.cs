namespace Scratch.IO.Onnx;

/// <summary>An ONNX file is malformed: truncated or corrupt protobuf, a graph that is not a DAG, a missing value,
/// or sizes that do not match the data.</summary>
public sealed class OnnxFormatException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>An ONNX model uses operators (or operator configurations, element types) that Scratch does not
/// implement. <see cref="Operators"/> lists all of them (load-time checks collect every offender before throwing).
/// </summary>
public sealed class OnnxUnsupportedException(IReadOnlyList<string> operators, string message)
    : Exception(message)
{
    /// <summary>The unsupported operator types (or "Op: detail" descriptions), sorted, without duplicates.</summary>
    public IReadOnlyList<string> Operators { get; } = operators;

    /// <summary>One unsupported thing.</summary>
    public OnnxUnsupportedException(string what) : this([what], $"ONNX: unsupported {what}.") { }
}
