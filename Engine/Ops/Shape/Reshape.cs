using Scratch.Autograd;

namespace Scratch;

public static partial class F
{
    /// <summary>Resolves one −1 entry so the element count matches <paramref name="numel"/>.</summary>
    internal static Shape InferShape(string op, long numel, ReadOnlySpan<int> dims, Shape from)
    {
        var result = dims.ToArray();
        var infer = -1;
        long known = 1;
        for (var i = 0; i < result.Length; i++)
        {
            if (result[i] == -1)
            {
                if (infer >= 0) throw new ShapeMismatchException(op, "shape", "at most one -1", $"[{string.Join(", ", result)}]");
                infer = i;
            }
            else if (result[i] < 0)
            {
                throw new ShapeMismatchException(op, "shape", "sizes >= 0 or a single -1", $"[{string.Join(", ", result)}]");
            }
            else
            {
                known *= result[i];
            }
        }
        if (infer >= 0)
        {
            if (known == 0 || numel % known != 0)
                throw new ShapeMismatchException(op, "shape", $"a shape compatible with {from} ({numel} elements)", $"[{string.Join(", ", result)}]");
            result[infer] = (int)(numel / known);
        }
        else if (known != numel)
        {
            throw new ShapeMismatchException(op, "shape", $"{numel} elements (input {from})", $"[{string.Join(", ", result)}] with {known}");
        }
        return new Shape(result);
    }
}

public partial class Tensor
{
    /// <summary>The same elements in a new shape (one size may be −1). A view when the data is contiguous,
    /// otherwise a copy.</summary>
    public Tensor Reshape(params int[] shape)
    {
        var s = F.InferShape("Reshape", Numel, shape, Shape);
        if (!IsContiguous) return Contiguous().Reshape(shape);
        return ViewAs(s, "Reshape");
    }

    /// <summary>A view in a new shape; throws when the tensor is not contiguous (use <see cref="Reshape"/>).</summary>
    public Tensor View(params int[] shape)
    {
        var s = F.InferShape("View", Numel, shape, Shape);
        if (!IsContiguous)
            throw new ShapeMismatchException("View", "input", "a contiguous tensor (use Reshape to copy)", $"strides [{string.Join(", ", Strides.ToArray())}]");
        return ViewAs(s, "View");
    }

    /// <summary>Flattens dims <paramref name="startDim"/>..<paramref name="endDim"/> into one.</summary>
    public Tensor Flatten(int startDim = 0, int endDim = -1)
    {
        if (Rank == 0) return Reshape(1);
        var s = Shape.NormalizeDim(startDim, Rank, "startDim", "Flatten");
        var e = Shape.NormalizeDim(endDim, Rank, "endDim", "Flatten");
        if (s > e) throw new ArgumentOutOfRangeException(nameof(startDim), startDim, $"Flatten: startDim ({s}) must be <= endDim ({e}).");
        var dims = new List<int>();
        for (var i = 0; i < s; i++) dims.Add(Shape[i]);
        var prod = 1;
        for (var i = s; i <= e; i++) prod *= Shape[i];
        dims.Add(prod);
        for (var i = e + 1; i < Rank; i++) dims.Add(Shape[i]);
        return Reshape(dims.ToArray());
    }

    private Tensor ViewAs(Shape s, string op)
    {
        var input = this;
        var view = new Tensor(Storage, s, s.ContiguousStrides(), Offset);
        return Graph.Record(view, op, [input], g => [g.Reshape(input.Shape.ToArray())]);
    }
}
