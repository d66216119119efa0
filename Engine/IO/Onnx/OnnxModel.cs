using Scratch.Autograd;

namespace Scratch.IO.Onnx;

/// <summary>An ONNX model imported into Scratch: the decoded graph, its initializers as tensors and the nodes in
/// execution order. <see cref="Run"/> evaluates it with Scratch ops (no gradient recording).</summary>
/// <remarks>Loading checks everything that can be checked without data: the protobuf structure, the opset (default
/// domain <see cref="OnnxOps.MinOpset"/>–<see cref="OnnxOps.MaxOpset"/>), that every operator is implemented (one
/// <see cref="OnnxUnsupportedException"/> lists all that are not), that every node input exists, that the graph is
/// acyclic and that initializers decode (element type, dims, data size). Configurations of an operator that
/// Scratch lacks (e.g. a 3-D convolution) are reported with the same exception when the node runs.</remarks>
public sealed class OnnxModel
{
    private readonly OnnxCompiledGraph _graph;

    /// <summary>The decoded ModelProto.</summary>
    public OnnxModelProto Proto { get; }

    /// <summary>Default-domain opset version (0 when the model imports none and uses no default-domain node).
    /// </summary>
    public long Opset { get; }

    /// <summary>Graph inputs that are not initializers: the values <see cref="Run"/> needs.</summary>
    public IReadOnlyList<OnnxValueInfo> Inputs { get; }

    /// <summary>Graph outputs.</summary>
    public IReadOnlyList<OnnxValueInfo> Outputs => Proto.Graph.Outputs;

    /// <summary>Initializers decoded to tensors, by name.</summary>
    public IReadOnlyDictionary<string, Tensor> Initializers => _graph.Initializers;

    /// <summary>Largest element count any computed value may have (default 2²⁸); a node whose output would be
    /// larger throws <see cref="OnnxFormatException"/> before allocating it.</summary>
    public long MaxElements { get; set; } = 1L << 28;

    /// <summary>Most iterations one Loop node may run (default 2²⁰); more throws <see cref="OnnxFormatException"/>.
    /// </summary>
    public long MaxLoopIterations { get; set; } = 1L << 20;

    /// <summary>Nodes in execution order.</summary>
    public IReadOnlyList<OnnxNode> Nodes => _graph.Order;

    private OnnxModel(OnnxModelProto proto)
    {
        Proto = proto;
        var g = proto.Graph;
        var problems = new SortedSet<string>(StringComparer.Ordinal);
        if (proto.Opsets.Count == 0)
            throw new OnnxFormatException("ONNX: ModelProto expected at least one opset_import, found none.");
        Opset = proto.Opsets.TryGetValue("", out var v) ? v : 0;
        if (Opset == 0 && g.Nodes.Any(n => n.Domain.Length == 0))
            throw new OnnxFormatException("ONNX: ModelProto expected an opset_import for the default domain its nodes use, found none.");
        if (Opset != 0 && (Opset < OnnxOps.MinOpset || Opset > OnnxOps.MaxOpset))
            problems.Add($"opset {Opset} (supported {OnnxOps.MinOpset}-{OnnxOps.MaxOpset})");
        OnnxCompiledGraph.CollectProblems(g, problems, top: true);
        if (problems.Count > 0)
            throw new OnnxUnsupportedException([.. problems],
                $"ONNX: the model uses what Scratch does not implement: {string.Join(", ", problems)}.");
        _graph = OnnxCompiledGraph.Compile(g, top: true);
        Inputs = [.. g.Inputs.Where(i => !_graph.Initializers.ContainsKey(i.Name))];
    }

    /// <summary>Loads a model from ModelProto bytes.</summary>
    /// <exception cref="OnnxFormatException">Malformed protobuf or graph.</exception>
    /// <exception cref="OnnxUnsupportedException">Operators, opset or element types Scratch lacks (all listed).
    /// </exception>
    public static OnnxModel Load(ReadOnlyMemory<byte> bytes) => new(OnnxProtoParser.ParseModel(bytes));

    /// <summary>Loads a model file.</summary>
    public static OnnxModel Load(string path) => Load(File.ReadAllBytes(path));

    /// <summary>Evaluates the graph. Every name in <see cref="Inputs"/> must be given (an input that is also an
    /// initializer may override it); returns the graph outputs by name.</summary>
    /// <exception cref="ArgumentException">A missing input, or one whose dtype or fixed dims differ from the
    /// declaration.</exception>
    public Dictionary<string, Tensor> Run(IReadOnlyDictionary<string, Tensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var values = new Dictionary<string, Tensor>(_graph.Initializers, StringComparer.Ordinal);
        foreach (var info in Proto.Graph.Inputs)
        {
            if (!inputs.TryGetValue(info.Name, out var t))
            {
                if (_graph.Initializers.ContainsKey(info.Name)) continue;
                throw new ArgumentException($"OnnxModel.Run: input '{info.Name}' expected, got only [{string.Join(", ", inputs.Keys)}].", nameof(inputs));
            }
            CheckInput(info, t);
            values[info.Name] = t;
        }
        using (GradMode.Disable())
        {
            return Execute(_graph, values);
        }
    }

    /// <summary>Runs the nodes of <paramref name="graph"/> over <paramref name="values"/> (inputs, initializers
    /// and the enclosing scopes) and returns its outputs by name.</summary>
    private Dictionary<string, Tensor> Execute(OnnxCompiledGraph graph, Dictionary<string, Tensor> values)
    {
        foreach (var node in graph.Order)
        {
            var args = new Tensor?[node.Inputs.Length];
            for (var i = 0; i < args.Length; i++)
                args[i] = node.Inputs[i].Length == 0 ? null
                    : values.TryGetValue(node.Inputs[i], out var v) ? v
                    : throw new OnnxFormatException($"ONNX: node '{node.Name}' ({node.OpType}) input '{node.Inputs[i]}' has no value in scope.");
            var kernel = OnnxOps.Find(node.OpType)!;
            Tensor?[] outs;
            try
            {
                outs = kernel(new OnnxContext(node, args, Opset, MaxElements, values, (sub, scope) => RunSubgraph(graph, sub, scope))
                    { MaxLoopIterations = MaxLoopIterations });
            }
            catch (Exception e) when (e is not (OnnxUnsupportedException or OnnxFormatException))
            {
                throw new InvalidOperationException($"ONNX: node '{node.Name}' ({node.OpType}) failed: {e.Message}", e);
            }
            for (var i = 0; i < node.Outputs.Length && i < outs.Length; i++)
                if (node.Outputs[i].Length > 0 && outs[i] is { } o) values[node.Outputs[i]] = o;
        }
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var o in graph.Proto.Outputs)
            result[o.Name] = values.TryGetValue(o.Name, out var t) ? t
                : throw new OnnxFormatException($"ONNX: graph output '{o.Name}' was not computed.");
        return result;
    }

    private Tensor?[] RunSubgraph(OnnxCompiledGraph parent, OnnxGraphProto sub, IReadOnlyDictionary<string, Tensor> scope)
    {
        var compiled = parent.Subgraphs[sub];
        var values = new Dictionary<string, Tensor>(scope, StringComparer.Ordinal);
        foreach (var (k, v) in compiled.Initializers) values[k] = v;
        var outs = Execute(compiled, values);
        return [.. sub.Outputs.Select(o => (Tensor?)outs[o.Name])];
    }

    private static void CheckInput(OnnxValueInfo info, Tensor t)
    {
        if (OnnxTensors.ToDType(info.ElemType) is { } want && want != t.DType)
            throw new ArgumentException($"OnnxModel.Run: input '{info.Name}' expected dtype {want.Name()}, got {t.DType.Name()}.", "inputs");
        if (info.Shape is not { } shape) return;
        var ok = shape.Length == t.Rank;
        for (var i = 0; ok && i < shape.Length; i++)
            if (shape[i] is { } d && d > 0 && d != t.Shape[i]) ok = false;
        if (!ok)
            throw new ArgumentException($"OnnxModel.Run: input '{info.Name}' expected shape [{string.Join(", ", shape.Select(d => d?.ToString() ?? "?"))}], got {t.Shape}.", "inputs");
    }
}
