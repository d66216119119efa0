using System.Numerics;
using ILGPU;
using Scratch.Ops;

namespace Scratch.Backends.Gpu;

/// <summary>The ILGPU kernels behind <see cref="IlgpuBackend"/>: plain static methods over <see cref="ArrayView{T}"/>.
/// </summary>
/// <remarks>Elementwise kernels are generic over the op struct and the element type, so the same
/// <see cref="IUnaryOp"/>/<see cref="IBinaryOp"/> code that runs on the host is compiled to PTX (or to the CPU
/// accelerator). Reductions use one group per row and a shared-memory tree; matmul uses 16×16 shared tiles.</remarks>
internal static class GpuKernels
{
    /// <summary>Threads per group of the row reductions (a power of two).</summary>
    public const int ReduceGroup = 64;

    /// <summary>Tile edge of the matmul kernel; a group is Tile×Tile threads.</summary>
    public const int Tile = 16;

    public static void Fill<T>(Index1D i, ArrayView<T> y, T value) where T : unmanaged => y[i] = value;

    public static void Copy<T>(Index1D i, ArrayView<T> src, GpuLayout ls, ArrayView<T> dst, GpuLayout ld)
        where T : unmanaged =>
        dst[ld.Map(i)] = src[ls.Map(i)];

    public static void Cast<TS, TD>(Index1D i, ArrayView<TS> src, ArrayView<TD> dst)
        where TS : unmanaged, INumber<TS> where TD : unmanaged, INumber<TD> =>
        dst[i] = TD.CreateTruncating(src[i]);

    public static void ToBool<TS>(Index1D i, ArrayView<TS> src, ArrayView<byte> dst)
        where TS : unmanaged, INumber<TS> =>
        dst[i] = src[i] != TS.Zero ? (byte)1 : (byte)0;

    public static void Map<TOp, T>(Index1D i, TOp op, ArrayView<T> x, ArrayView<T> y)
        where TOp : struct, IUnaryOp where T : unmanaged, IFloatingPointIeee754<T> =>
        y[i] = op.Forward(x[i]);

    public static void MapBackward<TOp, T>(Index1D i, TOp op, ArrayView<T> x, ArrayView<T> y, ArrayView<T> dy,
        ArrayView<T> dx) where TOp : struct, IUnaryOp where T : unmanaged, IFloatingPointIeee754<T> =>
        dx[i] = op.Backward(x[i], y[i], dy[i]);

    public static void Zip<TOp, T>(Index1D i, TOp op, ArrayView<T> a, GpuLayout la, ArrayView<T> b, GpuLayout lb,
        ArrayView<T> y) where TOp : struct, IBinaryOp where T : unmanaged, INumber<T> =>
        y[i] = op.Forward(a[la.Map(i)], b[lb.Map(i)]);

    public static void Compare<TOp, T>(Index1D i, TOp op, ArrayView<T> a, GpuLayout la, ArrayView<T> b, GpuLayout lb,
        ArrayView<byte> y) where TOp : struct, ICompareOp where T : unmanaged, INumber<T> =>
        y[i] = op.Forward(a[la.Map(i)], b[lb.Map(i)]) ? (byte)1 : (byte)0;

    /// <summary>y[row] = reduce(x[row, 0..len)); one group of <see cref="ReduceGroup"/> threads per row (grid = rows):
    /// each thread folds a strided slice, then a shared-memory tree combines the partials.</summary>
    public static void Reduce<TOp, T>(TOp op, ArrayView<T> x, ArrayView<T> y, int len, T identity)
        where TOp : struct, IReduceOp where T : unmanaged, INumber<T>, IMinMaxValue<T>
    {
        var shared = SharedMemory.Allocate<T>(ReduceGroup);
        int row = Grid.IdxX, t = Group.IdxX;
        var acc = identity;
        for (var j = t; j < len; j += ReduceGroup) acc = op.Combine(acc, x[(long)row * len + j]);
        shared[t] = acc;
        Group.Barrier();
        for (var s = ReduceGroup / 2; s > 0; s >>= 1)
        {
            if (t < s) shared[t] = op.Combine(shared[t], shared[t + s]);
            Group.Barrier();
        }
        if (t == 0) y[row] = shared[0];
    }

    /// <summary>Arg-max/arg-min over rows, one group per row; ties and NaNs resolve to the lowest index, so the tree
    /// gives the same answer as a left-to-right scan (NaN counts as the extreme).</summary>
    public static void ArgReduce<T>(ArrayView<T> x, ArrayView<T> values, ArrayView<long> indices, int len, int max)
        where T : unmanaged, INumber<T>
    {
        var sv = SharedMemory.Allocate<T>(ReduceGroup);
        var si = SharedMemory.Allocate<long>(ReduceGroup);
        int row = Grid.IdxX, t = Group.IdxX;
        var bestV = T.Zero;
        var bestI = -1L;
        for (var j = t; j < len; j += ReduceGroup)
        {
            var v = x[(long)row * len + j];
            if (Wins(max != 0, v, j, bestV, bestI)) (bestV, bestI) = (v, j);
        }
        sv[t] = bestV;
        si[t] = bestI;
        Group.Barrier();
        for (var s = ReduceGroup / 2; s > 0; s >>= 1)
        {
            if (t < s && Wins(max != 0, sv[t + s], si[t + s], sv[t], si[t]))
            {
                sv[t] = sv[t + s];
                si[t] = si[t + s];
            }
            Group.Barrier();
        }
        if (t == 0)
        {
            values[row] = sv[0];
            indices[row] = si[0];
        }
    }

    /// <summary>True when candidate (a, ia) beats the incumbent (b, ib); index −1 marks an empty slot.</summary>
    private static bool Wins<T>(bool max, T a, long ia, T b, long ib) where T : unmanaged, INumber<T>
    {
        if (ia < 0) return false;
        if (ib < 0) return true;
        bool an = T.IsNaN(a), bn = T.IsNaN(b);
        if (an || bn) return an && (!bn || ia < ib);
        if (a == b) return ia < ib;
        return max ? a > b : a < b;
    }

    /// <summary>c[p] = a[p] @ b[p] with 16×16 shared-memory tiles; grid (⌈N/16⌉, ⌈M/16⌉, B), group (16, 16).
    /// </summary>
    public static void Matmul<T>(ArrayView<T> a, ArrayView<T> b, ArrayView<T> c, MatmulArgs p)
        where T : unmanaged, INumber<T>
    {
        var ta = SharedMemory.Allocate<T>(Tile * Tile);
        var tb = SharedMemory.Allocate<T>(Tile * Tile);
        int tx = Group.IdxX, ty = Group.IdxY;
        int col = Grid.IdxX * Tile + tx, row = Grid.IdxY * Tile + ty;
        long batch = Grid.IdxZ;
        var acc = T.Zero;
        for (var k0 = 0; k0 < p.K; k0 += Tile)
        {
            int ka = k0 + tx, kb = k0 + ty;
            ta[ty * Tile + tx] = row < p.M && ka < p.K
                ? a[p.AOffset + batch * p.A0 + row * p.A1 + ka * p.A2]
                : T.Zero;
            tb[ty * Tile + tx] = kb < p.K && col < p.N
                ? b[p.BOffset + batch * p.B0 + kb * p.B1 + col * p.B2]
                : T.Zero;
            Group.Barrier();
            for (var q = 0; q < Tile; q++) acc += ta[ty * Tile + q] * tb[q * Tile + tx];
            Group.Barrier();
        }
        if (row < p.M && col < p.N) c[(batch * p.M + row) * p.N + col] = acc;
    }
}

/// <summary>Sizes and strides of one batched matmul, passed to <see cref="GpuKernels.Matmul{T}"/> by value.</summary>
internal struct MatmulArgs
{
    public int M, N, K;
    public long AOffset, A0, A1, A2;
    public long BOffset, B0, B1, B2;
}
