using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Algorithms.RadixSortOperations;
using ILGPU.Runtime;

namespace Scratch.Backends.Gpu;

/// <summary>An order-preserving map from an element type to unsigned 64-bit sort keys.</summary>
internal interface ISortKey<T> where T : unmanaged
{
    /// <summary>A key whose unsigned order is the host sort order (NaN largest, −0 equal to +0).</summary>
    ulong Key(T v);
}

/// <summary>float keys: −0 becomes +0 and every NaN the canonical positive NaN (above +∞); then the IEEE bits with
/// the sign bit flipped (positives) or all bits flipped (negatives).</summary>
internal readonly struct F32SortKey : ISortKey<float>
{
    public ulong Key(float v)
    {
        var bits = float.IsNaN(v) ? 0x7FC00000u : v == 0 ? 0u : Interop.FloatAsInt(v);
        return (bits & 0x80000000u) != 0 ? ~bits : bits | 0x80000000u;
    }
}

/// <summary>double keys (see <see cref="F32SortKey"/>).</summary>
internal readonly struct F64SortKey : ISortKey<double>
{
    public ulong Key(double v)
    {
        var bits = double.IsNaN(v) ? 0x7FF8000000000000ul : v == 0 ? 0ul : Interop.FloatAsInt(v);
        return (bits & 0x8000000000000000ul) != 0 ? ~bits : bits | 0x8000000000000000ul;
    }
}

/// <summary>int keys: the sign bit flipped.</summary>
internal readonly struct I32SortKey : ISortKey<int>
{
    public ulong Key(int v) => (uint)v ^ 0x80000000u;
}

/// <summary>long keys: the sign bit flipped.</summary>
internal readonly struct I64SortKey : ISortKey<long>
{
    public ulong Key(long v) => (ulong)v ^ 0x8000000000000000ul;
}

/// <summary>byte keys (U8 and Bool): the value.</summary>
internal readonly struct U8SortKey : ISortKey<byte>
{
    public ulong Key(byte v) => v;
}

/// <summary>The lane geometry of a sort along one dim: x viewed as [outer, len, inner] (row-major), one lane per
/// (outer, inner) pair, each lane padded to <see cref="Padded"/> (a power of two) slots.</summary>
internal struct SortLanes
{
    public long Inner;
    public int Len;
    public int Padded;
    public int Descending;
}

/// <summary>Sorting along a dim on the GPU: every lane is padded to a power of two and sorted by a global bitonic
/// network over (key, position) pairs. Positions are unique in a lane, so the pairs are totally ordered and the
/// network's result is exactly the stable sort of the host (ties keep their input order, also descending, where
/// the key is complemented). Padding slots carry the largest key and positions ≥ len, so they sort last.</summary>
internal static class SortGpuKernels
{
    /// <summary>Slot e = lane·Padded + k gets x's key and position k (k &lt; len), or the padding pair.</summary>
    public static void Keys<T, TK>(Index1D e, ArrayView<T> x, GpuLayout lx, ArrayView<ulong> keys, ArrayView<int> pos,
        SortLanes s, TK conv) where T : unmanaged where TK : struct, ISortKey<T>
    {
        long lane = e / s.Padded;
        int k = e % s.Padded;
        pos[e] = k;
        if (k >= s.Len)
        {
            keys[e] = ulong.MaxValue;
            return;
        }
        long o = lane / s.Inner, i = lane % s.Inner;
        var key = conv.Key(x[lx.Map((o * s.Len + k) * s.Inner + i)]);
        keys[e] = s.Descending != 0 ? ~key : key;
    }

    /// <summary>For a single lane of a type whose keys fit 32 bits: slot e gets key(x[e]) (complemented when
    /// descending) in the upper half and e in the lower, so the 64-bit values are distinct and their ascending order
    /// is the host's stable order, whatever the sort's own stability; the position is the lower half afterwards.
    /// </summary>
    public static void PackedKeys<T, TK>(Index1D e, ArrayView<T> x, GpuLayout lx, ArrayView<ulong> packed,
        SortLanes s, TK conv) where T : unmanaged where TK : struct, ISortKey<T>
    {
        var key = (uint)conv.Key(x[lx.Map(e)]);
        packed[e] = (ulong)(s.Descending != 0 ? ~key : key) << 32 | (uint)e;
    }

    /// <summary>pos[e] = the position held in the lower half of packed[e].</summary>
    public static void UnpackPositions(Index1D e, ArrayView<ulong> packed, ArrayView<int> pos) =>
        pos[e] = (int)(packed[e] & 0xFFFFFFFFul);

    /// <summary>One compare-exchange step (j, k) of the bitonic network; one thread per pair, lanes side by side.
    /// </summary>
    public static void Step(Index1D t, ArrayView<ulong> keys, ArrayView<int> pos, int padded, int j, int k)
    {
        var half = padded / 2;
        long lane = t / half;
        int w = t % half;
        var i = w / j * 2 * j + w % j;
        long a = lane * padded + i, b = a + j;
        var ka = keys[a];
        var kb = keys[b];
        var pa = pos[a];
        var pb = pos[b];
        var greater = ka > kb || (ka == kb && pa > pb);
        if (greater != ((i & k) == 0)) return;
        keys[a] = kb;
        keys[b] = ka;
        pos[a] = pb;
        pos[b] = pa;
    }

    /// <summary>For ranks [first, first + count) of each lane: the source position along the dim (positions, laid
    /// out as x with the dim of size count) and the logical index into x (map).</summary>
    public static void Emit(Index1D e, ArrayView<int> pos, ArrayView<long> positions, ArrayView<long> map,
        SortLanes s, int first, int count)
    {
        long i = e % s.Inner;
        long rest = e / s.Inner;
        long j = rest % count, o = rest / count;
        var p = pos[(o * s.Inner + i) * s.Padded + first + j];
        positions[e] = p;
        map[e] = (o * s.Len + p) * s.Inner + i;
    }
}

public sealed partial class IlgpuBackend
{
    /// <summary>Sorts every lane of <paramref name="x"/> (any layout of rank ≤ 8, viewed as [outer, len, inner]) and
    /// writes, for ranks [first, first + count), the I64 source positions and the I64 take map (both contiguous, of
    /// outer·count·inner elements, on this device).</summary>
    internal void SortAlongDim(Tensor x, SortLanes s, long outer, int first, int count, Tensor positions, Tensor map)
    {
        if (outer * s.Inner == 1 && s.Len >= RadixSortMinLength && x.DType is not (DType.F64 or DType.I64))
        {
            var p = x.DType switch
            {
                DType.F32 => RadixSortLane<float, F32SortKey>(x, s),
                DType.I32 => RadixSortLane<int, I32SortKey>(x, s),
                _ => RadixSortLane<byte, U8SortKey>(x, s),
            };
            Emit(p);
            return;
        }
        switch (x.DType)
        {
            case DType.F32: SortKeys<float, F32SortKey>(x, s, outer, out var k, out var p); Finish(k, p); break;
            case DType.F64: SortKeys<double, F64SortKey>(x, s, outer, out k, out p); Finish(k, p); break;
            case DType.I32: SortKeys<int, I32SortKey>(x, s, outer, out k, out p); Finish(k, p); break;
            case DType.I64: SortKeys<long, I64SortKey>(x, s, outer, out k, out p); Finish(k, p); break;
            default: SortKeys<byte, U8SortKey>(x, s, outer, out k, out p); Finish(k, p); break;
        }

        void Finish(Tensor keys, Tensor pos)
        {
            const string op = "Sort";
            var slots = keys.Numel;
            if (s.Padded > 1)
            {
                var step = Kernel("SortStep", typeof(ulong), typeof(int), op,
                    acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<ulong>, ArrayView<int>, int, int, int>(
                        SortGpuKernels.Step));
                var pairs = checked((int)(slots / 2));
                for (var kk = 2; kk <= s.Padded; kk <<= 1)
                for (var j = kk / 2; j > 0; j >>= 1)
                    step(pairs, Dense<long>(keys, op).Cast<ulong>(), Dense<int>(pos, op), s.Padded, j, kk);
            }
            Emit(pos);
        }

        void Emit(Tensor pos)
        {
            const string op = "Sort";
            if (positions.Numel == 0) return;
            var emit = Kernel("SortEmit", typeof(int), typeof(long), op,
                acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<long>, ArrayView<long>,
                    SortLanes, int, int>(SortGpuKernels.Emit));
            emit(checked((int)positions.Numel), Dense<int>(pos, op), Dense<long>(positions, op), Dense<long>(map, op),
                s, first, count);
        }
    }

    /// <summary>Single lanes at least this long, of a dtype whose keys fit 32 bits (F32, I32, U8, Bool), are sorted
    /// by ILGPU.Algorithms' radix sort (O(n) passes) instead of the bitonic network (O(log² n) passes). Internal so
    /// tests can send short lanes through it.</summary>
    internal int RadixSortMinLength { get; set; } = 1 << 12;

    /// <summary>The sorted positions of x's single lane: packed (key, position) values radix-sorted ascending.
    /// </summary>
    private Tensor RadixSortLane<T, TK>(Tensor x, SortLanes s) where T : unmanaged where TK : struct, ISortKey<T>
    {
        const string op = "Sort";
        var packed = Tensor.Empty(new Shape(s.Len), DType.I64, Device);
        var pos = Tensor.Empty(new Shape(s.Len), DType.I32, Device);
        var view = Dense<long>(packed, op).Cast<ulong>();
        var k = Kernel("SortPackedKeys", typeof(T), typeof(TK), op,
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<T>, GpuLayout, ArrayView<ulong>, SortLanes, TK>(
                SortGpuKernels.PackedKeys<T, TK>));
        k(s.Len, StorageOf<T>(x, op).View, GpuLayout.Of(x, op), view, s, default);
        var sort = Kernel("RadixSort", typeof(ulong), typeof(AscendingUInt64), op,
            acc => acc.CreateRadixSort<ulong, Stride1D.Dense, AscendingUInt64>());
        var temp = Tensor.Empty(
            new Shape(Accelerator.ComputeRadixSortTempStorageSize<ulong, AscendingUInt64>(s.Len).X),
            DType.I32, Device);
        sort(Stream, view, Dense<int>(temp, op));
        var unpack = Kernel("SortUnpack", typeof(ulong), typeof(int), op,
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<ulong>, ArrayView<int>>(
                SortGpuKernels.UnpackPositions));
        unpack(s.Len, view, Dense<int>(pos, op));
        return pos;
    }

    private void SortKeys<T, TK>(Tensor x, SortLanes s, long outer, out Tensor keys, out Tensor pos)
        where T : unmanaged where TK : struct, ISortKey<T>
    {
        const string op = "Sort";
        var slots = checked((int)(outer * s.Inner * s.Padded));
        // ulong keys travel in an I64 tensor (same bits); positions in an I32 tensor.
        keys = Tensor.Empty(new Shape(slots), DType.I64, Device);
        pos = Tensor.Empty(new Shape(slots), DType.I32, Device);
        if (slots == 0) return;
        var k = Kernel("SortKeys", typeof(T), typeof(TK), op,
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<T>, GpuLayout, ArrayView<ulong>, ArrayView<int>,
                SortLanes, TK>(SortGpuKernels.Keys<T, TK>));
        k(slots, StorageOf<T>(x, op).View, GpuLayout.Of(x, op), Dense<long>(keys, op).Cast<ulong>(),
            Dense<int>(pos, op), s, default);
    }
}
