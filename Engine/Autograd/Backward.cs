namespace Scratch.Autograd;

/// <summary>Reverse-mode traversal of the tape.</summary>
public static class Backward
{
    /// <summary>Propagates <paramref name="gradient"/> (ones for a one-element root when null) from
    /// <paramref name="root"/> to every leaf that requires grad, accumulating into <see cref="Tensor.Grad"/>.</summary>
    /// <remarks>Gradients are computed with grad mode disabled (first order). Without
    /// <paramref name="retainGraph"/> the visited nodes free their saved tensors.</remarks>
    public static void Run(Tensor root, Tensor? gradient, bool retainGraph)
    {
        if (!root.RequiresGrad)
            throw new AutogradException("Backward: the tensor does not require grad and has no grad_fn.");
        using var _ = GradMode.Disable();
        Tensor grad;
        if (gradient is null)
        {
            if (root.Numel != 1)
                throw new AutogradException($"Backward: gradient can be implicit only for one-element outputs, got shape {root.Shape}; pass a gradient.");
            grad = Tensor.OnesLike(root);
        }
        else
        {
            if (gradient.Shape != root.Shape)
                throw new ShapeMismatchException("Backward", "gradient", root.Shape.ToString(), gradient.Shape.ToString());
            if (gradient.DType != root.DType)
                throw new DTypeMismatchException("Backward", "gradient", root.DType.Name(), gradient.DType.Name());
            grad = gradient;
        }
        if (root.GradFn is null)
        {
            Accumulate(root, grad);
            return;
        }
        var order = TopologicalOrder(root.GradFn);
        var pending = new Dictionary<Node, Tensor> { [root.GradFn] = grad };
        foreach (var node in order)
        {
            if (!pending.Remove(node, out var g)) continue;
            var mark = Storage.LastSerial;
            var started = NodeTimes is null ? 0 : System.Diagnostics.Stopwatch.GetTimestamp();
            var grads = node.Apply(g);
            if (NodeTimes is { } times)
            {
                var ms = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                var key = ProfileByShape ? $"{node.Name} {node.Inputs[0].Shape}" : node.Name;
                times[key] = times.TryGetValue(key, out var t) ? (t.Ms + ms, t.Calls + 1) : (ms, 1);
            }
            for (var i = 0; i < grads.Length; i++)
            {
                var input = node.Inputs[i];
                var gi = grads[i];
                if (gi is null || !input.RequiresGrad) continue;
                if (gi.Shape != input.Shape)
                    throw new InvalidOperationException($"{node.Name}: backward produced a gradient of shape {gi.Shape} for input {i} of shape {input.Shape}.");
                if (input.GradFn is { } fn)
                    pending[fn] = pending.TryGetValue(fn, out var prev) ? prev.Add(gi) : gi;
                else
                    Accumulate(input, gi, Owned(grads, i, mark));
            }
            if (!retainGraph) node.Release();
        }
    }

    /// <summary>When set, every backward adds each node's wall time (and a call) under the node's name: a
    /// per-op profile of the backward pass for benchmarks. Not thread-safe; null (off) by default.</summary>
    internal static Dictionary<string, (double Ms, int Calls)>? NodeTimes { get; set; }

    /// <summary>Keys <see cref="NodeTimes"/> by node name and first input shape instead of the name alone.</summary>
    internal static bool ProfileByShape { get; set; }

    /// <summary>Adds <paramref name="g"/> into the leaf's gradient; the first gradient is copied unless
    /// <paramref name="owned"/> says no one else holds it, in which case the leaf takes it as it is (as PyTorch's
    /// AccumulateGrad steals a gradient whose only reference it holds).</summary>
    private static void Accumulate(Tensor leaf, Tensor g, bool owned = false)
    {
        if (g.DType != leaf.DType) (g, owned) = (g.To(leaf.DType), true);
        if (leaf.Grad is null)
            leaf.Grad = owned ? g : g.Clone();
        else
            leaf.Grad.Add_(g);
    }

    /// <summary>Whether grads[i] is a whole, contiguous tensor over a storage the node allocated during this
    /// <see cref="Node.Apply"/> (serial above <paramref name="mark"/>) and returned for no other input, so no
    /// saved tensor, incoming gradient or other leaf can see it.</summary>
    private static bool Owned(Tensor?[] grads, int i, long mark)
    {
        var s = grads[i]!.Storage;
        if (s.Serial <= mark || grads[i]!.Offset != 0 || grads[i]!.Numel != s.Length || !grads[i]!.IsContiguous)
            return false;
        for (var j = 0; j < grads.Length; j++)
            if (j != i && grads[j] is { } other && ReferenceEquals(other.Storage, s)) return false;
        return true;
    }

    /// <summary>Nodes reachable from <paramref name="root"/>, each after every node that consumes it.</summary>
    private static List<Node> TopologicalOrder(Node root)
    {
        var visited = new HashSet<Node>();
        var post = new List<Node>();
        var stack = new Stack<(Node Node, int Next)>();
        stack.Push((root, 0));
        visited.Add(root);
        while (stack.Count > 0)
        {
            var (node, next) = stack.Pop();
            if (next < node.Inputs.Count)
            {
                stack.Push((node, next + 1));
                if (node.Inputs[next].GradFn is { } child && visited.Add(child))
                    stack.Push((child, 0));
            }
            else
            {
                post.Add(node);
            }
        }
        post.Reverse();
        return post;
    }
}
