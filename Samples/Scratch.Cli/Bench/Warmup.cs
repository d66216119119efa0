using System.Diagnostics;

namespace Scratch.Cli.Bench;

/// <summary>Untimed calls before a benchmark's timed ones. .NET's tiered JIT first runs each method as quickly
/// compiled code and recompiles the hot ones at full optimisation only after about 30 calls and a background delay,
/// so a couple of warm-up calls leave the first timed ones slow (a ResNet-50 training step measured 341 ms after 2
/// warm-ups and 235 ms once warm).</summary>
internal static class Warmup
{
    /// <summary>Calls <paramref name="f"/> at least <paramref name="calls"/> times and for at least
    /// <paramref name="seconds"/> of wall time.</summary>
    public static void Run(Action f, int calls = 10, double seconds = 1.0)
    {
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < calls || clock.Elapsed.TotalSeconds < seconds; i++) f();
    }
}
