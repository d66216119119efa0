namespace Scratch;

public static partial class F
{
    /// <summary>Validates a gather/scatter index against <paramref name="self"/> (and <paramref name="src"/>) and
    /// returns the target map (logical positions in self) and the source map (logical positions in src).</summary>
    private static (long[] Target, long[] Source) ScatterPlan(
        Tensor self, int dim, Tensor index, Tensor? src, string op)
    {
        var (d, selfDims, indexDims, srcDims) = ScatterShapes(self, dim, index, src, op);
        var values = IndexKernels.Indices(index, selfDims[d], op, "index", d);
        var target = new long[values.Length];
        var source = new long[values.Length];
        IndexKernels.ForEach(new Shape(indexDims), (i, idx) =>
        {
            source[i] = IndexKernels.Linear(idx, srcDims);
            var keep = idx[d];
            idx[d] = (int)values[i];
            target[i] = IndexKernels.Linear(idx, selfDims);
            idx[d] = keep;
        });
        return (target, source);
    }

    /// <summary>Checks the ranks and sizes of a gather/scatter and returns the normalised dim and the sizes of self,
    /// index and src (a scalar counts as [1]; src defaults to index).</summary>
    private static (int Dim, int[] Self, int[] Index, int[] Src) ScatterShapes(
        Tensor self, int dim, Tensor index, Tensor? src, string op)
    {
        var rank = Math.Max(self.Rank, 1);
        var d = Shape.NormalizeDim(dim, self.Rank, "dim", op);
        if (index.Rank != self.Rank)
            throw new ShapeMismatchException(op, "index", $"rank {self.Rank} (the input's rank)", $"{index.Shape}");
        if (src is not null && src.Rank != self.Rank)
            throw new ShapeMismatchException(op, "src", $"rank {self.Rank} (the input's rank)", $"{src.Shape}");
        var selfDims = self.Rank == 0 ? [1] : self.Shape.ToArray();
        var indexDims = index.Rank == 0 ? [1] : index.Shape.ToArray();
        var srcDims = src is null ? indexDims : src.Rank == 0 ? [1] : src.Shape.ToArray();
        for (var k = 0; k < rank; k++)
        {
            if (k != d && indexDims[k] > selfDims[k])
                throw new ShapeMismatchException(
                    op, "index", $"size <= {selfDims[k]} in dim {k} (input {self.Shape})", index.Shape.ToString());
            if (indexDims[k] > srcDims[k])
                throw new ShapeMismatchException(
                    op, "index", $"size <= {srcDims[k]} in dim {k} (src {src?.Shape})", index.Shape.ToString());
        }
        return (d, selfDims, indexDims, srcDims);
    }

    /// <summary>Gathers along <paramref name="dim"/>: <c>y[i][j][k] = x[index[i][j][k]][j][k]</c> for dim 0 (and
    /// likewise for other dims). index is int64 of x's rank with sizes ≤ x's outside <paramref name="dim"/>; the
    /// result has index's shape. Values must lie in [0, size). The gradient scatter-adds back.</summary>
    public static Tensor Gather(Tensor x, int dim, Tensor index)
    {
        if (!x.Device.IsHost) return GatherGpu(x, dim, index);
        var (target, _) = ScatterPlan(x, dim, index, null, "Gather");
        return IndexKernels.TakeRecorded(x, target, index.Shape, "Gather");
    }

    /// <summary>Functional scatter: a copy of <paramref name="self"/> with <c>y[index[i][j]][j] = src[i][j]</c> (dim
    /// 0). With duplicate targets the last write wins. Gradients: self gets g with the written positions zeroed, src
    /// gets <c>Gather(g, dim, index)</c> on the covered part.</summary>
    public static Tensor Scatter(Tensor self, int dim, Tensor index, Tensor src)
        => ScatterCore(self, dim, index, src, false, "Scatter");

    /// <summary>Functional scatter of the scalar <paramref name="value"/> at every index position.</summary>
    public static Tensor Scatter(Tensor self, int dim, Tensor index, double value) =>
        ScatterCore(self, dim, index, Tensor.Full(index.Shape, value, self.DType, self.Device), false, "Scatter");

    /// <summary>Functional scatter-add: a copy of <paramref name="self"/> with <c>y[index[i][j]][j] += src[i][j]</c>
    /// (dim 0); duplicates accumulate. Gradients: self gets g, src gets <c>Gather(g, dim, index)</c>.</summary>
    public static Tensor ScatterAdd(Tensor self, int dim, Tensor index, Tensor src)
        => ScatterCore(self, dim, index, src, true, "ScatterAdd");

    private static Tensor ScatterCore(Tensor self, int dim, Tensor index, Tensor src, bool accumulate, string op)
    {
        RequireSame(self, src, op, "src");
        if (!self.Device.IsHost) return ScatterGpu(self, dim, index, src, accumulate, op);
        var (target, source) = ScatterPlan(self, dim, index, src, op);
        var values = IndexKernels.TakeRecorded(src, source, index.Shape, op);
        return IndexKernels.PutRecorded(self, target, values, accumulate, op);
    }
}

public partial class Tensor
{
    /// <summary>See <see cref="F.Gather"/>.</summary>
    public Tensor Gather(int dim, Tensor index) => F.Gather(this, dim, index);

    /// <summary>See <see cref="F.Scatter(Tensor, int, Tensor, Tensor)"/>.</summary>
    public Tensor Scatter(int dim, Tensor index, Tensor src) => F.Scatter(this, dim, index, src);

    /// <summary>See <see cref="F.ScatterAdd"/>.</summary>
    public Tensor ScatterAdd(int dim, Tensor index, Tensor src) => F.ScatterAdd(this, dim, index, src);

    /// <summary>In-place <see cref="F.Scatter(Tensor, int, Tensor, Tensor)"/> (bumps the storage version).</summary>
    public Tensor Scatter_(int dim, Tensor index, Tensor src) => InPlaceScatter(dim, index, src, false, "Scatter_");

    /// <summary>In-place <see cref="F.ScatterAdd"/> (bumps the storage version).</summary>
    public Tensor ScatterAdd_(int dim, Tensor index, Tensor src)
        => InPlaceScatter(dim, index, src, true, "ScatterAdd_");

    private Tensor InPlaceScatter(int dim, Tensor index, Tensor src, bool accumulate, string op)
    {
        CheckInPlace(op);
        Tensor result;
        using (Autograd.GradMode.Disable())
        {
            result = accumulate
                ? F.ScatterAdd(Detach(), dim, index, src.Detach())
                : F.Scatter(Detach(), dim, index, src.Detach());
        }
        return WriteInPlace(result, op);
    }
}
