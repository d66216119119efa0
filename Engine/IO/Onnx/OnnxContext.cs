namespace Scratch.IO.Onnx;

/// <summary>Computes one ONNX node's outputs from its inputs and attributes.</summary>
internal delegate Tensor?[] OnnxKernel(OnnxContext c);

/// <summary>What a kernel sees of the node it runs: input tensors (null for omitted optional inputs), typed
/// attribute accessors with defaults, and the opset version of the default domain.</summary>
internal sealed class OnnxContext(OnnxNode node, Tensor?[] inputs, long opset, long maxElements = 1L << 28,
    IReadOnlyDictionary<string, Tensor>? scope = null,
    Func<OnnxGraphProto, IReadOnlyDictionary<string, Tensor>, Tensor?[]>? runSubgraph = null)
{
    /// <summary>The node.</summary>
    public OnnxNode Node { get; } = node;

    /// <summary>The default-domain opset the model imports.</summary>
    public long Opset { get; } = opset;

    /// <summary>Largest element count a computed value may have.</summary>
    public long MaxElements { get; } = maxElements;

    /// <summary>Runs a subgraph held by one of this node's attributes with the current scope (plus
    /// <paramref name="extra"/> values, e.g. a loop body's inputs) and returns its outputs in order.</summary>
    public Tensor?[] RunSubgraph(OnnxGraphProto graph, IReadOnlyDictionary<string, Tensor>? extra = null)
    {
        if (runSubgraph is null || scope is null) throw Unsupported("subgraphs outside a model");
        if (extra is null) return runSubgraph(graph, scope);
        var merged = new Dictionary<string, Tensor>(scope.Count + extra.Count, StringComparer.Ordinal);
        foreach (var (k, v) in scope) merged[k] = v;
        foreach (var (k, v) in extra) merged[k] = v;
        return runSubgraph(graph, merged);
    }

    /// <summary>Most iterations a Loop may run.</summary>
    public long MaxLoopIterations { get; init; } = 1L << 20;

    /// <summary>Number of inputs listed (omitted trailing optional inputs excluded).</summary>
    public int Count => inputs.Length;

    /// <summary>Input <paramref name="i"/>, which must be present.</summary>
    public Tensor X(int i) => Opt(i) ?? throw new OnnxFormatException(
        $"ONNX: {Node.OpType} node '{Node.Name}' expected input {i}, got {(i < inputs.Length ? "an empty name" : $"{inputs.Length} inputs")}.");

    /// <summary>Input <paramref name="i"/> or null when omitted.</summary>
    public Tensor? Opt(int i) => i < inputs.Length ? inputs[i] : null;

    /// <summary>All inputs (variadic ops).</summary>
    public IReadOnlyList<Tensor?> All => inputs;

    /// <summary>The attribute or null.</summary>
    public OnnxAttribute? Attr(string name) => Node.Attributes.GetValueOrDefault(name);

    /// <summary>An int attribute.</summary>
    public long Int(string name, long def) => Attr(name) is { } a ? a.I : def;

    /// <summary>A float attribute.</summary>
    public float Float(string name, float def) => Attr(name) is { } a ? a.F : def;

    /// <summary>A string attribute.</summary>
    public string Str(string name, string def) => Attr(name) is { } a ? a.Text : def;

    /// <summary>An ints attribute or null.</summary>
    public long[]? Ints(string name) => Attr(name)?.Ints;

    /// <summary>A floats attribute or null.</summary>
    public float[]? Floats(string name) => Attr(name)?.Floats;

    /// <summary>Values of an integer tensor (I32/I64) as longs.</summary>
    public static long[] Longs(Tensor t) => t.DType switch
    {
        DType.I64 => t.ToArray<long>(),
        DType.I32 => Array.ConvertAll(t.ToArray<int>(), v => (long)v),
        _ => Array.ConvertAll(t.ToDoubleArray(), v => (long)v),
    };

    /// <summary>Normalises an axis into [0, rank).</summary>
    public long Axis(long axis, int rank)
    {
        if (axis < -rank || axis >= Math.Max(rank, 1))
            throw new OnnxFormatException($"ONNX: {Node.OpType} node '{Node.Name}' axis expected in [{-rank}, {rank - 1}], got {axis}.");
        return axis < 0 ? axis + rank : axis;
    }

    /// <summary>An unsupported configuration of this node.</summary>
    public OnnxUnsupportedException Unsupported(string what) => new($"{Node.OpType}: {what}");
}
