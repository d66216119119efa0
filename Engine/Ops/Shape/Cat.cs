using Scratch.Autograd;

namespace Scratch;

public static partial class F
{
    /// <summary>Concatenates <paramref name="tensors"/> along <paramref name="dim"/>: all must share dtype, device,
    /// rank and every size except <paramref name="dim"/>'s. The result is a fresh contiguous tensor; each input's
    /// gradient is the matching <see cref="Tensor.Narrow"/> of the output gradient.</summary>
    public static Tensor Cat(IReadOnlyList<Tensor> tensors, int dim = 0)
    {
        if (tensors.Count == 0)
            throw new ArgumentException("Cat: tensors expected at least one tensor, got none.", nameof(tensors));
        var first = tensors[0];
        if (first.Rank == 0) throw new ShapeMismatchException("Cat", "tensors[0]", "a tensor of rank >= 1", "a scalar");
        var d = Shape.NormalizeDim(dim, first.Rank, "dim", "Cat");
        var total = 0;
        for (var i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            RequireSame(first, t, "Cat", $"tensors[{i}]");
            if (t.Rank != first.Rank)
                throw new ShapeMismatchException("Cat", $"tensors[{i}]", $"rank {first.Rank}", $"{t.Shape}");
            for (var k = 0; k < first.Rank; k++)
                if (k != d && t.Shape[k] != first.Shape[k])
                    throw new ShapeMismatchException(
                        "Cat", $"tensors[{i}]", $"sizes matching {first.Shape} except in dim {d}", t.Shape.ToString());
            total += t.Shape[d];
        }
        var dims = first.Shape.ToArray();
        dims[d] = total;
        var y = Tensor.Empty(new Shape(dims), first.DType, first.Device);
        var starts = new int[tensors.Count];
        var at = 0;
        for (var i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            starts[i] = at;
            if (t.Numel > 0) y.Backend.Copy(t.Detach(), y.SliceView(d, at, t.Shape[d], 1));
            at += t.Shape[d];
        }
        var inputs = tensors.ToArray();
        return Graph.Record(y, "Cat", inputs, g =>
        {
            var grads = new Tensor?[inputs.Length];
            for (var i = 0; i < inputs.Length; i++)
                if (inputs[i].RequiresGrad) grads[i] = g.Narrow(d, starts[i], inputs[i].Shape[d]);
            return grads;
        });
    }

    /// <summary>Stacks equally shaped tensors along a new dim <paramref name="dim"/> (in [−rank−1, rank]):
    /// <c>Cat(tensors.Select(t => t.Unsqueeze(dim)), dim)</c>.</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int dim = 0)
    {
        if (tensors.Count == 0)
            throw new ArgumentException("Stack: tensors expected at least one tensor, got none.", nameof(tensors));
        var first = tensors[0];
        var d = Shape.NormalizeDim(dim, first.Rank + 1, "dim", "Stack");
        for (var i = 1; i < tensors.Count; i++)
            if (tensors[i].Shape != first.Shape)
                throw new ShapeMismatchException(
                    "Stack", $"tensors[{i}]", $"shape {first.Shape}", tensors[i].Shape.ToString());
        return Cat(tensors.Select(t => t.Unsqueeze(d)).ToArray(), d);
    }

    /// <summary>Splits <paramref name="x"/> along <paramref name="dim"/> into views of
    /// <paramref name="splitSize"/> elements (the last may be smaller).</summary>
    public static Tensor[] Split(Tensor x, int splitSize, int dim = 0)
    {
        if (x.Rank == 0) throw new ShapeMismatchException("Split", "input", "a tensor of rank >= 1", "a scalar");
        var d = Shape.NormalizeDim(dim, x.Rank, "dim", "Split");
        var size = x.Shape[d];
        if (splitSize < 0 || (splitSize == 0 && size != 0))
            throw new ArgumentOutOfRangeException(
                nameof(splitSize), splitSize,
                $"Split: splitSize must be >= 1 (or 0 for an empty dim), got {splitSize}.");
        if (size == 0) return [x.Narrow(d, 0, 0)];
        var sizes = new List<int>();
        for (var at = 0; at < size; at += splitSize) sizes.Add(Math.Min(splitSize, size - at));
        return Split(x, sizes.ToArray(), d);
    }

    /// <summary>Splits <paramref name="x"/> along <paramref name="dim"/> into views of the given
    /// <paramref name="sizes"/>, which must sum to the dim's size.</summary>
    public static Tensor[] Split(Tensor x, int[] sizes, int dim = 0)
    {
        if (x.Rank == 0) throw new ShapeMismatchException("Split", "input", "a tensor of rank >= 1", "a scalar");
        var d = Shape.NormalizeDim(dim, x.Rank, "dim", "Split");
        if (sizes.Any(s => s < 0) || sizes.Sum() != x.Shape[d])
            throw new ShapeMismatchException(
                "Split", "sizes", $"non-negative sizes summing to {x.Shape[d]} (dim {d} of {x.Shape})",
                $"[{string.Join(", ", sizes)}]");
        var result = new Tensor[sizes.Length];
        var at = 0;
        for (var i = 0; i < sizes.Length; i++)
        {
            result[i] = x.Narrow(d, at, sizes[i]);
            at += sizes[i];
        }
        return result;
    }

    /// <summary>Splits <paramref name="x"/> into at most <paramref name="chunks"/> views along <paramref name="dim"/>
    /// of size ⌈size / chunks⌉ (the last may be smaller; fewer chunks may result, as in PyTorch).</summary>
    public static Tensor[] Chunk(Tensor x, int chunks, int dim = 0)
    {
        if (chunks < 1)
            throw new ArgumentOutOfRangeException(nameof(chunks), chunks, $"Chunk: chunks must be >= 1, got {chunks}.");
        if (x.Rank == 0) throw new ShapeMismatchException("Chunk", "input", "a tensor of rank >= 1", "a scalar");
        var d = Shape.NormalizeDim(dim, x.Rank, "dim", "Chunk");
        var size = x.Shape[d];
        if (size == 0) return Enumerable.Range(0, chunks).Select(_ => x.Narrow(d, 0, 0)).ToArray();
        return Split(x, (size + chunks - 1) / chunks, d);
    }
}

public partial class Tensor
{
    /// <summary>See <see cref="F.Split(Tensor, int, int)"/>.</summary>
    public Tensor[] Split(int splitSize, int dim = 0) => F.Split(this, splitSize, dim);

    /// <summary>See <see cref="F.Split(Tensor, int[], int)"/>.</summary>
    public Tensor[] Split(int[] sizes, int dim = 0) => F.Split(this, sizes, dim);

    /// <summary>See <see cref="F.Chunk"/>.</summary>
    public Tensor[] Chunk(int chunks, int dim = 0) => F.Chunk(this, chunks, dim);
}
