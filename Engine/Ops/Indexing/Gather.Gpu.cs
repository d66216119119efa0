namespace Scratch;

public static partial class F
{
    /// <summary><see cref="Gather"/> on a GPU device: the index is checked and turned into a take map on the device.
    /// </summary>
    private static Tensor GatherGpu(Tensor x, int dim, Tensor index)
    {
        var (d, selfDims, indexDims, _) = ScatterShapes(x, dim, index, null, "Gather");
        var values = IndexKernels.DeviceIndices(index, x.Device, selfDims[d], "Gather", "index", d);
        var map = IndexKernels.AlongDimMap(values, indexDims, selfDims, d, perElement: true, "Gather");
        return IndexKernels.TakeRecorded(x, map, index.Shape, "Gather");
    }

    /// <summary>Scatter / scatter-add on a GPU device: the part of src the index covers is a view (src's leading
    /// corner of index's shape), put at a map built on the device.</summary>
    private static Tensor ScatterGpu(Tensor self, int dim, Tensor index, Tensor src, bool accumulate, string op)
    {
        var (d, selfDims, indexDims, _) = ScatterShapes(self, dim, index, src, op);
        var values = IndexKernels.DeviceIndices(index, self.Device, selfDims[d], op, "index", d);
        var map = IndexKernels.AlongDimMap(values, indexDims, selfDims, d, perElement: true, op);
        var part = src;
        for (var k = 0; k < src.Rank; k++)
            if (part.Shape[k] != indexDims[k]) part = part.Narrow(k, 0, indexDims[k]);
        return IndexKernels.PutRecorded(self, map, part, accumulate, op);
    }
}
