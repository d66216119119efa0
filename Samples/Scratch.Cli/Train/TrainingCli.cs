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

    /// <summary>Checks <c>--device</c>: only the host CPU backend is available to the CLI.</summary>
    public static void RequireCpu(string command, string? device)
    {
        if (device is not null and not "cpu")
            throw new ArgumentException($"{command}: --device expects cpu, got '{device}'.");
    }

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

    /// <summary>Formats a number for a one-line display.</summary>
    public static string F4(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
}
