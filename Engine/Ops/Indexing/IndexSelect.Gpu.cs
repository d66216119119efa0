namespace Scratch;

public static partial class F
{
    /// <summary><see cref="IndexSelect"/> along normalised dim <paramref name="d"/> on a GPU device (negative
    /// indices allowed and wrapped when <paramref name="allowNegative"/>, for advanced indexing): the index is checked
    /// and turned into a take map on the device.</summary>
    internal static Tensor IndexSelectGpu(Tensor x, int d, Tensor index, bool allowNegative, string op)
    {
        if (index.Rank > 1)
            throw new ShapeMismatchException(op, "index", "a 0-D or 1-D tensor", index.Shape.ToString());
        var values = IndexKernels.DeviceIndices(index, x.Device, x.Shape[d], op, "index", d, allowNegative);
        var dims = x.Shape.ToArray();
        dims[d] = (int)values.Numel;
        var map = IndexKernels.AlongDimMap(values, dims, x.Shape.ToArray(), d, perElement: false, op);
        return IndexKernels.TakeRecorded(x, map, new Shape(dims), "IndexSelect");
    }

    /// <summary><see cref="IndexAdd"/> on a GPU device: an atomic-add put at a map built on the device.</summary>
    private static Tensor IndexAddGpu(Tensor self, int dim, Tensor index, Tensor source, double alpha)
    {
        const string op = "IndexAdd";
        var d = IndexingDim(self, dim, op);
        RequireSame(self, source, op, "source");
        if (index.Rank > 1)
            throw new ShapeMismatchException(op, "index", "a 0-D or 1-D tensor", index.Shape.ToString());
        var values = IndexKernels.DeviceIndices(index, self.Device, self.Shape[d], op, "index", d);
        var want = self.Shape.ToArray();
        want[d] = (int)values.Numel;
        if (source.Shape != new Shape(want))
            throw new ShapeMismatchException(
                op, "source", $"shape {new Shape(want)} (self's shape with dim {d} = index length {values.Numel})",
                source.Shape.ToString());
        var map = IndexKernels.AlongDimMap(values, want, self.Shape.ToArray(), d, perElement: false, op);
        return IndexKernels.PutRecorded(self, map, alpha == 1 ? source : source * alpha, accumulate: true, op);
    }
}
