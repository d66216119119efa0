namespace Scratch;

public static partial class F
{
    /// <summary>Rank ≥ 1 check plus the normalised dim.</summary>
    internal static int IndexingDim(Tensor x, int dim, string op)
    {
        if (x.Rank == 0) throw new ShapeMismatchException(op, "input", "a tensor of rank >= 1", "a scalar");
        return Shape.NormalizeDim(dim, x.Rank, "dim", op);
    }

    /// <summary>Checks an index tensor for IndexSelect/IndexAdd: int64, 0-D or 1-D; returns its values in [0,
    /// size).</summary>
    private static long[] IndexVectorValues(Tensor x, int d, Tensor index, string op)
    {
        if (index.Rank > 1)
            throw new ShapeMismatchException(op, "index", "a 0-D or 1-D tensor", index.Shape.ToString());
        return IndexKernels.Indices(index, x.Shape[d], op, "index", d);
    }

    /// <summary>Rows of <paramref name="x"/> picked along <paramref name="dim"/>: the result has x's shape with dim
    /// <paramref name="dim"/> replaced by the length of the 0-D/1-D int64 <paramref name="index"/>, and
    /// <c>y[..., i, ...] = x[..., index[i], ...]</c>. Indices must lie in [0, size). The gradient index-adds
    /// back.</summary>
    public static Tensor IndexSelect(Tensor x, int dim, Tensor index)
    {
        var d = IndexingDim(x, dim, "IndexSelect");
        if (!x.Device.IsHost) return IndexSelectGpu(x, d, index, false, "IndexSelect");
        var idx = IndexVectorValues(x, d, index, "IndexSelect");
        var dims = x.Shape.ToArray();
        dims[d] = idx.Length;
        var outShape = new Shape(dims);
        var map = IndexKernels.CoordinateMap(
            outShape, x.Shape, (k, c) => k == d ? (int)idx[c] : c, x.Device.Kind == DeviceKind.Cpu);
        return IndexKernels.TakeRecorded(x, map, outShape, "IndexSelect");
    }

    /// <summary>Functional index-add: a copy of <paramref name="self"/> with <c>alpha · source[..., i, ...]</c> added
    /// to <c>self[..., index[i], ...]</c> along <paramref name="dim"/> (duplicates accumulate). source has self's shape
    /// with dim replaced by index's length. Gradients: self gets g, source gets <c>alpha ·
    /// IndexSelect(g)</c>.</summary>
    public static Tensor IndexAdd(Tensor self, int dim, Tensor index, Tensor source, double alpha = 1)
    {
        if (!self.Device.IsHost) return IndexAddGpu(self, dim, index, source, alpha);
        var (map, src) = IndexAddPlan(self, dim, index, source, "IndexAdd", alpha);
        return IndexKernels.PutRecorded(self, map, src, accumulate: true, "IndexAdd");
    }

    private static (long[] Map, Tensor Source) IndexAddPlan(
        Tensor self, int dim, Tensor index, Tensor source, string op, double alpha = 1)
    {
        var d = IndexingDim(self, dim, op);
        RequireSame(self, source, op, "source");
        var idx = IndexVectorValues(self, d, index, op);
        var want = self.Shape.ToArray();
        want[d] = idx.Length;
        if (source.Shape != new Shape(want))
            throw new ShapeMismatchException(
                op, "source", $"shape {new Shape(want)} (self's shape with dim {d} = index length {idx.Length})",
                source.Shape.ToString());
        var map = IndexKernels.CoordinateMap(source.Shape, self.Shape, (k, c) => k == d ? (int)idx[c] : c);
        return (map, alpha == 1 ? source : source * alpha);
    }
}

public partial class Tensor
{
    /// <summary>See <see cref="F.IndexSelect"/>.</summary>
    public Tensor IndexSelect(int dim, Tensor index) => F.IndexSelect(this, dim, index);

    /// <summary>See <see cref="F.IndexAdd"/>.</summary>
    public Tensor IndexAdd(int dim, Tensor index, Tensor source, double alpha = 1)
        => F.IndexAdd(this, dim, index, source, alpha);

    /// <summary>In-place <see cref="F.IndexAdd"/> (bumps the storage version; not allowed on tensors autograd needs).
    /// </summary>
    public Tensor IndexAdd_(int dim, Tensor index, Tensor source, double alpha = 1)
    {
        CheckInPlace("IndexAdd_");
        Tensor result;
        using (Autograd.GradMode.Disable()) result = F.IndexAdd(Detach(), dim, index, source.Detach(), alpha);
        return WriteInPlace(result, "IndexAdd_");
    }
}
