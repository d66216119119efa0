using System.Diagnostics;
using Xunit;

namespace Scratch.Tests.Cli;

/// <summary>Runs the <c>scratch</c> command line as a process (the test project does not reference the CLI): finds
/// the repository, builds the CLI once per test run and runs <c>dotnet</c> with arguments.</summary>
internal static class CliProcess
{
    private static readonly Lazy<string> Built = new(() =>
    {
        var build = Run(RepoRoot(), "build", Path.Combine("Samples", "Scratch.Cli"), "-c", "Release");
        Assert.True(build.Code == 0, build.Stdout + build.Stderr);
        return Path.Combine(RepoRoot(), "Samples", "Scratch.Cli", "bin", "Release", "net10.0", "scratch.dll");
    });

    /// <summary>The repository root above the test binaries.</summary>
    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Samples", "Scratch.Cli", "Scratch.Cli.csproj")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The built <c>scratch.dll</c> (Release), building it on first use.</summary>
    public static string Dll => Built.Value;

    /// <summary>Runs <c>dotnet args…</c> in <paramref name="workDir"/> and returns its exit code and output.</summary>
    public static (int Code, string Stdout, string Stderr) Run(string workDir, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output, err.Result);
    }
}
