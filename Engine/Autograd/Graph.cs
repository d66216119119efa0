namespace Scratch.Autograd;

/// <summary>Records ops on the tape.</summary>
public static class Graph
{
    /// <summary>True when grad mode is on and any input requires grad.</summary>
    public static bool NeedsGrad(Tensor a) => GradMode.IsEnabled && a.RequiresGrad;

    /// <summary>True when grad mode is on and any input requires grad.</summary>
    public static bool NeedsGrad(Tensor a, Tensor b) => GradMode.IsEnabled && (a.RequiresGrad || b.RequiresGrad);

    /// <summary>True when grad mode is on and any input requires grad.</summary>
    public static bool NeedsGrad(params ReadOnlySpan<Tensor> inputs)
    {
        if (!GradMode.IsEnabled) return false;
        foreach (var t in inputs)
            if (t.RequiresGrad) return true;
        return false;
    }

    /// <summary>Attaches a node to <paramref name="result"/> when any input requires grad; returns the result.</summary>
    /// <param name="result">The op's freshly made output (not yet in any graph).</param>
    /// <param name="name">The op's name.</param>
    /// <param name="inputs">The op's tensor inputs.</param>
    /// <param name="backward">Maps dL/d(result) to dL/d(input) per input (null where not needed); it runs with
    /// grad mode disabled and must return gradients of exactly the inputs' shapes.</param>
    public static Tensor Record(Tensor result, string name, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
    {
        if (!NeedsGrad(inputs)) return result;
        if (ForwardTimes is { } times) Tick(times, inputs.Length > 0 ? $"{name} {inputs[0].Shape}" : name);
        result.GradFn = new Node(name, inputs, backward);
        result.RequiresGradFromGraph();
        return result;
    }

    /// <summary>When set, each recorded op adds the wall time since the previous record (or since
    /// <see cref="StartForwardClock"/>) under its name and first input shape: a per-op profile of a forward pass
    /// for benchmarks, approximate in that host work between ops is charged to the op that follows it. Not
    /// thread-safe; null (off) by default.</summary>
    internal static Dictionary<string, (double Ms, int Calls)>? ForwardTimes { get; set; }

    private static long lastTick;

    /// <summary>Starts the clock <see cref="ForwardTimes"/> charges the first recorded op from.</summary>
    internal static void StartForwardClock() => lastTick = System.Diagnostics.Stopwatch.GetTimestamp();

    private static void Tick(Dictionary<string, (double Ms, int Calls)> times, string key)
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        var ms = System.Diagnostics.Stopwatch.GetElapsedTime(lastTick, now).TotalMilliseconds;
        lastTick = now;
        times[key] = times.TryGetValue(key, out var t) ? (t.Ms + ms, t.Calls + 1) : (ms, 1);
    }
}
