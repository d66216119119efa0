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
            var grads = node.Apply(g);
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
                    Accumulate(input, gi);
            }
            if (!retainGraph) node.Release();
        }
    }

    private static void Accumulate(Tensor leaf, Tensor g)
    {
        if (g.DType != leaf.DType) g = g.To(leaf.DType);
        if (leaf.Grad is null)
            leaf.Grad = g.Clone();
        else
            leaf.Grad.Add_(g);
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
