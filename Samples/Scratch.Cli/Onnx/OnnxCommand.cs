using System.Globalization;
using System.Text.Json;
using Scratch.IO.Onnx;

namespace Scratch.Cli.Onnx;

/// <summary><c>scratch onnx run MODEL.onnx --input NAME=FILE ... [--output-dir DIR] [--json]</c> and
/// <c>scratch onnx node-tests DIR [--filter SUBSTRING] [--json]</c>.</summary>
internal static class OnnxCommand
{
    private const string Usage =
        "usage: scratch onnx run MODEL.onnx --input NAME=FILE ... [--output-dir DIR] [--json]\n" +
        "       scratch onnx node-tests DIR [--filter SUBSTRING] [--json]\n" +
        "FILE is a .npy array or a TensorProto .pb; outputs are written as NAME.npy into --output-dir when given.";

    public static int Run(string[] args)
    {
        if (args.Length < 2 || args[0] is "-h" or "--help")
        {
            Console.Error.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        try
        {
            return args[0] switch
            {
                "run" => RunModel(args[1], args[2..]),
                "node-tests" => NodeTests(args[1], args[2..]),
                _ => throw new ArgumentException($"onnx: unknown subcommand '{args[0]}'.\n{Usage}"),
            };
        }
        catch (Exception e) when (e is ArgumentException or OnnxFormatException or OnnxUnsupportedException
            or IOException or InvalidDataException)
        {
            Console.Error.WriteLine($"scratch onnx: {e.Message}");
            return 1;
        }
    }

    private static Tensor ReadTensor(string path) =>
        path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) ? Npy.Read(path)
            : OnnxTensors.ToTensor(OnnxProtoParser.ParseTensor(File.ReadAllBytes(path)));

    private static int RunModel(string modelPath, string[] rest)
    {
        var inputs = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        string? outDir = null;
        var json = false;
        for (var i = 0; i < rest.Length; i++)
        {
            switch (rest[i])
            {
                case "--input":
                {
                    var spec = i + 1 < rest.Length ? rest[++i] : throw new ArgumentException("onnx run: --input expects NAME=FILE.");
                    var eq = spec.IndexOf('=', StringComparison.Ordinal);
                    if (eq <= 0) throw new ArgumentException($"onnx run: --input expects NAME=FILE, got '{spec}'.");
                    inputs[spec[..eq]] = ReadTensor(spec[(eq + 1)..]);
                    break;
                }
                case "--output-dir": outDir = i + 1 < rest.Length ? rest[++i] : throw new ArgumentException("onnx run: --output-dir expects a folder."); break;
                case "--json": json = true; break;
                default: throw new ArgumentException($"onnx run: unknown option '{rest[i]}'.");
            }
        }
        var model = OnnxModel.Load(modelPath);
        var outputs = model.Run(inputs);
        if (outDir is not null)
        {
            Directory.CreateDirectory(outDir);
            foreach (var (name, t) in outputs)
                Npy.Write(Path.Combine(outDir, SafeName(name) + ".npy"), t);
        }
        if (json)
        {
            var doc = outputs.ToDictionary(kv => kv.Key, kv => new
            {
                dtype = kv.Value.DType.Name(),
                shape = kv.Value.Shape.ToArray(),
                values = kv.Value.Numel <= 4096 ? kv.Value.ToDoubleArray() : null,
            });
            Console.WriteLine(JsonSerializer.Serialize(doc));
        }
        else
        {
            foreach (var (name, t) in outputs)
            {
                var v = t.ToDoubleArray();
                var head = string.Join(", ", v.Take(8).Select(x => x.ToString("G6", CultureInfo.InvariantCulture)));
                Console.WriteLine($"{name}: {t.DType.Name()} {t.Shape} [{head}{(v.Length > 8 ? ", ..." : "")}]");
            }
        }
        return 0;
    }

    private static string SafeName(string name) =>
        string.Concat(name.Select(ch => char.IsLetterOrDigit(ch) || ch is '_' or '-' or '.' ? ch : '_'));

    private static int NodeTests(string dir, string[] rest)
    {
        string? filter = null;
        var json = false;
        for (var i = 0; i < rest.Length; i++)
        {
            switch (rest[i])
            {
                case "--filter": filter = i + 1 < rest.Length ? rest[++i] : throw new ArgumentException("onnx node-tests: --filter expects a substring."); break;
                case "--json": json = true; break;
                default: throw new ArgumentException($"onnx node-tests: unknown option '{rest[i]}'.");
            }
        }
        if (!Directory.Exists(dir)) throw new ArgumentException($"onnx node-tests: folder '{dir}' does not exist.");
        var results = OnnxNodeTests.RunAll(dir, filter is null ? null : n => n.Contains(filter, StringComparison.Ordinal));
        int passed = results.Count(r => r.Status == OnnxTestStatus.Passed);
        int failed = results.Count(r => r.Status == OnnxTestStatus.Failed);
        int skipped = results.Count(r => r.Status == OnnxTestStatus.Skipped);
        if (json)
        {
            var doc = new
            {
                passed,
                failed,
                skipped,
                tests = results.Select(r => new { name = r.Name, status = r.Status.ToString().ToLowerInvariant(), message = r.Message }),
            };
            Console.WriteLine(JsonSerializer.Serialize(doc));
        }
        else
        {
            foreach (var r in results)
            {
                var word = r.Status switch { OnnxTestStatus.Passed => "pass", OnnxTestStatus.Failed => "fail", _ => "unsupported" };
                Console.WriteLine(r.Message.Length == 0 ? $"{word,-12}{r.Name}" : $"{word,-12}{r.Name}  ({r.Message})");
            }
        }
        Console.WriteLine($"{passed} passed, {failed} failed, {skipped} skipped");
        return failed == 0 ? 0 : 1;
    }
}
