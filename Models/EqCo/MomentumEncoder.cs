using Scratch.Autograd;
using Scratch.NN;

namespace Scratch.Models.EqCo;

/// <summary>Exponential-moving-average ("momentum") updates of a key network from a query network.</summary>
public static class MomentumEncoder
{
    /// <summary>Copies every parameter and buffer of <paramref name="source"/> into <paramref name="target"/>
    /// (same architecture) and marks the target's parameters as not requiring grad.</summary>
    public static void CopyInto(Module source, Module target)
    {
        using var _ = GradMode.Disable();
        var src = source.NamedState().ToDictionary(p => p.Name, p => p.Value);
        foreach (var (name, t) in target.NamedState())
        {
            if (!src.TryGetValue(name, out var s))
                throw new ArgumentException($"MomentumEncoder.CopyInto: source has no entry '{name}'.", nameof(source));
            if (s.Shape != t.Shape)
                throw new ShapeMismatchException("MomentumEncoder.CopyInto", name, s.Shape.ToString(), t.Shape.ToString());
            t.Copy_(s);
        }
        foreach (var p in target.Parameters()) p.RequiresGrad = false;
    }

    /// <summary>θ_k ← m·θ_k + (1 − m)·θ_q for every parameter (not the buffers: the key network's BN statistics
    /// come from its own forward passes, as in MoCo). No gradient is recorded.</summary>
    /// <param name="query">The trained network θ_q.</param>
    /// <param name="key">The EMA network θ_k (same architecture).</param>
    /// <param name="momentum">m ∈ [0, 1]; 1 keeps the key network fixed, 0 copies the query network.</param>
    public static void Update(Module query, Module key, double momentum)
    {
        if (!(momentum >= 0 && momentum <= 1))
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, $"MomentumEncoder.Update: momentum must be in [0, 1], got {momentum}.");
        using var _ = GradMode.Disable();
        var q = query.NamedParameters().ToList();
        var k = key.NamedParameters().ToList();
        if (q.Count != k.Count)
            throw new ArgumentException($"MomentumEncoder.Update: the networks differ ({q.Count} vs {k.Count} parameters).", nameof(key));
        for (var i = 0; i < q.Count; i++)
        {
            if (q[i].Name != k[i].Name || q[i].Value.Shape != k[i].Value.Shape)
                throw new ShapeMismatchException("MomentumEncoder.Update", k[i].Name, $"{q[i].Name} {q[i].Value.Shape}", $"{k[i].Name} {k[i].Value.Shape}");
            k[i].Value.Mul_(momentum).Add_(q[i].Value.Detach() * (1 - momentum));
        }
    }
}

/// <summary>MoCo's ring buffer of the most recent keys: a [K, dim] tensor whose oldest rows are overwritten by
/// each <see cref="Enqueue"/>.</summary>
public sealed class KeyQueue
{
    private readonly float[] _data;

    /// <summary>Creates a queue of <paramref name="size"/> random unit vectors of length <paramref name="dim"/>
    /// (MoCo initialises it with normalised Gaussian noise).</summary>
    public KeyQueue(int size, int dim, Generator? generator = null)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, $"KeyQueue: size must be >= 1, got {size}.");
        if (dim < 1) throw new ArgumentOutOfRangeException(nameof(dim), dim, $"KeyQueue: dim must be >= 1, got {dim}.");
        Size = size;
        Dim = dim;
        _data = ContrastiveNet.L2Normalize(Tensor.Randn(new Shape(size, dim), generator)).ToArray<float>();
    }

    /// <summary>Number of stored keys K.</summary>
    public int Size { get; }

    /// <summary>Length of each key.</summary>
    public int Dim { get; }

    /// <summary>Where the next key is written.</summary>
    public int Pointer { get; private set; }

    /// <summary>A copy of the queue as a [K, dim] float32 tensor (row order = storage order).</summary>
    public Tensor Contents => Tensor.From((float[])_data.Clone(), new Shape(Size, Dim));

    /// <summary>Writes the rows of <paramref name="keys"/> [B, dim] at the pointer (wrapping around) and advances
    /// it; with B ≥ K only the last K rows survive.</summary>
    public void Enqueue(Tensor keys)
    {
        if (keys.Rank != 2 || keys.Size(1) != Dim)
            throw new ShapeMismatchException("KeyQueue.Enqueue", "keys", $"[B, {Dim}]", keys.Shape.ToString());
        var k = keys.Detach().To(DType.F32).ToArray<float>();
        var b = keys.Size(0);
        for (var i = 0; i < b; i++)
        {
            Array.Copy(k, (long)i * Dim, _data, (long)Pointer * Dim, Dim);
            Pointer = (Pointer + 1) % Size;
        }
    }
}
