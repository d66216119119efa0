namespace Scratch.IO.Onnx;

internal static partial class OnnxOps
{
    /// <summary>Control flow: If (runs then_branch or else_branch, which read the enclosing scope) and Loop (the
    /// body runs with the iteration number, the condition and the loop-carried values; scan outputs are stacked
    /// along a new first dim).</summary>
    private static void AddControl(Dictionary<string, OnnxKernel> d)
    {
        d["If"] = c =>
        {
            var cond = c.X(0);
            if (cond.Numel != 1) throw new OnnxFormatException($"ONNX: If condition expected one element, got {cond.Shape}.");
            var branch = cond.ToDoubleArray()[0] != 0 ? "then_branch" : "else_branch";
            var g = c.Attr(branch)?.G ?? throw new OnnxFormatException($"ONNX: If node '{c.Node.Name}' expected a {branch} graph.");
            return c.RunSubgraph(g);
        };
        d["Loop"] = Loop;
    }

    private static Tensor?[] Loop(OnnxContext c)
    {
        var body = c.Attr("body")?.G ?? throw new OnnxFormatException($"ONNX: Loop node '{c.Node.Name}' expected a body graph.");
        var maxTrip = c.Opt(0) is { } m ? OnnxContext.Longs(m)[0] : long.MaxValue;
        var cond = c.Opt(1) is not { } cd || cd.ToDoubleArray()[0] != 0;
        var carried = Enumerable.Range(2, Math.Max(0, c.Count - 2)).Select(i => c.X(i)).ToArray();
        var nCarried = carried.Length;
        if (body.Inputs.Length != nCarried + 2 || body.Outputs.Length < nCarried + 1)
            throw new OnnxFormatException($"ONNX: Loop body expected {nCarried + 2} inputs and at least {nCarried + 1} outputs, got {body.Inputs.Length} and {body.Outputs.Length}.");
        if (c.Opt(0) is null && c.Opt(1) is null) throw c.Unsupported("a loop with neither a trip count nor a condition");
        var scans = new List<Tensor>[body.Outputs.Length - 1 - nCarried];
        for (var i = 0; i < scans.Length; i++) scans[i] = [];
        long elements = 0;
        for (long it = 0; it < maxTrip && cond; it++)
        {
            if (it >= c.MaxLoopIterations)
                throw new OnnxFormatException($"ONNX: Loop node '{c.Node.Name}' expected at most {c.MaxLoopIterations} iterations.");
            var extra = new Dictionary<string, Tensor>(StringComparer.Ordinal)
            {
                [body.Inputs[0].Name] = Tensor.From(new[] { it }, new Shape()),
                [body.Inputs[1].Name] = Tensor.From(new[] { cond }, new Shape()),
            };
            for (var i = 0; i < nCarried; i++) extra[body.Inputs[i + 2].Name] = carried[i];
            var outs = c.RunSubgraph(body, extra);
            cond = outs[0]!.ToDoubleArray()[0] != 0;
            for (var i = 0; i < nCarried; i++) carried[i] = outs[i + 1]!;
            for (var i = 0; i < scans.Length; i++)
            {
                scans[i].Add(outs[1 + nCarried + i]!);
                elements += outs[1 + nCarried + i]!.Numel;
            }
            CheckSize(elements, c);
        }
        var result = new Tensor?[nCarried + scans.Length];
        for (var i = 0; i < nCarried; i++) result[i] = carried[i];
        for (var i = 0; i < scans.Length; i++)
        {
            if (scans[i].Count == 0) throw c.Unsupported("a scan output of a loop that ran zero times");
            result[nCarried + i] = F.Stack(scans[i], 0);
        }
        return result;
    }
}
