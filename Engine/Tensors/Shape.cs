namespace Scratch;

/// <summary>An immutable list of dimension sizes. Rank 0 is a scalar with one element.</summary>
public readonly struct Shape : IEquatable<Shape>
{
    private readonly int[]? _dims;

    /// <summary>Creates a shape; every size must be ≥ 0.</summary>
    public Shape(params ReadOnlySpan<int> dims)
    {
        for (var i = 0; i < dims.Length; i++)
        {
            if (dims[i] < 0)
                throw new ArgumentException($"Shape: dimension {i} must be >= 0, got {dims[i]} in [{string.Join(", ", dims.ToArray())}].", nameof(dims));
        }
        _dims = dims.ToArray();
    }

    /// <summary>Number of dimensions.</summary>
    public int Rank => _dims?.Length ?? 0;

    /// <summary>Size of dimension <paramref name="dim"/> (negative counts from the end).</summary>
    public int this[int dim] => Dims[NormalizeDim(dim, Rank, "dim")];

    /// <summary>The sizes as a span.</summary>
    public ReadOnlySpan<int> Dims => _dims ?? [];

    /// <summary>Total number of elements (product of sizes; 1 for a scalar).</summary>
    public long Numel
    {
        get
        {
            long n = 1;
            foreach (var d in Dims) n *= d;
            return n;
        }
    }

    /// <summary>A copy of the sizes.</summary>
    public int[] ToArray() => Dims.ToArray();

    /// <summary>Row-major (C-contiguous) element strides for this shape.</summary>
    public long[] ContiguousStrides()
    {
        var s = new long[Rank];
        long acc = 1;
        for (var i = Rank - 1; i >= 0; i--)
        {
            s[i] = acc;
            acc *= Math.Max(Dims[i], 1);
        }
        return s;
    }

    /// <summary>Maps a possibly negative dim into [0, rank); throws naming <paramref name="arg"/> when out of range.</summary>
    public static int NormalizeDim(int dim, int rank, string arg = "dim", string op = "")
    {
        var r = Math.Max(rank, 1);
        if (dim < -r || dim >= r)
        {
            var who = op.Length > 0 ? op + ": " : "";
            throw new ArgumentOutOfRangeException(arg, dim, $"{who}{arg} must be in [{-r}, {r - 1}] for a tensor of rank {rank}, got {dim}.");
        }
        return dim < 0 ? dim + r : dim;
    }

    /// <summary>The broadcast of two shapes (NumPy rules), or an exception naming <paramref name="op"/>.</summary>
    public static Shape Broadcast(Shape a, Shape b, string op = "broadcast")
    {
        var rank = Math.Max(a.Rank, b.Rank);
        var dims = new int[rank];
        for (var i = 0; i < rank; i++)
        {
            var da = i - (rank - a.Rank) >= 0 ? a.Dims[i - (rank - a.Rank)] : 1;
            var db = i - (rank - b.Rank) >= 0 ? b.Dims[i - (rank - b.Rank)] : 1;
            if (da != db && da != 1 && db != 1)
                throw new ShapeMismatchException(op, "other", $"a shape broadcastable with {a}", b.ToString());
            dims[i] = da == 1 ? db : da;
        }
        return new Shape(dims);
    }

    /// <inheritdoc/>
    public bool Equals(Shape other) => Dims.SequenceEqual(other.Dims);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var d in Dims) h.Add(d);
        return h.ToHashCode();
    }

    /// <summary>Shape equality.</summary>
    public static bool operator ==(Shape a, Shape b) => a.Equals(b);

    /// <summary>Shape inequality.</summary>
    public static bool operator !=(Shape a, Shape b) => !a.Equals(b);

    /// <summary>Implicit conversion from an int array.</summary>
    public static implicit operator Shape(int[] dims) => new(dims);

    /// <inheritdoc/>
    public override string ToString() => "[" + string.Join(", ", Dims.ToArray()) + "]";
}
