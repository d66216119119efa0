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
        result.GradFn = new Node(name, inputs, backward);
        result.RequiresGradFromGraph();
        return result;
    }
}
