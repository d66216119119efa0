using System.Text.Json;
using Scratch.NN;
using Xunit;

namespace Scratch.Tests.IO;

/// <summary>The committed interop fixtures (Tests/Fixtures/io, written by Tests/Fixtures/make_io_fixtures.py with
/// torch 1.13) and their expected values.</summary>
internal static class IoFixtures
{
    private static readonly Lazy<string> LazyDir = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "Tests", "Fixtures", "io");
            if (File.Exists(Path.Combine(candidate, "expected.json"))) return candidate;
        }
        throw new DirectoryNotFoundException($"Tests/Fixtures/io not found above {AppContext.BaseDirectory}.");
    });

    private static readonly Lazy<JsonDocument> LazyExpected = new(() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "expected.json"))));

    public static string Dir => LazyDir.Value;

    public static string File_(string name) => Path.Combine(Dir, name);

    public static JsonElement Expected(string group) => LazyExpected.Value.RootElement.GetProperty(group);

    /// <summary>The dtype Scratch holds a torch dtype in (narrow types widened).</summary>
    public static DType Widened(string torchDType) => torchDType switch
    {
        "float32" or "float16" or "bfloat16" => DType.F32,
        "float64" => DType.F64,
        "int64" => DType.I64,
        "int32" or "int16" or "int8" => DType.I32,
        "uint8" => DType.U8,
        "bool" => DType.Bool,
        _ => throw new ArgumentException($"unknown torch dtype {torchDType}"),
    };

    /// <summary>Asserts <paramref name="t"/> has the expected widened dtype, shape and exactly the expected values.</summary>
    public static void AssertTensor(JsonElement expected, Tensor t, string key)
    {
        Assert.True(Widened(expected.GetProperty("dtype").GetString()!) == t.DType, $"{key}: dtype {t.DType}");
        Assert.Equal(expected.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray(), t.Shape.ToArray());
        var want = expected.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(want, t.ToDoubleArray());
    }

    /// <summary>Asserts a state dict matches an expected group: same keys in the same order, exact values.</summary>
    public static void AssertStateDict(JsonElement group, StateDict sd)
    {
        Assert.Equal(group.EnumerateObject().Select(p => p.Name).ToArray(), sd.Keys.ToArray());
        foreach (var p in group.EnumerateObject()) AssertTensor(p.Value, sd[p.Name], p.Name);
    }

    /// <summary>A fresh empty temporary directory, removed by Dispose.</summary>
    public sealed class TempDir : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "scratch-io-" + Guid.NewGuid().ToString("N"));

        public TempDir() => Directory.CreateDirectory(Path);

        public string File(string name) => System.IO.Path.Combine(Path, name);

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
