using ILGPU;
using ILGPU.Runtime;

namespace Scratch.Backends.Gpu;

/// <summary>The geometry of an index map built along one dim (see <see cref="IndexGpuKernels.AlongDim"/>).</summary>
internal struct AlongDimArgs
{
    /// <summary>Product of the iteration sizes after the indexed dim.</summary>
    public long Inner;

    /// <summary>Iteration size of the indexed dim.</summary>
    public long SizeD;

    /// <summary>Contiguous stride of the indexed dim in the target.</summary>
    public long StrideD;

    /// <summary>Target size of the indexed dim (negative index values are wrapped by it).</summary>
    public long Wrap;

    /// <summary>1: one index value per element (gather/scatter); 0: one per position along the dim (index_select).
    /// </summary>
    public int PerElement;
}

/// <summary>Indexing kernels on the GPU. Every indexing op is a <em>take</em> (y[i] = x[map[i]], or a fill value
/// where map[i] &lt; 0) or a <em>put</em> (dst[map[i]] = or += src[i]) over an int64 map of logical (row-major)
/// element indices that lives on the device; maps come from the host or are built on the device from an index
/// tensor (<see cref="AlongDim"/>). One thread per map entry.</summary>
internal static class IndexGpuKernels
{
    /// <summary>Threads of <see cref="Range"/> (each folds a strided slice, then two atomics).</summary>
    public const int RangeThreads = 1 << 14;

    /// <summary>y[i] = x[map[i]] (x read through its layout), or <paramref name="fill"/> where map[i] &lt; 0.
    /// </summary>
    public static void Take<T>(Index1D i, ArrayView<T> x, GpuLayout lx, ArrayView<long> map, ArrayView<T> y, T fill)
        where T : unmanaged
    {
        var m = map[i];
        y[i] = m < 0 ? fill : x[lx.Map(m)];
    }

    /// <summary>dst[map[i]] += src[i] (atomic), float.</summary>
    public static void PutAddF32(Index1D i, ArrayView<long> map, ArrayView<float> src, ArrayView<float> dst)
    {
        var m = map[i];
        if (m >= 0) Atomic.Add(ref dst[m], src[i]);
    }

    /// <summary>dst[map[i]] += src[i] (atomic), double.</summary>
    public static void PutAddF64(Index1D i, ArrayView<long> map, ArrayView<double> src, ArrayView<double> dst)
    {
        var m = map[i];
        if (m >= 0) Atomic.Add(ref dst[m], src[i]);
    }

    /// <summary>dst[map[i]] += src[i] (atomic), int.</summary>
    public static void PutAddI32(Index1D i, ArrayView<long> map, ArrayView<int> src, ArrayView<int> dst)
    {
        var m = map[i];
        if (m >= 0) Atomic.Add(ref dst[m], src[i]);
    }

    /// <summary>dst[map[i]] += src[i] (atomic), long.</summary>
    public static void PutAddI64(Index1D i, ArrayView<long> map, ArrayView<long> src, ArrayView<long> dst)
    {
        var m = map[i];
        if (m >= 0) Atomic.Add(ref dst[m], src[i]);
    }

    /// <summary>winner[map[i]] = max(winner[map[i]], i): the last source element writing each target.</summary>
    public static void Claim(Index1D i, ArrayView<long> map, ArrayView<long> winner)
    {
        var m = map[i];
        if (m >= 0) Atomic.Max(ref winner[m], (long)(int)i);
    }

    /// <summary>dst[map[i]] = src[i] for the source element that won the target in <see cref="Claim"/>, so
    /// duplicates resolve as a sequential loop would (the last write wins).</summary>
    public static void PutClaimed<T>(Index1D i, ArrayView<long> map, ArrayView<long> winner, ArrayView<T> src,
        ArrayView<T> dst) where T : unmanaged
    {
        var m = map[i];
        if (m >= 0 && winner[m] == (int)i) dst[m] = src[i];
    }

    /// <summary>map[i] = geo.Map(i) + (v − c)·StrideD: element i of the iteration shape (geo's sizes) with its
    /// coordinate c along the indexed dim replaced by v = values[i] (per element) or values[c], negative v wrapped.
    /// geo's strides are the target's contiguous strides, so the map holds logical target indices.</summary>
    public static void AlongDim(Index1D i, ArrayView<long> values, GpuLayout geo, AlongDimArgs a, ArrayView<long> map)
    {
        var c = i / a.Inner % a.SizeD;
        var v = a.PerElement != 0 ? values[i] : values[c];
        if (v < 0) v += a.Wrap;
        map[i] = geo.Map(i) + (v - c) * a.StrideD;
    }

    /// <summary>range[0] = min, range[1] = max of values (strided fold per thread, then atomics).</summary>
    public static void Range(Index1D t, ArrayView<long> values, ArrayView<long> range)
    {
        var lo = long.MaxValue;
        var hi = long.MinValue;
        for (long i = t; i < values.Length; i += RangeThreads)
        {
            var v = values[i];
            if (v < lo) lo = v;
            if (v > hi) hi = v;
        }
        Atomic.Min(ref range[0], lo);
        Atomic.Max(ref range[1], hi);
    }

    /// <summary>y[i] = c[i] ? a[i] : b[i], all three read through their (broadcast) layouts.</summary>
    public static void Where<T>(Index1D i, ArrayView<byte> c, GpuLayout lc, ArrayView<T> a, GpuLayout la,
        ArrayView<T> b, GpuLayout lb, ArrayView<T> y) where T : unmanaged =>
        y[i] = c[lc.Map(i)] != 0 ? a[la.Map(i)] : b[lb.Map(i)];
}

public sealed partial class IlgpuBackend
{
    /// <summary>y[i] = x[map[i]] or <paramref name="fill"/> (I64 <paramref name="map"/> and contiguous
    /// <paramref name="y"/> on this device; x any layout of rank ≤ 8).</summary>
    internal void Take(Tensor x, Tensor map, Tensor y, double fill, string op)
    {
        switch (x.DType)
        {
            case DType.F32: TakeT(x, map, y, HostValue<float>(fill), op); break;
            case DType.F64: TakeT(x, map, y, fill, op); break;
            case DType.I32: TakeT(x, map, y, HostValue<int>(fill), op); break;
            case DType.I64: TakeT(x, map, y, HostValue<long>(fill), op); break;
            case DType.Bool: TakeT(x, map, y, fill != 0 ? (byte)1 : (byte)0, op); break;
            default: TakeT(x, map, y, HostValue<byte>(fill), op); break;
        }
    }

    private void TakeT<T>(Tensor x, Tensor map, Tensor y, T fill, string op) where T : unmanaged
    {
        if (y.Numel == 0) return;
        var k = Kernel("IndexTake", typeof(T), typeof(T), op,
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<T>, GpuLayout, ArrayView<long>, ArrayView<T>, T>(
                IndexGpuKernels.Take));
        k(checked((int)y.Numel), StorageOf<T>(x, op).View, GpuLayout.Of(x, op), Dense<long>(map, op),
            Dense<T>(y, op), fill);
    }

    /// <summary>dst[map[i]] += src[i] with atomics; F32, F64, I32 or I64; dst and src contiguous on this device.
    /// </summary>
    internal void PutAdd(Tensor dst, Tensor map, Tensor src, string op)
    {
        if (map.Numel == 0) return;
        var n = checked((int)map.Numel);
        var m = Dense<long>(map, op);
        switch (dst.DType)
        {
            case DType.F32:
                Kernel("IndexPutAdd", typeof(float), typeof(float), op,
                    acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<long>, ArrayView<float>,
                        ArrayView<float>>(IndexGpuKernels.PutAddF32))(n, m, Dense<float>(src, op),
                    Dense<float>(dst, op));
                break;
            case DType.F64:
                Kernel("IndexPutAdd", typeof(double), typeof(double), op,
                    acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<long>, ArrayView<double>,
                        ArrayView<double>>(IndexGpuKernels.PutAddF64))(n, m, Dense<double>(src, op),
                    Dense<double>(dst, op));
                break;
            case DType.I32:
                Kernel("IndexPutAdd", typeof(int), typeof(int), op,
                    acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<long>, ArrayView<int>,
                        ArrayView<int>>(IndexGpuKernels.PutAddI32))(n, m, Dense<int>(src, op), Dense<int>(dst, op));
                break;
            case DType.I64:
                Kernel("IndexPutAdd", typeof(long), typeof(long), op,
                    acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<long>, ArrayView<long>,
                        ArrayView<long>>(IndexGpuKernels.PutAddI64))(n, m, Dense<long>(src, op), Dense<long>(dst, op));
                break;
            default:
                throw new DTypeMismatchException(op, "src", "float32, float64, int32 or int64", dst.DType.Name());
        }
    }

    /// <summary>dst[map[i]] = src[i], the last i winning for duplicate targets (as a sequential loop); dst and src
    /// contiguous on this device.</summary>
    internal void PutLast(Tensor dst, Tensor map, Tensor src, string op)
    {
        switch (dst.DType)
        {
            case DType.F32: PutLastT<float>(dst, map, src, op); break;
            case DType.F64: PutLastT<double>(dst, map, src, op); break;
            case DType.I32: PutLastT<int>(dst, map, src, op); break;
            case DType.I64: PutLastT<long>(dst, map, src, op); break;
            default: PutLastT<byte>(dst, map, src, op); break;
        }
    }

    private void PutLastT<T>(Tensor dst, Tensor map, Tensor src, string op) where T : unmanaged
    {
        if (map.Numel == 0 || dst.Numel == 0) return;
        var n = checked((int)map.Numel);
        var winner = Tensor.Full(new Shape(checked((int)dst.Numel)), -1, DType.I64, Device);
        var claim = Kernel("IndexClaim", typeof(long), typeof(long), op,
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<long>, ArrayView<long>>(IndexGpuKernels.Claim));
        claim(n, Dense<long>(map, op), Dense<long>(winner, op));
        var put = Kernel("IndexPutClaimed", typeof(T), typeof(T), op,
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<long>, ArrayView<long>, ArrayView<T>,
                ArrayView<T>>(IndexGpuKernels.PutClaimed));
        put(n, Dense<long>(map, op), Dense<long>(winner, op), Dense<T>(src, op), Dense<T>(dst, op));
    }

    /// <summary>Builds the I64 <paramref name="map"/> of <see cref="IndexGpuKernels.AlongDim"/> from contiguous I64
    /// <paramref name="values"/> on this device.</summary>
    internal void AlongDim(Tensor values, GpuLayout geo, AlongDimArgs args, Tensor map, string op)
    {
        if (map.Numel == 0) return;
        var k = Kernel("IndexAlongDim", typeof(long), typeof(long), op,
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<long>, GpuLayout, AlongDimArgs,
                ArrayView<long>>(IndexGpuKernels.AlongDim));
        k(checked((int)map.Numel), Dense<long>(values, op), geo, args, Dense<long>(map, op));
    }

    /// <summary>The minimum and maximum of contiguous non-empty I64 <paramref name="values"/> on this device (one
    /// copy of two numbers to the host).</summary>
    internal (long Min, long Max) IndexRange(Tensor values, string op)
    {
        var range = Tensor.From(new[] { long.MaxValue, long.MinValue }).To(Device);
        var k = Kernel("IndexRange", typeof(long), typeof(long), op,
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<long>, ArrayView<long>>(IndexGpuKernels.Range));
        k((int)Math.Min(values.Numel, IndexGpuKernels.RangeThreads), Dense<long>(values, op), Dense<long>(range, op));
        var r = range.ToArray<long>();
        return (r[0], r[1]);
    }

    /// <summary>y = c ? a : b with Bool c and a, b of y's dtype, all three broadcast to y's shape (any layout);
    /// y contiguous on this device.</summary>
    internal void Where(Tensor c, Tensor a, Tensor b, Tensor y)
    {
        switch (y.DType)
        {
            case DType.F32: WhereT<float>(c, a, b, y); break;
            case DType.F64: WhereT<double>(c, a, b, y); break;
            case DType.I32: WhereT<int>(c, a, b, y); break;
            case DType.I64: WhereT<long>(c, a, b, y); break;
            default: WhereT<byte>(c, a, b, y); break;
        }
    }

    private void WhereT<T>(Tensor c, Tensor a, Tensor b, Tensor y) where T : unmanaged
    {
        const string op = "Where";
        if (y.Numel == 0) return;
        var k = Kernel("Where", typeof(T), typeof(T), op,
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<byte>, GpuLayout, ArrayView<T>, GpuLayout,
                ArrayView<T>, GpuLayout, ArrayView<T>>(IndexGpuKernels.Where));
        k(checked((int)y.Numel), StorageOf<byte>(c, op).View, GpuLayout.Of(c, op), StorageOf<T>(a, op).View,
            GpuLayout.Of(a, op), StorageOf<T>(b, op).View, GpuLayout.Of(b, op), Dense<T>(y, op));
    }
}
