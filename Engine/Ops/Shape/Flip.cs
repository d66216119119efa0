namespace Scratch;

public static partial class F
{
    /// <summary>Reverses the order of elements along each of <paramref name="dims"/> (a copy, since strides are never
    /// negative). The gradient is the output gradient flipped back.</summary>
    public static Tensor Flip(Tensor x, params int[] dims)
    {
        var flip = new bool[Math.Max(x.Rank, 1)];
        foreach (var dim in dims)
        {
            var d = Shape.NormalizeDim(dim, x.Rank, "dims", "Flip");
            if (flip[d])
                throw new ArgumentException(
                    $"Flip: dims expected distinct dims, got dim {d} twice in [{string.Join(", ", dims)}].",
                    nameof(dims));
            flip[d] = true;
        }
        var shape = x.Shape;
        var map = IndexKernels.CoordinateMap(
            shape, shape, (d, c) => flip[d] ? shape[d] - 1 - c : c, x.Device.Kind == DeviceKind.Cpu);
        return IndexKernels.TakeRecorded(x, map, shape, "Flip");
    }

    /// <summary>Tiles <paramref name="x"/>: dim i of the result has size <c>size[i] · repeats[i]</c>. repeats may be
    /// longer than the rank (new leading dims), as in PyTorch's <c>Tensor.repeat</c>. The gradient sums the tiles.
    /// </summary>
    public static Tensor Repeat(Tensor x, params int[] repeats)
    {
        if (repeats.Length < x.Rank)
            throw new ShapeMismatchException(
                "Repeat", "repeats", $"at least {x.Rank} entries (the input rank)", $"[{string.Join(", ", repeats)}]");
        if (repeats.Any(r => r < 0))
            throw new ArgumentOutOfRangeException(
                nameof(repeats), $"Repeat: repeats expected non-negative counts, got [{string.Join(", ", repeats)}].");
        var lead = repeats.Length - x.Rank;
        var full = Enumerable.Repeat(1, lead).Concat(x.Shape.ToArray()).ToArray();
        var inner = new List<int>();
        var expanded = new List<int>();
        for (var i = 0; i < repeats.Length; i++)
        {
            inner.Add(1);
            inner.Add(full[i]);
            expanded.Add(repeats[i]);
            expanded.Add(full[i]);
        }
        var result = full.Select((s, i) => s * repeats[i]).ToArray();
        return x.Reshape(inner.ToArray()).Expand(expanded.ToArray()).Contiguous().Reshape(result);
    }
}

public partial class Tensor
{
    /// <summary>See <see cref="F.Flip"/>.</summary>
    public Tensor Flip(params int[] dims) => F.Flip(this, dims);

    /// <summary>See <see cref="F.Repeat"/>.</summary>
    public Tensor Repeat(params int[] repeats) => F.Repeat(this, repeats);
}
