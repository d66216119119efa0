using Scratch.Backends.Gpu;

namespace Scratch;

public static partial class F
{
    /// <summary><see cref="RankedAlongDim"/> on a GPU device: the lanes are sorted on the device (a radix sort of
    /// packed (key, position) values for long single lanes, else a bitonic network over (key, position) pairs; both
    /// exactly the host's stable order, see <see cref="SortGpuKernels"/>), and the values
    /// are a take at the resulting map, so the gradient scatters back through it.</summary>
    private static (Tensor Values, Tensor Indices) RankedAlongDimGpu(
        Tensor x, int d, bool descending, int first, int count, string op)
    {
        var dims = x.Rank == 0 ? [1] : x.Shape.ToArray();
        var len = dims[d];
        long outer = 1, inner = 1;
        for (var k = 0; k < d; k++) outer *= dims[k];
        for (var k = d + 1; k < dims.Length; k++) inner *= dims[k];
        var outDims = x.Shape.ToArray();
        if (x.Rank > 0) outDims[d] = count;
        var n = checked((int)(outer * count * inner));
        var positions = Tensor.Empty(new Shape(n), DType.I64, x.Device);
        var map = Tensor.Empty(new Shape(n), DType.I64, x.Device);
        if (n > 0)
        {
            var src = x.Rank <= GpuLayout.MaxRank ? x.Detach() : x.Detach().Materialize().Reshape(-1);
            var padded = 1;
            while (padded < len) padded <<= 1;
            var lanes = new SortLanes { Inner = inner, Len = len, Padded = padded, Descending = descending ? 1 : 0 };
            GpuRuntime.BackendFor(x.Device).SortAlongDim(src, lanes, outer, first, count, positions, map);
        }
        var values = IndexKernels.TakeRecorded(x, map, new Shape(outDims), op);
        return (values, positions.Reshape(outDims));
    }
}
