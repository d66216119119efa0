using System.Diagnostics;
using System.Globalization;

namespace Scratch.Cli;

/// <summary>Limits the engine's worker threads. .NET sizes its thread pool (and <c>Parallel.For</c>) from
/// <see cref="Environment.ProcessorCount"/>, which can only be lowered at startup through the
/// <c>DOTNET_PROCESSOR_COUNT</c> variable, so a limit is applied by re-running this program with it set.</summary>
internal static class ThreadLimit
{
    private const string Variable = "DOTNET_PROCESSOR_COUNT";

    /// <summary>When <paramref name="threads"/> &gt; 0 and the process does not already run with that count, runs
    /// this program again (same arguments, inherited console) with the limit and returns its exit code; otherwise
    /// returns null and the caller goes on in this process.</summary>
    public static int? Enforce(int threads)
    {
        var wanted = threads.ToString(CultureInfo.InvariantCulture);
        if (threads <= 0 || Environment.GetEnvironmentVariable(Variable) == wanted) return null;
        var host = Environment.ProcessPath;
        var argv = Environment.GetCommandLineArgs();
        if (host is null || argv.Length == 0) return null;
        var psi = new ProcessStartInfo(host) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            psi.ArgumentList.Add(argv[0]);
        foreach (var a in argv.Skip(1)) psi.ArgumentList.Add(a);
        psi.Environment[Variable] = wanted;
        using var child = Process.Start(psi);
        if (child is null) return null;
        child.WaitForExit();
        return child.ExitCode;
    }
}
