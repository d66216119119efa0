using System.Numerics;
using Scratch.Autograd;
using Scratch.Backends;

namespace Scratch;

/// <summary>Host kernels shared by the indexing and copying shape ops. Every such op is expressed through two
/// primitives over <em>logical</em> (row-major) element indices: <see cref="Take(Tensor, long[], Shape, double)"/>
/// (out[i] = x[map[i]], or a fill value where map[i] &lt; 0) and <see cref="Put(Tensor, long[], Tensor, bool)"/>
/// (dst[map[i]] = or += src[i]). They read any strided input directly, are dtype-generic, and run on both host
/// devices (the Cpu device parallelises large maps); on a GPU device they upload the map and run the device forms in
/// IndexKernels.Gpu.cs.</summary>
internal static partial class IndexKernels
{
    private const long ParallelThreshold = 1 << 15;

    /// <summary>Storage position of each logical element of <paramref name="x"/> (null when contiguous: position =
    /// offset + i).</summary>
    private static long[]? Positions(Tensor x) => x.IsContiguous ? null : Strided.Offsets(x);

    /// <summary>out[i] = x[map[i]] (logical indices into x), or <paramref name="fill"/> where map[i] &lt; 0; a fresh
    /// contiguous tensor of <paramref name="shape"/> with x's dtype and device. No recording.</summary>
    public static Tensor Take(Tensor x, long[] map, Shape shape, double fill = 0)
    {
        if (!x.Device.IsHost) return Take(x, UploadMap(map, x.Device), shape, fill);
        var y = Tensor.Empty(shape, x.DType, x.Device);
        if (map.Length == 0) return y;
        var pos = Positions(x);
        var par = x.Device.Kind == DeviceKind.Cpu && map.Length >= ParallelThreshold;
        var o = x.Offset;
        switch (x.DType)
        {
            case DType.F32:
                Take(x.HostArray<float>(), o, pos, map, y.HostArray<float>(), (float)fill, par);
                break;
            case DType.F64:
                Take(x.HostArray<double>(), o, pos, map, y.HostArray<double>(), fill, par);
                break;
            case DType.I32:
                Take(x.HostArray<int>(), o, pos, map, y.HostArray<int>(), (int)fill, par);
                break;
            case DType.I64:
                Take(x.HostArray<long>(), o, pos, map, y.HostArray<long>(), (long)fill, par);
                break;
            default:
                var b = x.DType == DType.Bool ? (byte)(fill != 0 ? 1 : 0) : (byte)fill;
                Take(x.HostArray<byte>(), o, pos, map, y.HostArray<byte>(), b, par);
                break;
        }
        return y;
    }

    private static void Take<T>(T[] src, long offset, long[]? pos, long[] map, T[] dst, T fill, bool parallel)
    {
        void Range(long from, long to)
        {
            for (var i = from; i < to; i++)
            {
                var m = map[i];
                dst[i] = m < 0 ? fill : src[pos is null ? offset + m : pos[m]];
            }
        }
        if (!parallel)
        {
            Range(0, map.Length);
            return;
        }
        var chunks = Environment.ProcessorCount * 4;
        var size = (map.Length + chunks - 1) / chunks;
        Parallel.For(0, chunks, c
            => Range(Math.Min((long)c * size, map.Length), Math.Min((long)(c + 1) * size, map.Length)));
    }

    /// <summary>dst[map[i]] = src[i] (or += when <paramref name="accumulate"/>) for every logical element i of
    /// <paramref name="src"/>; entries with map[i] &lt; 0 are skipped. <paramref name="dst"/> must be a contiguous
    /// tensor owned by the caller, of src's dtype and device. Sequential, so duplicates accumulate exactly and
    /// the last write wins.</summary>
    public static void Put(Tensor dst, long[] map, Tensor src, bool accumulate)
    {
        if (map.Length == 0) return;
        if (!dst.Device.IsHost)
        {
            Put(dst, UploadMap(map, dst.Device), src, accumulate);
            return;
        }
        var s = src.Materialize();
        var (d, so, acc) = (dst.Offset, s.Offset, accumulate);
        switch (dst.DType)
        {
            case DType.F32:
                Put(dst.HostArray<float>(), d, map, s.HostArray<float>(), so, acc);
                break;
            case DType.F64:
                Put(dst.HostArray<double>(), d, map, s.HostArray<double>(), so, acc);
                break;
            case DType.I32:
                Put(dst.HostArray<int>(), d, map, s.HostArray<int>(), so, acc);
                break;
            case DType.I64:
                Put(dst.HostArray<long>(), d, map, s.HostArray<long>(), so, acc);
                break;
            case DType.Bool:
                PutBool(dst.HostArray<byte>(), d, map, s.HostArray<byte>(), so, acc);
                break;
            default:
                Put(dst.HostArray<byte>(), d, map, s.HostArray<byte>(), so, acc);
                break;
        }
    }

    private static void Put<T>(T[] dst, long dOff, long[] map, T[] src, long sOff, bool accumulate) where T : INumber<T>
    {
        for (long i = 0; i < map.LongLength; i++)
        {
            var m = map[i];
            if (m < 0) continue;
            dst[dOff + m] = accumulate ? dst[dOff + m] + src[sOff + i] : src[sOff + i];
        }
    }

    private static void PutBool(byte[] dst, long dOff, long[] map, byte[] src, long sOff, bool accumulate)
    {
        for (long i = 0; i < map.LongLength; i++)
        {
            var m = map[i];
            if (m < 0) continue;
            dst[dOff + m] = accumulate ? (byte)(dst[dOff + m] | src[sOff + i]) : src[sOff + i];
        }
    }

    /// <summary>A zero tensor of <paramref name="shape"/> (g's dtype and device) with g added at map:
    /// the adjoint of <see cref="Take(Tensor, long[], Shape, double)"/>.</summary>
    public static Tensor PutAddIntoZeros(Tensor g, long[] map, Shape shape)
    {
        var z = Tensor.Empty(shape, g.DType, g.Device);
        Put(z, map, g, accumulate: true);
        return z;
    }

    /// <summary>Differentiable <see cref="Take(Tensor, long[], Shape, double)"/>: gradient scatters-adds back through
    /// the map.</summary>
    public static Tensor TakeRecorded(Tensor x, long[] map, Shape shape, string op, double fill = 0)
    {
        if (!x.Device.IsHost) return TakeRecorded(x, UploadMap(map, x.Device), shape, op, fill);
        var y = Take(x, map, shape, fill);
        var inShape = x.Shape;
        return Graph.Record(y, op, [x], g => [PutAddIntoZeros(g, map, inShape)]);
    }

    /// <summary>Differentiable functional put: a copy of <paramref name="self"/> with src written (or added) at map.
    /// Gradient to self: g (with written positions zeroed unless accumulating); to src: g taken at map.</summary>
    public static Tensor PutRecorded(Tensor self, long[] map, Tensor src, bool accumulate, string op)
    {
        if (!self.Device.IsHost) return PutRecorded(self, UploadMap(map, self.Device), src, accumulate, op);
        var y = self.Detach().CopyData();
        Put(y, map, src.Detach(), accumulate);
        var srcShape = src.Shape;
        return Graph.Record(y, op, [self, src], g =>
        {
            Tensor? gs = null;
            if (self.RequiresGrad)
            {
                gs = g;
                if (!accumulate)
                {
                    gs = g.Detach().CopyData();
                    Put(gs, map, Tensor.Zeros(srcShape, g.DType, g.Device), accumulate: false);
                }
            }
            return [gs, src.RequiresGrad ? Take(g, map, srcShape) : null];
        });
    }

    /// <summary>Visits every multi-index of <paramref name="shape"/> in row-major order with its linear index.
    /// The index array is reused between calls.</summary>
    public static void ForEach(Shape shape, Action<long, int[]> visit)
    {
        var n = shape.Numel;
        if (n == 0) return;
        var dims = shape.Dims.ToArray();
        var idx = new int[dims.Length];
        for (long i = 0; i < n; i++)
        {
            visit(i, idx);
            for (var d = dims.Length - 1; d >= 0; d--)
            {
                if (++idx[d] < dims[d]) break;
                idx[d] = 0;
            }
        }
    }

    /// <summary>Row-major linear index of <paramref name="idx"/> in <paramref name="shape"/>.</summary>
    public static long Linear(int[] idx, ReadOnlySpan<int> shape)
    {
        long l = 0;
        for (var d = 0; d < shape.Length; d++) l = l * shape[d] + idx[d];
        return l;
    }

    /// <summary>A map for an output of <paramref name="outShape"/> whose coordinate along each dim d reads input
    /// coordinate <c>source(d, c)</c> (−1 = fill) of <paramref name="inShape"/> (same rank). Built row by row from
    /// per-dim offset tables; rows run in parallel when <paramref name="parallel"/> and the map is large.</summary>
    public static long[] CoordinateMap(Shape outShape, Shape inShape, Func<int, int, int> source, bool parallel = false)
    {
        var rank = outShape.Rank;
        var map = new long[outShape.Numel];
        if (rank == 0 || map.Length == 0) return map;
        var inStrides = inShape.ContiguousStrides();
        var tables = new long[rank][];
        for (var d = 0; d < rank; d++)
        {
            tables[d] = new long[outShape[d]];
            for (var c = 0; c < outShape[d]; c++)
            {
                var src = source(d, c);
                tables[d][c] = src < 0 ? -1 : src * inStrides[d];
            }
        }
        var inner = outShape[rank - 1];
        var last = tables[rank - 1];
        var rows = map.Length / inner;
        var outDims = outShape.Dims.ToArray();
        void Row(long r)
        {
            long baseOffset = 0;
            var rem = r;
            for (var d = rank - 2; d >= 0; d--)
            {
                var t = tables[d][rem % outDims[d]];
                rem /= outDims[d];
                if (t < 0 || baseOffset < 0) baseOffset = -1;
                else baseOffset += t;
            }
            var o = r * inner;
            for (var c = 0; c < inner; c++)
                map[o + c] = baseOffset < 0 || last[c] < 0 ? -1 : baseOffset + last[c];
        }
        if (parallel && map.Length >= ParallelThreshold && rows > 1)
            Parallel.For(0L, rows, Row);
        else
            for (long r = 0; r < rows; r++) Row(r);
        return map;
    }

    /// <summary>The values of an integer index tensor as longs (row-major), checked against [−size, size) when
    /// <paramref name="allowNegative"/>, else [0, size); negatives are wrapped. Throws naming op and
    /// argument.</summary>
    public static long[] Indices(Tensor index, int size, string op, string arg, int dim, bool allowNegative = false)
    {
        if (index.DType is not (DType.I64 or DType.I32))
            throw new DTypeMismatchException(op, arg, "int64 (or int32)", index.DType.Name());
        if (!index.Device.IsHost)
            throw new DeviceMismatchException(op, arg, "a host device", index.Device.ToString());
        var v = index.DType == DType.I64 ? index.ToArray<long>() : Array.ConvertAll(index.ToArray<int>(), i => (long)i);
        var lo = allowNegative ? -size : 0;
        for (var i = 0; i < v.Length; i++)
        {
            if (v[i] < lo || v[i] >= size)
            {
                throw new ArgumentOutOfRangeException(arg, v[i],
                    $"{op}: {arg} value {v[i]} is out of range for dim {dim} of size {size}; " +
                    $"valid range is [{lo}, {size - 1}].");
            }
            if (v[i] < 0) v[i] += size;
        }
        return v;
    }
}
