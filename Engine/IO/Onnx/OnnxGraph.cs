namespace Scratch.IO.Onnx;

/// <summary>Validation and topological ordering of an ONNX graph.</summary>
internal static class OnnxGraph
{
    /// <summary>Orders the nodes so that every node comes after the producers of its inputs (Kahn's algorithm,
    /// stable with respect to file order). Throws <see cref="OnnxFormatException"/> for an input that no node,
    /// initializer or graph input provides, for a value produced twice, and for a cycle (naming its nodes).</summary>
    public static OnnxNode[] TopologicalOrder(OnnxGraphProto g, ISet<string> available)
    {
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
            foreach (var name in g.Nodes[i].Inputs)
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
}
