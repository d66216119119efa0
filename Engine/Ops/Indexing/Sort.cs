using System.Numerics;

namespace Scratch;

public static partial class F
{
    /// <summary>Orders every lane of <paramref name="x"/> along dim <paramref name="d"/> (stably: ties keep their input
    /// order; NaN sorts as the largest value, as in PyTorch) and returns, for the ranks [first, first + count) of
    /// each lane, the source position along d, laid out in x's shape with dim d of size count.</summary>
    private static long[] SortedRanks(Tensor x, int d, bool descending, int first, int count)
    {
        var dims = x.Rank == 0 ? [1] : x.Shape.ToArray();
        var len = dims[d];
        long outer = 1, inner = 1;
        for (var k = 0; k < d; k++) outer *= dims[k];
        for (var k = d + 1; k < dims.Length; k++) inner *= dims[k];
        var result = new long[outer * count * inner];
        if (result.Length == 0) return result;
        var c = x.Detach().Materialize();
        var parallel = x.Device.Kind == DeviceKind.Cpu && outer * inner * len >= 1 << 14;
        var args = new SortLaneArgs(outer, len, inner, descending, first, count, result, parallel);
        switch (x.DType)
        {
            case DType.F32:
                SortLanes(c.HostArray<float>(), c.Offset, args);
                break;
            case DType.F64:
                SortLanes(c.HostArray<double>(), c.Offset, args);
                break;
            case DType.I32:
                SortLanes(c.HostArray<int>(), c.Offset, args);
                break;
            case DType.I64:
                SortLanes(c.HostArray<long>(), c.Offset, args);
                break;
            default:
                SortLanes(c.HostArray<byte>(), c.Offset, args);
                break;
        }
        return result;
    }

    private sealed record SortLaneArgs(
        long Outer, int Len, long Inner, bool Descending, int First, int Count, long[] Result, bool Parallel);

    private static void SortLanes<T>(T[] a, long offset, SortLaneArgs l) where T : INumber<T>
    {
        void Lane(long lane)
        {
            var o = lane / l.Inner;
            var i = lane % l.Inner;
            var keys = new T[l.Len];
            var perm = new int[l.Len];
            for (var k = 0; k < l.Len; k++)
            {
                keys[k] = a[offset + (o * l.Len + k) * l.Inner + i];
                perm[k] = k;
            }
            var sign = l.Descending ? -1 : 1;
            Array.Sort(perm, (p, q) =>
            {
                var c = sign * SortCompare(keys[p], keys[q]);
                return c != 0 ? c : p.CompareTo(q);
            });
            for (var j = 0; j < l.Count; j++)
                l.Result[(o * l.Count + j) * l.Inner + i] = perm[l.First + j];
        }
        var lanes = l.Outer * l.Inner;
        if (l.Parallel) Parallel.For(0L, lanes, Lane);
        else for (long lane = 0; lane < lanes; lane++) Lane(lane);
    }

    private static int SortCompare<T>(T a, T b) where T : INumber<T>
    {
        var an = T.IsNaN(a);
        var bn = T.IsNaN(b);
        if (an || bn) return an == bn ? 0 : an ? 1 : -1;
        return a < b ? -1 : a > b ? 1 : 0;
    }

    /// <summary>Values and int64 indices of ranks [first, first + count) along d; values carry the gradient.</summary>
    private static (Tensor Values, Tensor Indices) RankedAlongDim(
        Tensor x, int d, bool descending, int first, int count, string op)
    {
        if (x.Rank == 0) (first, count) = (0, 1); // a scalar is its own sort, top-k and k-th value (as in PyTorch)
        if (!x.Device.IsHost) return RankedAlongDimGpu(x, d, descending, first, count, op);
        var pos = SortedRanks(x, d, descending, first, count);
        var dims = x.Shape.ToArray();
        if (x.Rank > 0) dims[d] = count;
        var shape = new Shape(dims);
        var len = x.Rank == 0 ? 1 : x.Shape[d];
        long inner = 1;
        for (var k = d + 1; k < x.Rank; k++) inner *= x.Shape[k];
        var map = new long[pos.Length];
        for (long p = 0; p < pos.Length; p++)
        {
            var i = p % inner;
            var o = p / inner / count;
            map[p] = (o * len + pos[p]) * inner + i;
        }
        var indices = Tensor.From(pos, shape);
        if (x.Device != Device.Cpu) indices = indices.To(x.Device);
        return (IndexKernels.TakeRecorded(x, map, shape, op), indices);
    }

    /// <summary>Sorts along <paramref name="dim"/>: values ascending (or descending) and the int64 positions they came
    /// from. Always stable (ties keep input order), so <paramref name="stable"/> only documents intent. NaN sorts
    /// as the largest value. The gradient flows through the values to the positions they came from.</summary>
    public static (Tensor Values, Tensor Indices) Sort(
        Tensor x, int dim = -1, bool descending = false, bool stable = false)
    {
        _ = stable;
        var d = Shape.NormalizeDim(dim, x.Rank, "dim", "Sort");
        return RankedAlongDim(x, d, descending, 0, x.Rank == 0 ? 1 : x.Shape[d], "Sort");
    }

    /// <summary>The int64 indices that sort <paramref name="x"/> along <paramref name="dim"/> (stable; see
    /// <see cref="Sort"/>).</summary>
    public static Tensor Argsort(Tensor x, int dim = -1, bool descending = false, bool stable = false) =>
        Sort(x, dim, descending, stable).Indices;

    /// <summary>The <paramref name="k"/> largest (or smallest) elements along <paramref name="dim"/> and their int64
    /// indices, in sorted order (also when <paramref name="sorted"/> is false; ties prefer the lower index). k must
    /// lie in [0, size]; a scalar input returns itself (as PyTorch does, even for k = 0). The gradient flows through
    /// the values.</summary>
    public static (Tensor Values, Tensor Indices) TopK(
        Tensor x, int k, int dim = -1, bool largest = true, bool sorted = true)
    {
        _ = sorted;
        var d = Shape.NormalizeDim(dim, x.Rank, "dim", "TopK");
        var size = x.Rank == 0 ? 1 : x.Shape[d];
        if (k < 0 || k > size)
            throw new ArgumentOutOfRangeException(
                nameof(k), k, $"TopK: k {k} is out of range for dim {d} of size {size}; valid range is [0, {size}].");
        return RankedAlongDim(x, d, largest, 0, k, "TopK");
    }

    /// <summary>The <paramref name="k"/>-th smallest element (1-based) along <paramref name="dim"/> and its int64
    /// index; the dim is removed unless <paramref name="keepDim"/>. k must lie in [1, size]. Gradient through the
    /// values.</summary>
    public static (Tensor Values, Tensor Indices) KthValue(Tensor x, int k, int dim = -1, bool keepDim = false)
    {
        var d = Shape.NormalizeDim(dim, x.Rank, "dim", "KthValue");
        var size = x.Rank == 0 ? 1 : x.Shape[d];
        if (k < 1 || k > size)
            throw new ArgumentOutOfRangeException(
                nameof(k), k,
                $"KthValue: k {k} is out of range for dim {d} of size {size}; valid range is [1, {size}].");
        var (v, i) = RankedAlongDim(x, d, false, k - 1, 1, "KthValue");
        if (keepDim || x.Rank == 0) return (v, i);
        return (v.Squeeze(d), i.Squeeze(d));
    }
}

public partial class Tensor
{
    /// <summary>See <see cref="F.Sort"/>.</summary>
    public (Tensor Values, Tensor Indices) Sort(int dim = -1, bool descending = false, bool stable = false)
        => F.Sort(this, dim, descending, stable);

    /// <summary>See <see cref="F.Argsort"/>.</summary>
    public Tensor Argsort(int dim = -1, bool descending = false, bool stable = false)
        => F.Argsort(this, dim, descending, stable);

    /// <summary>See <see cref="F.TopK"/>.</summary>
    public (Tensor Values, Tensor Indices) TopK(int k, int dim = -1, bool largest = true, bool sorted = true)
        => F.TopK(this, k, dim, largest, sorted);

    /// <summary>See <see cref="F.KthValue"/>.</summary>
    public (Tensor Values, Tensor Indices) KthValue(int k, int dim = -1, bool keepDim = false)
        => F.KthValue(this, k, dim, keepDim);
}
