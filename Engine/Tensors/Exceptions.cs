namespace Scratch;

/// <summary>Base of Scratch's argument exceptions: names the op, the argument, the expected and the actual value.</summary>
public class ScratchArgumentException : ArgumentException
{
    /// <summary>Creates the exception; the message reads "op: argument expected E, got A."</summary>
    public ScratchArgumentException(string op, string argument, string expected, string actual)
        : base($"{op}: {argument} expected {expected}, got {actual}.", argument)
    {
        Op = op;
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The op that rejected the argument.</summary>
    public string Op { get; }

    /// <summary>What the op expected.</summary>
    public string Expected { get; }

    /// <summary>What it got.</summary>
    public string Actual { get; }
}

/// <summary>Shapes that do not fit the op.</summary>
public sealed class ShapeMismatchException(string op, string argument, string expected, string actual)
    : ScratchArgumentException(op, argument, expected, actual);

/// <summary>A dtype the op does not accept.</summary>
public sealed class DTypeMismatchException(string op, string argument, string expected, string actual)
    : ScratchArgumentException(op, argument, expected, actual);

/// <summary>Tensors on different devices in one op.</summary>
public sealed class DeviceMismatchException(string op, string argument, string expected, string actual)
    : ScratchArgumentException(op, argument, expected, actual);

/// <summary>An autograd misuse: a freed graph, a modified saved tensor, backward on a non-scalar without a gradient.</summary>
public sealed class AutogradException(string message) : InvalidOperationException(message);
