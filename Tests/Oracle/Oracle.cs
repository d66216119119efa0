using System.Collections.Concurrent;
using System.Text.Json;
using Scratch.IO;
using Scratch.NN;
using Xunit;

namespace Scratch.Tests.Oracle;

/// <summary>One fixture case of Tests/Fixtures/make_fixtures.py: the op the C# side dispatches on, its arguments,
/// the number of inputs and outputs, which outputs carry an upstream gradient and which inputs get a gradient.</summary>
public sealed record OracleCase(string Name, string Op, OracleArgs Args, int Inputs, int Outputs, bool Single,
    int[] Gouts, int[] Grads, string[] State, string[] ParamGrads);

/// <summary>The JSON arguments of a case, with typed accessors and defaults.</summary>
public sealed class OracleArgs(JsonElement json)
{
    /// <summary>True when <paramref name="key"/> is present and not null.</summary>
    public bool Has(string key) => json.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null;

    /// <summary>An integer argument.</summary>
    public int Int(string key, int? fallback = null) =>
        Has(key) ? json.GetProperty(key).GetInt32() : fallback ?? throw Missing(key);

    /// <summary>A float argument.</summary>
    public double Double(string key, double? fallback = null) =>
        Has(key) ? json.GetProperty(key).GetDouble() : fallback ?? throw Missing(key);

    /// <summary>A boolean argument.</summary>
    public bool Bool(string key, bool fallback = false) => Has(key) ? json.GetProperty(key).GetBoolean() : fallback;

    /// <summary>A string argument.</summary>
    public string Str(string key, string? fallback = null) =>
        Has(key) ? json.GetProperty(key).GetString()! : fallback ?? throw Missing(key);

    /// <summary>An integer-list argument.</summary>
    public int[] Ints(string key) =>
        Has(key) ? json.GetProperty(key).EnumerateArray().Select(e => e.GetInt32()).ToArray() : throw Missing(key);

    /// <summary>A float-list argument.</summary>
    public double[] Doubles(string key) =>
        Has(key) ? json.GetProperty(key).EnumerateArray().Select(e => e.GetDouble()).ToArray() : throw Missing(key);

    /// <summary>A list of strings (null entries stay null).</summary>
    public string?[] Strings(string key) =>
        Has(key) ? json.GetProperty(key).EnumerateArray().Select(e => e.GetString()).ToArray() : throw Missing(key);

    /// <summary>True when <paramref name="key"/> is present with the value null.</summary>
    public bool HasNull(string key) => json.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Null;

    /// <summary>An integer-list argument, or null when absent.</summary>
    public int[]? IntsOrNull(string key) => Has(key) ? Ints(key) : null;

    /// <summary>A two-element list as (h, w).</summary>
    public (int H, int W) Pair(string key) => Ints(key) is [var h, var w] ? (h, w) : throw Missing(key);

    /// <summary>A two-element float list as (h, w).</summary>
    public (double H, double W) DoublePair(string key) =>
        json.GetProperty(key).EnumerateArray().Select(e => e.GetDouble()).ToArray() is [var h, var w]
            ? (h, w) : throw Missing(key);

    /// <summary>The "reduction" argument as a <see cref="Reduction"/> (default mean).</summary>
    public Reduction Reduction => Str("reduction", "mean") switch
    {
        "none" => Scratch.Reduction.None,
        "sum" => Scratch.Reduction.Sum,
        _ => Scratch.Reduction.Mean,
    };

    private static KeyNotFoundException Missing(string key) => new($"oracle case argument '{key}' missing");
}

/// <summary>Loads the PyTorch fixtures of Tests/Fixtures/ops and checks one case against Scratch: outputs and the
/// input gradients of Σₖ⟨outₖ, goutₖ⟩. Float tensors pass when every element satisfies
/// |expected − actual| ≤ tol · max|expected| (error relative to the tensor's largest magnitude; tol itself when the
/// expected tensor is all zeros); integer and boolean tensors must match exactly; shapes and dtypes must match.</summary>
public static class Oracle
{
    /// <summary>Per-op tolerance for F32 cases.</summary>
    public const double F32Op = 1e-5;

    /// <summary>Tolerance for F32 composite blocks.</summary>
    public const double F32Block = 1e-4;

    /// <summary>Per-op tolerance for F64 cases.</summary>
    public const double F64Op = 1e-10;

    /// <summary>Tolerance for F64 composite blocks.</summary>
    public const double F64Block = 1e-9;

    private sealed record Family(StateDict Tensors, Dictionary<string, OracleCase> Cases);

    private static readonly ConcurrentDictionary<string, Family> Families = new();

    private static Family Load(string family) => Families.GetOrAdd(family, f =>
    {
        var file = Safetensors.Read(Path.Combine(AppContext.BaseDirectory, "Fixtures", "ops", f + ".safetensors"));
        var cases = new Dictionary<string, OracleCase>(StringComparer.Ordinal);
        foreach (var (name, json) in file.Metadata)
        {
            if (name.StartsWith("__", StringComparison.Ordinal)) continue;
            var m = JsonDocument.Parse(json).RootElement;
            cases[name] = new OracleCase(name, m.GetProperty("op").GetString()!,
                new OracleArgs(m.GetProperty("args").Clone()), m.GetProperty("inputs").GetInt32(),
                m.GetProperty("outputs").GetInt32(), m.GetProperty("single").GetBoolean(),
                m.GetProperty("gouts").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
                m.GetProperty("grads").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
                Strings(m, "state"), Strings(m, "pgrads"));
        }
        return new Family(file.StateDict, cases);
    });

    private static string[] Strings(JsonElement m, string key) => m.TryGetProperty(key, out var v)
        ? v.EnumerateArray().Select(e => e.GetString()!).ToArray() : [];

    /// <summary>Theory data: every case of <paramref name="family"/> except <paramref name="skipped"/>, once per
    /// device (Cpu and Reference).</summary>
    public static TheoryData<string, string> Cases(string family, params string[] skipped)
    {
        var data = new TheoryData<string, string>();
        foreach (var name in Load(family).Cases.Keys.Order(StringComparer.Ordinal))
        {
            if (skipped.Contains(name)) continue;
            data.Add(name, "cpu");
            data.Add(name, "reference");
        }
        return data;
    }

    /// <summary>The case names of a family (for tests that check the skip lists name real cases).</summary>
    public static IReadOnlyCollection<string> Names(string family) => Load(family).Cases.Keys;

    /// <summary>Runs one case on the named device and asserts outputs and gradients within the tolerance for the
    /// case's dtype; returns the largest relative error seen.</summary>
    public static double Run(string family, string caseName, string device, bool block = false)
    {
        var fam = Load(family);
        var c = fam.Cases[caseName];
        var dev = device == "reference" ? Device.Reference : Device.Cpu;
        var inputs = new Tensor[c.Inputs];
        for (var i = 0; i < c.Inputs; i++)
        {
            inputs[i] = fam.Tensors[$"{caseName}.in{i}"].Detach().To(dev).Clone();
            if (c.Grads.Contains(i)) inputs[i].RequiresGrad = true;
        }
        var f64 = inputs.Any(t => t.DType == DType.F64);
        block |= c.Args.Bool("block");
        var tol = (f64, block) switch
        {
            (true, true) => F64Block, (true, false) => F64Op, (false, true) => F32Block, _ => F32Op,
        };
        Module? module = null;
        Tensor[] outs;
        if (c.Op == "module")
        {
            var (m, forward) = OracleModules.Create(c.Args, f64 ? DType.F64 : DType.F32);
            module = m.To(f64 ? DType.F64 : DType.F32).To(dev);
            var state = new StateDict();
            foreach (var key in c.State) state.Add(key, fam.Tensors[$"{caseName}.state.{key}"]);
            module.LoadStateDict(state, strict: true);
            module.Train(c.Args.Bool("training"));
            outs = [forward(inputs)];
        }
        else outs = OracleOps.Run(c.Op, Views(inputs, c.Args), c.Args, dev);
        Assert.True(outs.Length == c.Outputs, $"{caseName}: {outs.Length} outputs, expected {c.Outputs}");
        var worst = 0.0;
        for (var k = 0; k < outs.Length; k++)
        {
            var suffix = c.Single ? "" : k.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(dev, outs[k].Device);
            worst = Math.Max(worst, Compare(fam.Tensors[$"{caseName}.out{suffix}"], outs[k], tol, $"{caseName} out{suffix}"));
        }
        if (c.Gouts.Length > 0)
        {
            Tensor? loss = null;
            foreach (var k in c.Gouts)
            {
                var suffix = c.Single ? "" : k.ToString(System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(outs[k].RequiresGrad, $"{caseName}: out{suffix} does not record a gradient");
                var term = (outs[k] * fam.Tensors[$"{caseName}.gout{suffix}"].To(dev)).Sum();
                loss = loss is null ? term : loss + term;
            }
            loss!.Backward();
            foreach (var i in c.Grads)
            {
                var g = inputs[i].Grad ?? Tensor.ZerosLike(inputs[i]);
                worst = Math.Max(worst, Compare(fam.Tensors[$"{caseName}.grad{i}"], g, tol, $"{caseName} grad{i}"));
            }
            if (module is not null)
            {
                var parameters = module.NamedParameters().ToDictionary(p => p.Name, p => p.Value);
                foreach (var key in c.ParamGrads)
                {
                    Assert.True(parameters.ContainsKey(key), $"{caseName}: no parameter '{key}'");
                    var g = parameters[key].Grad ?? Tensor.ZerosLike(parameters[key]);
                    worst = Math.Max(worst, Compare(fam.Tensors[$"{caseName}.pgrad.{key}"], g, tol, $"{caseName} grad {key}"));
                }
            }
        }
        if (module is not null)
        {
            var after = module.NamedState().ToDictionary(s => s.Name, s => s.Value);
            Assert.Equal(c.State.Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
            foreach (var key in c.State)
                worst = Math.Max(worst, Compare(fam.Tensors[$"{caseName}.post.{key}"], after[key], tol, $"{caseName} state {key}"));
        }
        Report(family, caseName, device, f64 ? "F64" : "F32", worst);
        return worst;
    }

    /// <summary>Applies the case's non-contiguous input views (make_fixtures.py's apply_view): "T" swaps the last two
    /// dims, "P" reverses all dims, "S" keeps every other element of the last dim, "E" expands a leading dim of size 1
    /// to 3, "N" drops the first element of dim 0.</summary>
    private static Tensor[] Views(Tensor[] inputs, OracleArgs args)
    {
        if (!args.Has("views")) return inputs;
        var views = args.Strings("views");
        return inputs.Select((t, i) => views[i] switch
        {
            null => t,
            "T" => t.Transpose(-2, -1),
            "P" => t.Permute(Enumerable.Range(0, t.Rank).Reverse().ToArray()),
            "S" => F.Slice(t, -1, null, null, 2),
            "E" => t.Expand([3, .. t.Shape.ToArray()[1..]]),
            "N" => F.Slice(t, 0, 1),
            var v => throw new ArgumentException($"unknown view '{v}'"),
        }).ToArray();
    }

    /// <summary>Asserts shape, dtype and values; returns the largest |e − a| / max|e| of a float tensor.</summary>
    private static double Compare(Tensor expected, Tensor actual, double tol, string what)
    {
        Assert.True(expected.Shape == actual.Shape, $"{what}: shape {actual.Shape}, expected {expected.Shape}");
        Assert.True(expected.DType == actual.DType, $"{what}: dtype {actual.DType}, expected {expected.DType}");
        var e = expected.ToDoubleArray();
        var a = actual.To(Device.Cpu).ToDoubleArray();
        if (!expected.DType.IsFloating())
        {
            Assert.True(e.SequenceEqual(a), $"{what}: [{string.Join(", ", a)}], expected [{string.Join(", ", e)}]");
            return 0;
        }
        var scale = e.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max();
        if (scale == 0) scale = 1;
        var worst = 0.0;
        for (var i = 0; i < e.Length; i++)
        {
            if (double.IsNaN(e[i]) && double.IsNaN(a[i])) continue;
            if (double.IsInfinity(e[i]) && e[i] == a[i]) continue;
            var err = Math.Abs(e[i] - a[i]) / scale;
            if (!(err <= tol))
                Assert.Fail($"{what}: element {i}: expected {e[i]:G9}, got {a[i]:G9} (error {err:E2} of max|expected| " +
                            $"{scale:G4}, tolerance {tol:E0})");
            worst = Math.Max(worst, err);
        }
        return worst;
    }

    private static readonly Lock ReportLock = new();

    /// <summary>With SCRATCH_ORACLE_REPORT set to a file path, appends "family case device dtype error" per passing
    /// case.</summary>
    private static void Report(string family, string caseName, string device, string dtype, double worst)
    {
        var path = Environment.GetEnvironmentVariable("SCRATCH_ORACLE_REPORT");
        if (string.IsNullOrEmpty(path)) return;
        lock (ReportLock) File.AppendAllText(path, FormattableString.Invariant($"{family} {caseName} {device} {dtype} {worst:E3}\n"));
    }
}
