using System.Numerics;
using Scratch.Ops;

namespace Scratch.Backends.Reference;

/// <summary>The scalar, obviously correct backend: one element at a time through <see cref="Strided.Offsets(Tensor)"/>.
/// It is the oracle every fast kernel is tested against.</summary>
public sealed class ReferenceBackend : IBackend
{
    /// <summary>The single instance.</summary>
    public static ReferenceBackend Instance { get; } = new();

    private ReferenceBackend()
    {
    }

    /// <inheritdoc/>
    public Device Device => Device.Reference;

    /// <inheritdoc/>
    public Storage Allocate(DType dtype, long count) => HostAllocator.Allocate(dtype, count, Device);

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
        var so = Strided.Offsets(src);
        var doff = Strided.Offsets(dst);
        for (long i = 0; i < so.LongLength; i++) d[doff[i]] = s[so[i]];
    }

    /// <inheritdoc/>
    public void Cast(Tensor src, Tensor dst) => HostCast.Run(src, dst, parallel: false);

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
        var xo = Strided.Offsets(x);
        var yo = Strided.Offsets(y);
        for (long i = 0; i < xo.LongLength; i++) ys[yo[i]] = op.Forward(xs[xo[i]]);
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
        var (xo, yo, go, dO) = (Strided.Offsets(x), Strided.Offsets(y), Strided.Offsets(dy), Strided.Offsets(dx));
        for (long i = 0; i < xo.LongLength; i++) ds[dO[i]] = op.Backward(xs[xo[i]], ys[yo[i]], gs[go[i]]);
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
        var (av, bv, yv) = (a.HostArray<T>(), b.HostArray<T>(), y.HostArray<T>());
        var (ao, bo, yo) = (Strided.Offsets(a), Strided.Offsets(b), Strided.Offsets(y));
        for (long i = 0; i < yo.LongLength; i++) yv[yo[i]] = op.Forward(av[ao[i]], bv[bo[i]]);
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
        var (av, bv, yv) = (a.HostArray<T>(), b.HostArray<T>(), y.HostArray<byte>());
        var (ao, bo, yo) = (Strided.Offsets(a), Strided.Offsets(b), Strided.Offsets(y));
        for (long i = 0; i < yo.LongLength; i++) yv[yo[i]] = op.Forward(av[ao[i]], bv[bo[i]]) ? (byte)1 : (byte)0;
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
        for (var r = 0; r < rows; r++)
        {
            var acc = op.Identity<T>();
            for (var j = 0; j < len; j++) acc = op.Combine(acc, xs[x.Offset + (long)r * len + j]);
            ys[y.Offset + r] = acc;
        }
    }

    /// <inheritdoc/>
    public void ArgReduce(bool max, Tensor x, Tensor values, Tensor indices, int rows, int len) =>
        HostArgReduce.Run(max, x, values, indices, rows, len, parallel: false);

    /// <inheritdoc/>
    public void Matmul(Tensor a, Tensor b, Tensor c)
    {
        switch (a.DType)
        {
            case DType.F32: MatmulT<float>(a, b, c); break;
            case DType.F64: MatmulT<double>(a, b, c); break;
            default: throw DTypeDispatch.Floating("Matmul", a.DType);
        }
    }

    private static void MatmulT<T>(Tensor a, Tensor b, Tensor c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (av, bv, cv) = (a.HostArray<T>(), b.HostArray<T>(), c.HostArray<T>());
        int batch = c.Size(0), m = c.Size(1), n = c.Size(2), k = a.Size(2);
        var sa = a.Strides.ToArray();
        var sb = b.Strides.ToArray();
        for (var p = 0; p < batch; p++)
        for (var i = 0; i < m; i++)
        for (var j = 0; j < n; j++)
        {
            var acc = 0.0;
            for (var q = 0; q < k; q++)
            {
                var x = av[a.Offset + p * sa[0] + i * sa[1] + q * sa[2]];
                var w = bv[b.Offset + p * sb[0] + q * sb[1] + j * sb[2]];
                acc += double.CreateTruncating(x) * double.CreateTruncating(w);
            }
            cv[c.Offset + ((long)p * m + i) * n + j] = T.CreateTruncating(acc);
        }
    }
}
