using System.Numerics;
using Scratch.Ops;

namespace Scratch.Backends.Cpu;

/// <summary>The fast host backend: contiguous span loops, vectorised op paths (TensorPrimitives / Vector&lt;T&gt;)
/// and Parallel.For over large ranges.</summary>
public sealed class CpuBackend : IBackend
{
    /// <summary>The single instance.</summary>
    public static CpuBackend Instance { get; } = new();

    private CpuBackend()
    {
    }

    /// <inheritdoc/>
    public Device Device => Device.Cpu;

    /// <inheritdoc/>
    public Storage Allocate(DType dtype, long count) => HostAllocator.Allocate(dtype, count, Device);

    /// <inheritdoc/>
    public Storage AllocateUninitialized(DType dtype, long count) =>
        HostAllocator.Allocate(dtype, count, Device, zeroed: false);

    /// <inheritdoc/>
    public void Copy(Tensor src, Tensor dst)
    {
        switch (src.Storage)
        {
            case HostStorage<float>: CopyT<float>(src, dst); break;
            case HostStorage<double>: CopyT<double>(src, dst); break;
            case HostStorage<int>: CopyT<int>(src, dst); break;
            case HostStorage<long>: CopyT<long>(src, dst); break;
            default: CopyT<byte>(src, dst); break;
        }
    }

    private static void CopyT<T>(Tensor src, Tensor dst) where T : unmanaged
    {
        var s = src.HostArray<T>();
        var d = dst.HostArray<T>();
        if (dst.IsContiguous)
        {
            Strided.Gather(s, src.Offset, src.Shape.Dims, src.Strides, d, (int)dst.Offset);
            return;
        }
        var tmp = new T[src.Numel];
        Strided.Gather(s, src.Offset, src.Shape.Dims, src.Strides, tmp, 0);
        Strided.Scatter(tmp, 0, d, dst.Offset, dst.Shape.Dims, dst.Strides);
    }

    /// <inheritdoc/>
    public void Cast(Tensor src, Tensor dst) => HostCast.Run(src, dst, parallel: true);

    /// <inheritdoc/>
    public void Fill(Tensor dst, double value) => HostCast.Fill(dst, value);

    /// <inheritdoc/>
    public void Map<TOp>(TOp op, Tensor x, Tensor y) where TOp : struct, IUnaryOp
    {
        switch (x.DType)
        {
            case DType.F32: MapT<TOp, float>(op, x, y); break;
            case DType.F64: MapT<TOp, double>(op, x, y); break;
            default: throw DTypeDispatch.Floating(op.Name, x.DType);
        }
    }

    private static void MapT<TOp, T>(TOp op, Tensor x, Tensor y) where TOp : struct, IUnaryOp where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xs = x.HostArray<T>();
        var ys = y.HostArray<T>();
        long xo = x.Offset, yo = y.Offset;
        HostParallel.Chunks(y.Numel, true, (lo, hi) =>
        {
            var src = new ReadOnlySpan<T>(xs, (int)(xo + lo), (int)(hi - lo));
            var dst = new Span<T>(ys, (int)(yo + lo), (int)(hi - lo));
            if (!op.ForwardSpan(src, dst))
                for (var i = 0; i < src.Length; i++) dst[i] = op.Forward(src[i]);
        });
    }

    /// <inheritdoc/>
    public void MapBackward<TOp>(TOp op, Tensor x, Tensor y, Tensor dy, Tensor dx) where TOp : struct, IUnaryOp
    {
        switch (x.DType)
        {
            case DType.F32: MapBackwardT<TOp, float>(op, x, y, dy, dx); break;
            case DType.F64: MapBackwardT<TOp, double>(op, x, y, dy, dx); break;
            default: throw DTypeDispatch.Floating(op.Name, x.DType);
        }
    }

    private static void MapBackwardT<TOp, T>(TOp op, Tensor x, Tensor y, Tensor dy, Tensor dx)
        where TOp : struct, IUnaryOp where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (xs, ys, gs, ds) = (x.HostArray<T>(), y.HostArray<T>(), dy.HostArray<T>(), dx.HostArray<T>());
        long xo = x.Offset, yo = y.Offset, go = dy.Offset, dO = dx.Offset;
        HostParallel.Chunks(dx.Numel, true, (lo, hi) =>
        {
            int n = (int)(hi - lo);
            if (op.BackwardSpan<T>(xs.AsSpan((int)(xo + lo), n), ys.AsSpan((int)(yo + lo), n), gs.AsSpan((int)(go + lo), n),
                    ds.AsSpan((int)(dO + lo), n)))
                return;
            for (var i = lo; i < hi; i++) ds[dO + i] = op.Backward(xs[xo + i], ys[yo + i], gs[go + i]);
        });
    }

    /// <inheritdoc/>
    public void Zip<TOp>(TOp op, Tensor a, Tensor b, Tensor y) where TOp : struct, IBinaryOp
    {
        switch (a.DType)
        {
            case DType.F32: ZipT<TOp, float>(op, a, b, y); break;
            case DType.F64: ZipT<TOp, double>(op, a, b, y); break;
            case DType.I32: ZipT<TOp, int>(op, a, b, y); break;
            case DType.I64: ZipT<TOp, long>(op, a, b, y); break;
            default: ZipT<TOp, byte>(op, a, b, y); break;
        }
    }

    private static void ZipT<TOp, T>(TOp op, Tensor a, Tensor b, Tensor y) where TOp : struct, IBinaryOp where T : unmanaged, INumber<T>
    {
        if (!(a.IsContiguous && b.IsContiguous) && BroadcastZip.TryRun<TOp, T>(op, a, b, y)) return;
        var (av, ao) = Flat<T>(a);
        var (bv, bo) = Flat<T>(b);
        var yv = y.HostArray<T>();
        var yo = y.Offset;
        HostParallel.Chunks(y.Numel, true, (lo, hi) =>
        {
            var len = (int)(hi - lo);
            var sa = new ReadOnlySpan<T>(av, (int)(ao + lo), len);
            var sb = new ReadOnlySpan<T>(bv, (int)(bo + lo), len);
            var sy = new Span<T>(yv, (int)(yo + lo), len);
            if (!op.ForwardSpan(sa, sb, sy))
                for (var i = 0; i < len; i++) sy[i] = op.Forward(sa[i], sb[i]);
        });
    }

    /// <inheritdoc/>
    public void Compare<TOp>(TOp op, Tensor a, Tensor b, Tensor y) where TOp : struct, ICompareOp
    {
        switch (a.DType)
        {
            case DType.F32: CompareT<TOp, float>(op, a, b, y); break;
            case DType.F64: CompareT<TOp, double>(op, a, b, y); break;
            case DType.I32: CompareT<TOp, int>(op, a, b, y); break;
            case DType.I64: CompareT<TOp, long>(op, a, b, y); break;
            default: CompareT<TOp, byte>(op, a, b, y); break;
        }
    }

    private static void CompareT<TOp, T>(TOp op, Tensor a, Tensor b, Tensor y) where TOp : struct, ICompareOp where T : unmanaged, INumber<T>
    {
        var (av, ao) = Flat<T>(a);
        var (bv, bo) = Flat<T>(b);
        var yv = y.HostArray<byte>();
        var yo = y.Offset;
        HostParallel.Chunks(y.Numel, true, (lo, hi) =>
        {
            for (var i = lo; i < hi; i++) yv[yo + i] = op.Forward(av[ao + i], bv[bo + i]) ? (byte)1 : (byte)0;
        });
    }

    /// <summary>The elements of <paramref name="t"/> as a flat row-major array and offset, gathering if strided.</summary>
    private static (T[] Data, long Offset) Flat<T>(Tensor t) where T : unmanaged
    {
        if (t.IsContiguous) return (t.HostArray<T>(), t.Offset);
        var tmp = new T[t.Numel];
        Strided.Gather(t.HostArray<T>(), t.Offset, t.Shape.Dims, t.Strides, tmp, 0);
        return (tmp, 0);
    }

    /// <inheritdoc/>
    public void Reduce<TOp>(TOp op, Tensor x, Tensor y, int rows, int len) where TOp : struct, IReduceOp
    {
        switch (x.DType)
        {
            case DType.F32: ReduceT<TOp, float>(op, x, y, rows, len); break;
            case DType.F64: ReduceT<TOp, double>(op, x, y, rows, len); break;
            case DType.I32: ReduceT<TOp, int>(op, x, y, rows, len); break;
            case DType.I64: ReduceT<TOp, long>(op, x, y, rows, len); break;
            default: ReduceT<TOp, byte>(op, x, y, rows, len); break;
        }
    }

    private static void ReduceT<TOp, T>(TOp op, Tensor x, Tensor y, int rows, int len)
        where TOp : struct, IReduceOp where T : unmanaged, INumber<T>, IMinMaxValue<T>
    {
        var xs = x.HostArray<T>();
        var ys = y.HostArray<T>();
        long xo = x.Offset, yo = y.Offset;
        void Rows(int lo, int hi)
        {
            for (var r = lo; r < hi; r++)
            {
                var row = new ReadOnlySpan<T>(xs, (int)(xo + (long)r * len), len);
                if (len == 0 || !op.ReduceSpan(row, out var acc))
                {
                    acc = op.Identity<T>();
                    foreach (var v in row) acc = op.Combine(acc, v);
                }
                ys[yo + r] = acc;
            }
        }
        if ((long)rows * len >= 2 * HostParallel.Grain && rows > 1)
        {
            var chunks = Math.Min(rows, Environment.ProcessorCount * 4);
            Parallel.For(0, chunks, c => Rows((int)((long)rows * c / chunks), (int)((long)rows * (c + 1) / chunks)));
        }
        else
        {
            Rows(0, rows);
        }
    }

    /// <inheritdoc/>
    public void ArgReduce(bool max, Tensor x, Tensor values, Tensor indices, int rows, int len) =>
        HostArgReduce.Run(max, x, values, indices, rows, len, parallel: true);

    /// <inheritdoc/>
    public void Matmul(Tensor a, Tensor b, Tensor c)
    {
        switch (a.DType)
        {
            case DType.F32: Gemm.Batched<float>(a, b, c); break;
            case DType.F64: Gemm.Batched<double>(a, b, c); break;
            default: throw DTypeDispatch.Floating("Matmul", a.DType);
        }
    }
}
