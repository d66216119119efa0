namespace Scratch.IO.Onnx;

/// <summary>Outcome of one ONNX backend node test.</summary>
public enum OnnxTestStatus
{
    /// <summary>Every output matched.</summary>
    Passed,
    /// <summary>An output differed, or running threw.</summary>
    Failed,
    /// <summary>The model uses something Scratch does not implement.</summary>
    Skipped,
}

/// <summary>Result of one node-test folder.</summary>
/// <param name="Name">Folder name (e.g. test_relu).</param>
/// <param name="Status">Passed, failed or skipped.</param>
/// <param name="Message">Why it failed or was skipped; empty when passed.</param>
/// <param name="OpTypes">Operator types of the model's nodes (empty when the model did not parse).</param>
public sealed record OnnxTestResult(string Name, OnnxTestStatus Status, string Message, IReadOnlyList<string> OpTypes);

/// <summary>Runs ONNX backend node-test folders: <c>model.onnx</c> plus <c>test_data_set_*/input_*.pb</c> and
/// <c>output_*.pb</c> (TensorProtos). Outputs must have the expected dtype and shape, integers and booleans exactly
/// equal values and floats |actual − expected| ≤ atol + rtol·|expected| (NaN matching NaN), with ONNX's backend-test
/// tolerances rtol = 1e-3, atol = 1e-7 by default.</summary>
public static class OnnxNodeTests
{
    /// <summary>Runs one folder.</summary>
    public static OnnxTestResult RunFolder(string dir, double rtol = 1e-3, double atol = 1e-7)
    {
        var name = Path.GetFileName(dir.TrimEnd(Path.DirectorySeparatorChar));
        IReadOnlyList<string> ops = [];
        try
        {
            var bytes = File.ReadAllBytes(Path.Combine(dir, "model.onnx"));
            var proto = OnnxProtoParser.ParseModel(bytes);
            ops = [.. proto.Graph.Nodes.Select(n => n.OpType).Distinct()];
            var model = OnnxModel.Load(bytes);
            var sets = Directory.GetDirectories(dir, "test_data_set_*").Order(StringComparer.Ordinal).ToArray();
            if (sets.Length == 0) return new(name, OnnxTestStatus.Skipped, "no test_data_set_* folders", ops);
            foreach (var set in sets)
            {
                var inputs = new Dictionary<string, Tensor>(StringComparer.Ordinal);
                var graphInputs = proto.Graph.Inputs;
                for (var i = 0; ; i++)
                {
                    var path = Path.Combine(set, $"input_{i}.pb");
                    if (!File.Exists(path)) break;
                    var tp = OnnxProtoParser.ParseTensor(File.ReadAllBytes(path));
                    var key = tp.Name.Length > 0 && graphInputs.Any(g => g.Name == tp.Name) ? tp.Name
                        : i < graphInputs.Length ? graphInputs[i].Name
                        : throw new OnnxFormatException($"input_{i}.pb has no matching graph input.");
                    inputs[key] = OnnxTensors.ToTensor(tp);
                }
                var outputs = model.Run(inputs);
                for (var i = 0; ; i++)
                {
                    var path = Path.Combine(set, $"output_{i}.pb");
                    if (!File.Exists(path)) break;
                    var tp = OnnxProtoParser.ParseTensor(File.ReadAllBytes(path));
                    var outName = i < model.Outputs.Count ? model.Outputs[i].Name : tp.Name;
                    if (!outputs.TryGetValue(outName, out var actual))
                        return new(name, OnnxTestStatus.Failed, $"output '{outName}' missing", ops);
                    var why = Compare(actual, OnnxTensors.ToTensor(tp), rtol, atol);
                    if (why is not null)
                        return new(name, OnnxTestStatus.Failed, $"{Path.GetFileName(set)} output '{outName}': {why}", ops);
                }
            }
            return new(name, OnnxTestStatus.Passed, "", ops);
        }
        catch (OnnxUnsupportedException e)
        {
            return new(name, OnnxTestStatus.Skipped, e.Message, ops);
        }
        catch (Exception e)
        {
            return new(name, OnnxTestStatus.Failed, $"{e.GetType().Name}: {e.Message}", ops);
        }
    }

    /// <summary>Runs every subfolder of <paramref name="root"/> that holds a model.onnx, in name order.</summary>
    public static IReadOnlyList<OnnxTestResult> RunAll(string root, Func<string, bool>? filter = null,
        double rtol = 1e-3, double atol = 1e-7) =>
        [.. Directory.GetDirectories(root).Order(StringComparer.Ordinal)
            .Where(d => File.Exists(Path.Combine(d, "model.onnx")) && (filter?.Invoke(Path.GetFileName(d)) ?? true))
            .Select(d => RunFolder(d, rtol, atol))];

    /// <summary>Null when <paramref name="actual"/> matches <paramref name="expected"/>, else the first difference.
    /// </summary>
    public static string? Compare(Tensor actual, Tensor expected, double rtol = 1e-3, double atol = 1e-7)
    {
        if (actual.DType != expected.DType) return $"dtype {actual.DType.Name()}, expected {expected.DType.Name()}";
        if (actual.Shape != expected.Shape) return $"shape {actual.Shape}, expected {expected.Shape}";
        var a = actual.ToDoubleArray();
        var e = expected.ToDoubleArray();
        var exact = !expected.DType.IsFloating();
        if (expected.DType == DType.I64)
        {
            var (al, el) = (actual.ToArray<long>(), expected.ToArray<long>());
            for (var i = 0; i < al.Length; i++)
                if (al[i] != el[i]) return $"element {i}: {al[i]}, expected {el[i]}";
            return null;
        }
        for (var i = 0; i < a.Length; i++)
        {
            if (double.IsNaN(e[i]) && double.IsNaN(a[i])) continue;
            if (exact ? a[i] != e[i] : !(Math.Abs(a[i] - e[i]) <= atol + rtol * Math.Abs(e[i])) && a[i] != e[i])
                return $"element {i}: {a[i]:R}, expected {e[i]:R}";
        }
        return null;
    }
}
