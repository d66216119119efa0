using System.Globalization;
using Scratch.Data.FashionDet;
using Scratch.Models.Common.Detection;
using Scratch.Models.Common.Training;

namespace Scratch.Cli.Train;

/// <summary>Pieces shared by <c>train</c>, <c>eval</c>, <c>infer</c> and the detection quickstart.</summary>
internal static class TrainingCli
{
    /// <summary>Splits <c>NAME --opt ...</c> into the detector name (which must be registered) and the options.</summary>
    public static (string Detector, string[] Options) DetectorName(string command, string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
            throw new ArgumentException($"{command}: expected a detector name first (one of: {Known()}).");
        if (!DetectorZoo.Names.Contains(args[0], StringComparer.OrdinalIgnoreCase))
            throw new ArgumentException($"{command}: unknown detector '{args[0]}' (known: {Known()}).");
        return (args[0], args[1..]);
    }

    /// <summary>The registered detector names, or a note that none is built in.</summary>
    public static string Known() => DetectorZoo.Names.Count == 0 ? "none registered in this build" : string.Join(", ", DetectorZoo.Names);

    /// <summary>Usage line of <c>--device</c>.</summary>
    public const string DeviceUsage =
        "  --device D            cpu (default), cuda or cuda:N (an NVIDIA GPU through ILGPU), or ilgpu-cpu (ILGPU's\n" +
        "                        CPU accelerator, which runs the GPU kernels on the host: for testing)";

    /// <summary>Parses <c>--device</c>: <c>cpu</c> (or absent), <c>reference</c>, <c>cuda</c> / <c>cuda:N</c>,
    /// <c>ilgpu-cpu</c> / <c>ilgpu-cpu:0</c> (the names <see cref="Device.ToString"/> prints). A CUDA device that
    /// ILGPU does not find is refused here, with the reason.</summary>
    /// <exception cref="ArgumentException">An unknown name, or a CUDA device that is not there.</exception>
    public static Device ParseDevice(string command, string? device)
    {
        switch (device)
        {
            case null or "cpu": return Device.Cpu;
            case "reference": return Device.Reference;
            case "ilgpu-cpu" or "ilgpu-cpu:0": return Device.IlgpuCpu;
        }
        if (device == "cuda" || device.StartsWith("cuda:", StringComparison.Ordinal))
        {
            var index = 0;
            if (device.Length > 4 && !int.TryParse(device.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out index))
                throw new ArgumentException($"{command}: --device expects cuda:N with N a device number, got '{device}'.");
            string? why;
            try
            {
                why = Scratch.Backends.Gpu.GpuRuntime.CudaUnavailableReason(index);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                why = $"ILGPU could not look for CUDA devices ({e.GetType().Name}: {e.Message})";
            }
            if (why is not null) throw new ArgumentException($"{command}: --device {device} is not available: {why}.");
            return Device.Cuda(index);
        }
        throw new ArgumentException($"{command}: --device expects cpu, cuda, cuda:N or ilgpu-cpu, got '{device}'.");
    }

    /// <summary>The message of an op that has no kernel on the chosen device (a <see cref="NotSupportedException"/>
    /// thrown while the model ran there), naming the device and suggesting the CPU.</summary>
    public static string Unsupported(string command, Device device, NotSupportedException e) =>
        $"scratch {command}: --device {device}: an operation of this model has no kernel on that device yet: {e.Message} " +
        "(run with --device cpu)";

    /// <summary>Creates the detector, turning an unknown name into a usage error.</summary>
    public static Detector Create(string command, string name, DetectorSpec spec)
    {
        try
        {
            return DetectorZoo.Create(name, spec);
        }
        catch (ArgumentException e) when (e.ParamName == "name")
        {
            throw new ArgumentException($"{command}: unknown detector '{name}' (known: {Known()}).", e);
        }
    }

    /// <summary>Class names for <paramref name="numClasses"/> classes: FashionDet's for 10, else "0", "1", ….</summary>
    public static string[] ClassNames(int numClasses) => numClasses == FashionDetWriter.Classes.Length
        ? FashionDetWriter.Classes
        : [.. Enumerable.Range(0, numClasses).Select(i => i.ToString(CultureInfo.InvariantCulture))];

    /// <summary>The image size stored in a weights file by training (null when absent or unreadable).</summary>
    public static int? StoredImageSize(IReadOnlyDictionary<string, string> metadata) =>
        metadata.TryGetValue(TrainingCheckpoint.ImageSizeKey, out var s) && int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;

    /// <summary>The model options shared by <c>train</c>, <c>eval</c> and <c>infer</c>.</summary>
    public static readonly string[] ModelOptions = ["backbone", "fpn-channels", "convs", "norm", "freeze-at"];

    /// <summary>Usage lines of <see cref="ModelOptions"/>.</summary>
    public const string ModelUsage =
        "  --backbone B          backbone name (default resnet18, or as stored in the weights)\n" +
        "  --fpn-channels C      FPN and head width (default: the detector's, or as stored)\n" +
        "  --convs N             convs per head tower (default: the detector's, or as stored)\n" +
        "  --norm bn|frozenbn    backbone norm: bn (trainable, for training from scratch) or frozenbn\n" +
        "  --freeze-at N         backbone stages frozen (0 trains all; default: the detector's, or as stored)";

    /// <summary>Metadata key of the model options in weights files.</summary>
    public const string SpecKey = "detector_spec";

    /// <summary>The spec of <paramref name="numClasses"/> classes from the model options given in
    /// <paramref name="p"/>, falling back to those stored in <paramref name="metadata"/> (when given), then to the
    /// detector's defaults.</summary>
    public static DetectorSpec Spec(ArgParser p, int numClasses, ulong seed = 0, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var stored = new Dictionary<string, string>();
        if (metadata is not null && metadata.TryGetValue(SpecKey, out var json))
            stored = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? stored;
        string? Get(string key) => p.String(key) ?? stored.GetValueOrDefault(key);
        int? GetInt(string key, int min)
        {
            if (p.String(key) is not null) return p.Int(key, 0, min);
            return stored.TryGetValue(key, out var s) && int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;
        }
        Scratch.Models.Common.Backbones.ResNetNorm? norm = Get("norm") switch
        {
            null => null,
            "bn" => Scratch.Models.Common.Backbones.ResNetNorm.BatchNorm,
            "frozenbn" => Scratch.Models.Common.Backbones.ResNetNorm.FrozenBatchNorm,
            var other => throw new ArgumentException($"{p.Command}: --norm expects bn or frozenbn, got '{other}'."),
        };
        return new DetectorSpec(numClasses, Get("backbone") ?? "resnet18", 3, seed, GetInt("fpn-channels", 1), GetInt("convs", 0), norm,
            GetInt("freeze-at", 0));
    }

    /// <summary>The model options of <paramref name="spec"/> as weights metadata (<see cref="SpecKey"/>: a JSON
    /// object of the set options under their command-line names).</summary>
    public static Dictionary<string, string> SpecMetadata(DetectorSpec spec)
    {
        var d = new Dictionary<string, string> { ["backbone"] = spec.Backbone };
        if (spec.FpnChannels is { } c) d["fpn-channels"] = c.ToString(CultureInfo.InvariantCulture);
        if (spec.NumConvs is { } n) d["convs"] = n.ToString(CultureInfo.InvariantCulture);
        if (spec.BackboneNorm is { } b) d["norm"] = b == Scratch.Models.Common.Backbones.ResNetNorm.BatchNorm ? "bn" : "frozenbn";
        if (spec.FreezeAt is { } f) d["freeze-at"] = f.ToString(CultureInfo.InvariantCulture);
        return new Dictionary<string, string> { [SpecKey] = System.Text.Json.JsonSerializer.Serialize(d) };
    }

    /// <summary>Formats a number for a one-line display.</summary>
    public static string F4(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
}
