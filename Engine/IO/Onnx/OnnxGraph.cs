namespace Scratch.IO.Onnx;

/// <summary>Validation and topological ordering of an ONNX graph.</summary>
internal static class OnnxGraph
{
    /// <summary>Orders the nodes so that every node comes after the producers of its inputs (Kahn's algorithm,
    /// stable with respect to file order). Throws <see cref="OnnxFormatException"/> for an input that no node,
    /// initializer or graph input provides, for a value produced twice, and for a cycle (naming its nodes).</summary>
    public static OnnxNode[] TopologicalOrder(OnnxGraphProto g, ISet<string> available)
    {
        var deps = g.Nodes.Select(n => n.Inputs.Concat(Subgraphs(n).SelectMany(FreeInputs)).Distinct().ToArray()).ToArray();
        var producer = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < g.Nodes.Length; i++)
            foreach (var o in g.Nodes[i].Outputs)
            {
                if (o.Length == 0) continue;
                if (available.Contains(o) || !producer.TryAdd(o, i))
                    throw new OnnxFormatException($"ONNX: value '{o}' is produced twice (node '{g.Nodes[i].Name}' ({g.Nodes[i].OpType}) and another node or an input/initializer).");
            }
        var pending = new int[g.Nodes.Length];
        var consumers = new List<int>[g.Nodes.Length];
        for (var i = 0; i < g.Nodes.Length; i++)
        {
            consumers[i] = [];
        }
        for (var i = 0; i < g.Nodes.Length; i++)
        {
            foreach (var name in deps[i])
            {
                if (name.Length == 0 || available.Contains(name)) continue;
                if (!producer.TryGetValue(name, out var p))
                    throw new OnnxFormatException($"ONNX: node '{g.Nodes[i].Name}' ({g.Nodes[i].OpType}) input '{name}' expected from a node, an initializer or a graph input, found none.");
                pending[i]++;
                consumers[p].Add(i);
            }
        }
        var ready = new PriorityQueue<int, int>();
        for (var i = 0; i < pending.Length; i++) if (pending[i] == 0) ready.Enqueue(i, i);
        var order = new List<OnnxNode>(g.Nodes.Length);
        while (ready.TryDequeue(out var i, out _))
        {
            order.Add(g.Nodes[i]);
            foreach (var c in consumers[i])
                if (--pending[c] == 0) ready.Enqueue(c, c);
        }
        if (order.Count != g.Nodes.Length)
        {
            var stuck = Enumerable.Range(0, pending.Length).Where(i => pending[i] > 0)
                .Select(i => $"'{g.Nodes[i].Name}' ({g.Nodes[i].OpType})").Take(10);
            throw new OnnxFormatException($"ONNX: graph expected to be acyclic, but these nodes wait on a cycle: {string.Join(", ", stuck)}.");
        }
        foreach (var o in g.Outputs)
            if (!available.Contains(o.Name) && !producer.ContainsKey(o.Name))
                throw new OnnxFormatException($"ONNX: graph output '{o.Name}' expected from a node, an initializer or an input, found none.");
        return [.. order];
    }

    /// <summary>The graphs held by a node's attributes (If branches, Loop and Scan bodies).</summary>
    public static IEnumerable<OnnxGraphProto> Subgraphs(OnnxNode n) =>
        n.Attributes.Values.Where(a => a.G is not null).Select(a => a.G!);

    /// <summary>Names a graph reads from its enclosing scope: inputs of its nodes (and of their subgraphs) that
    /// none of its nodes, initializers or inputs provide.</summary>
    public static HashSet<string> FreeInputs(OnnxGraphProto g)
    {
        var produced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in g.Initializers) produced.Add(t.Name);
        foreach (var i in g.Inputs) produced.Add(i.Name);
        foreach (var n in g.Nodes) produced.UnionWith(n.Outputs);
        var free = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in g.Nodes)
        {
            foreach (var name in n.Inputs.Concat(Subgraphs(n).SelectMany(FreeInputs)))
                if (name.Length > 0 && !produced.Contains(name)) free.Add(name);
        }
        foreach (var o in g.Outputs)
            if (!produced.Contains(o.Name)) free.Add(o.Name);
        return free;
    }
}

/// <summary>A graph ready to run: initializers decoded, nodes ordered, subgraphs compiled.</summary>
internal sealed class OnnxCompiledGraph
{
    public required OnnxGraphProto Proto { get; init; }
    public required OnnxNode[] Order { get; init; }
    public required Dictionary<string, Tensor> Initializers { get; init; }
    public required Dictionary<OnnxGraphProto, OnnxCompiledGraph> Subgraphs { get; init; }

    /// <summary>Adds to <paramref name="problems"/> what Scratch lacks in this graph and its subgraphs: operators,
    /// element types, sparse initializers.</summary>
    public static void CollectProblems(OnnxGraphProto g, SortedSet<string> problems, bool top)
    {
        foreach (var n in g.Nodes)
        {
            if (n.Domain.Length > 0) problems.Add($"{n.Domain}.{n.OpType}");
            else if (OnnxOps.Find(n.OpType) is null) problems.Add(n.OpType);
            foreach (var a in n.Attributes.Values)
                if (a.Type is OnnxAttributeType.Graphs or OnnxAttributeType.SparseTensor or OnnxAttributeType.SparseTensors)
                    problems.Add($"{n.OpType} attribute '{a.Name}' of type {a.Type}");
            foreach (var sub in OnnxGraph.Subgraphs(n)) CollectProblems(sub, problems, top: false);
        }
        if (g.SparseInitializers > 0) problems.Add("sparse initializers");
        foreach (var i in g.Inputs)
            if (!i.IsTensor) problems.Add($"non-tensor graph input '{i.Name}'");
            else if (top && g.Initializers.All(t => t.Name != i.Name) && OnnxTensors.ToDType(i.ElemType) is null)
                problems.Add($"element type {i.ElemType} (input '{i.Name}')");
        foreach (var o in g.Outputs)
            if (!o.IsTensor) problems.Add($"non-tensor graph output '{o.Name}'");
            else if (o.ElemType != OnnxDataType.Undefined && OnnxTensors.ToDType(o.ElemType) is null)
                problems.Add($"element type {o.ElemType} (output '{o.Name}')");
        foreach (var t in g.Initializers)
            if (t.External) problems.Add($"external tensor data (tensor '{t.Name}')");
            else if (OnnxTensors.ToDType(t.DataType) is null) problems.Add($"element type {t.DataType} (tensor '{t.Name}')");
    }

    /// <summary>Decodes and orders <paramref name="g"/>; a subgraph may read any name of its enclosing scopes.
    /// </summary>
    public static OnnxCompiledGraph Compile(OnnxGraphProto g, bool top)
    {
        var inits = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var t in g.Initializers)
            if (!inits.TryAdd(t.Name, OnnxTensors.ToTensor(t)))
                throw new OnnxFormatException($"ONNX: initializer '{t.Name}' appears twice.");
        var available = new HashSet<string>(inits.Keys, StringComparer.Ordinal);
        foreach (var i in g.Inputs) available.Add(i.Name);
        if (!top) available.UnionWith(OnnxGraph.FreeInputs(g));
        var order = OnnxGraph.TopologicalOrder(g, available);
        var subs = new Dictionary<OnnxGraphProto, OnnxCompiledGraph>(ReferenceEqualityComparer.Instance);
        foreach (var n in g.Nodes)
            foreach (var sub in OnnxGraph.Subgraphs(n))
                subs[sub] = Compile(sub, top: false);
        return new OnnxCompiledGraph { Proto = g, Order = order, Initializers = inits, Subgraphs = subs };
    }
}
