using System.Numerics;
using ILGPU;
using ILGPU.Runtime;
using Scratch.Ops;

namespace Scratch.Backends.Gpu;

public sealed partial class IlgpuBackend
{
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

    private void MapT<TOp, T>(TOp op, Tensor x, Tensor y)
        where TOp : struct, IUnaryOp where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (y.Numel == 0) return;
        ArrayView<T> xv = Dense<T>(x, op.Name), yv = Dense<T>(y, op.Name);
        var quads = QuadCount(y.Numel, x, y);
        if (quads > 0)
        {
            var q = Kernel("MapQuad", typeof(TOp), typeof(T), op.Name,
                acc => acc.LoadAutoGroupedStreamKernel<Index1D, TOp, ArrayView<Quad<T>>, ArrayView<Quad<T>>>(
                    VectorGpuKernels.MapQuad<TOp, T>));
            q((int)quads, op, Quads(xv, quads), Quads(yv, quads));
            if (quads * 4 == y.Numel) return;
            (xv, yv) = (xv.SubView(quads * 4), yv.SubView(quads * 4));
        }
        var k = Kernel("Map", typeof(TOp), typeof(T), op.Name,
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, TOp, ArrayView<T>, ArrayView<T>>(GpuKernels.Map<TOp, T>));
        k((int)yv.Length, op, xv, yv);
    }

    /// <summary>How many four-element groups the vector kernels take: ⌊n/4⌋ when every operand's storage offset is a
    /// multiple of four elements (so each 16-byte access is aligned), else 0.</summary>
    private static long QuadCount(long n, params ReadOnlySpan<Tensor> operands)
    {
        foreach (var t in operands)
            if (t.Offset % 4 != 0) return 0;
        return n / 4;
    }

    /// <summary>The first <paramref name="quads"/>·4 elements of a view as four-element groups.</summary>
    private static ArrayView<Quad<T>> Quads<T>(ArrayView<T> v, long quads) where T : unmanaged =>
        v.SubView(0, quads * 4).Cast<Quad<T>>();

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

    private void MapBackwardT<TOp, T>(TOp op, Tensor x, Tensor y, Tensor dy, Tensor dx)
        where TOp : struct, IUnaryOp where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.Numel == 0) return;
        var name = op.Name + "Backward";
        ArrayView<T> xv = Dense<T>(x, name), yv = Dense<T>(y, name), gv = Dense<T>(dy, name), dv = Dense<T>(dx, name);
        var quads = QuadCount(dx.Numel, x, y, dy, dx);
        if (quads > 0)
        {
            var q = Kernel("MapBackwardQuad", typeof(TOp), typeof(T), name,
                acc => acc.LoadAutoGroupedStreamKernel<Index1D, TOp, ArrayView<Quad<T>>, ArrayView<Quad<T>>,
                    ArrayView<Quad<T>>, ArrayView<Quad<T>>>(VectorGpuKernels.MapBackwardQuad<TOp, T>));
            q((int)quads, op, Quads(xv, quads), Quads(yv, quads), Quads(gv, quads), Quads(dv, quads));
            if (quads * 4 == dx.Numel) return;
            var rest = quads * 4;
            (xv, yv, gv, dv) = (xv.SubView(rest), yv.SubView(rest), gv.SubView(rest), dv.SubView(rest));
        }
        var k = Kernel("MapBackward", typeof(TOp), typeof(T), name,
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, TOp, ArrayView<T>, ArrayView<T>, ArrayView<T>,
                ArrayView<T>>(GpuKernels.MapBackward<TOp, T>));
        k((int)dv.Length, op, xv, yv, gv, dv);
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

    private void ZipT<TOp, T>(TOp op, Tensor a, Tensor b, Tensor y)
        where TOp : struct, IBinaryOp where T : unmanaged, INumber<T>
    {
        if (y.Numel == 0) return;
        if (a.IsContiguous && b.IsContiguous && a.Shape == y.Shape && b.Shape == y.Shape)
        {
            ZipDenseT<TOp, T>(op, a, b, y);
            return;
        }
        var k = Kernel("Zip", typeof(TOp), typeof(T), op.Name,
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, TOp, ArrayView<T>, GpuLayout, ArrayView<T>, GpuLayout,
                ArrayView<T>>(GpuKernels.Zip<TOp, T>));
        k((int)y.Numel, op, StorageOf<T>(a, op.Name).View, GpuLayout.Of(a, op.Name), StorageOf<T>(b, op.Name).View,
            GpuLayout.Of(b, op.Name), Dense<T>(y, op.Name));
    }

    /// <summary><see cref="ZipT{TOp,T}"/> of contiguous operands of the output's shape: no layout mapping, four
    /// elements per thread where aligned.</summary>
    private void ZipDenseT<TOp, T>(TOp op, Tensor a, Tensor b, Tensor y)
        where TOp : struct, IBinaryOp where T : unmanaged, INumber<T>
    {
        ArrayView<T> av = Dense<T>(a, op.Name), bv = Dense<T>(b, op.Name), yv = Dense<T>(y, op.Name);
        var quads = QuadCount(y.Numel, a, b, y);
        if (quads > 0)
        {
            var q = Kernel("ZipQuad", typeof(TOp), typeof(T), op.Name,
                acc => acc.LoadAutoGroupedStreamKernel<Index1D, TOp, ArrayView<Quad<T>>, ArrayView<Quad<T>>,
                    ArrayView<Quad<T>>>(VectorGpuKernels.ZipQuad<TOp, T>));
            q((int)quads, op, Quads(av, quads), Quads(bv, quads), Quads(yv, quads));
            if (quads * 4 == y.Numel) return;
            (av, bv, yv) = (av.SubView(quads * 4), bv.SubView(quads * 4), yv.SubView(quads * 4));
        }
        var k = Kernel("ZipDense", typeof(TOp), typeof(T), op.Name,
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, TOp, ArrayView<T>, ArrayView<T>, ArrayView<T>>(
                VectorGpuKernels.ZipDense<TOp, T>));
        k((int)yv.Length, op, av, bv, yv);
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

    private void CompareT<TOp, T>(TOp op, Tensor a, Tensor b, Tensor y)
        where TOp : struct, ICompareOp where T : unmanaged, INumber<T>
    {
        if (y.Numel == 0) return;
        var k = Kernel("Compare", typeof(TOp), typeof(T), op.Name,
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, TOp, ArrayView<T>, GpuLayout, ArrayView<T>, GpuLayout,
                ArrayView<byte>>(GpuKernels.Compare<TOp, T>));
        k((int)y.Numel, op, StorageOf<T>(a, op.Name).View, GpuLayout.Of(a, op.Name), StorageOf<T>(b, op.Name).View,
            GpuLayout.Of(b, op.Name), Dense<byte>(y, op.Name));
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

    private void ReduceT<TOp, T>(TOp op, Tensor x, Tensor y, int rows, int len)
        where TOp : struct, IReduceOp where T : unmanaged, INumber<T>, IMinMaxValue<T>
    {
        if (rows == 0) return;
        var k = Kernel("Reduce", typeof(TOp), typeof(T), op.Name,
            acc => acc.LoadStreamKernel<TOp, ArrayView<T>, ArrayView<T>, int, T>(GpuKernels.Reduce<TOp, T>));
        var config = new KernelConfig(rows, GpuKernels.ReduceGroup);
        k(config, op, Dense<T>(x, op.Name), Dense<T>(y, op.Name), len, op.Identity<T>());
    }

    /// <inheritdoc/>
    public void ArgReduce(bool max, Tensor x, Tensor values, Tensor indices, int rows, int len)
    {
        switch (x.DType)
        {
            case DType.F32: ArgReduceT<float>(max, x, values, indices, rows, len); break;
            case DType.F64: ArgReduceT<double>(max, x, values, indices, rows, len); break;
            case DType.I32: ArgReduceT<int>(max, x, values, indices, rows, len); break;
            case DType.I64: ArgReduceT<long>(max, x, values, indices, rows, len); break;
            default: ArgReduceT<byte>(max, x, values, indices, rows, len); break;
        }
    }

    private void ArgReduceT<T>(bool max, Tensor x, Tensor values, Tensor indices, int rows, int len)
        where T : unmanaged, INumber<T>
    {
        if (rows == 0) return;
        const string op = "ArgReduce";
        var k = Kernel("ArgReduce", typeof(T), typeof(T), op,
            acc => acc.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<long>, int, int>(GpuKernels.ArgReduce));
        k(new KernelConfig(rows, GpuKernels.ReduceGroup), Dense<T>(x, op), Dense<T>(values, op),
            Dense<long>(indices, op), len, max ? 1 : 0);
    }

    /// <inheritdoc/>
    /// <remarks>Uses <see cref="MatmulPrecision"/>; large products run the 128×128 register-blocked kernel
    /// (see <see cref="TiledMatmulMinOutputs"/>).</remarks>
    public void Matmul(Tensor a, Tensor b, Tensor c) => Matmul(a, b, c, MatmulPrecision);

    private void MatmulT<T>(Tensor a, Tensor b, Tensor c, MatmulPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int batch = c.Size(0), m = c.Size(1), n = c.Size(2), kk = a.Size(2);
        if (c.Numel == 0) return;
        if (kk == 0)
        {
            Fill(c, 0);
            return;
        }
        if ((long)m * n >= TiledMatmulMinOutputs || UsesTensorCores<T>(precision))
        {
            var shape = new GemmShape
            {
                M = m, N = n, K = kk, AKFast = a.Strides[2] == 1 ? 1 : 0, BNFast = b.Strides[2] == 1 ? 1 : 0,
            };
            Gemm(StorageOf<T>(a, "Matmul").View, Strided(a), StorageOf<T>(b, "Matmul").View, Strided(b),
                Dense<T>(c, "Matmul"), new DenseOutput { M = m, N = n }, shape, batch, precision, "Matmul");
            return;
        }
        var args = new MatmulArgs
        {
            M = m, N = n, K = kk,
            AOffset = a.Offset, A0 = a.Strides[0], A1 = a.Strides[1], A2 = a.Strides[2],
            BOffset = b.Offset, B0 = b.Strides[0], B1 = b.Strides[1], B2 = b.Strides[2],
        };
        var k = Kernel("Matmul", typeof(T), typeof(T), "Matmul",
            acc => acc.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, MatmulArgs>(GpuKernels.Matmul));
        const int t = GpuKernels.Tile;
        var grid = new Index3D((n + t - 1) / t, (m + t - 1) / t, batch);
        k(new KernelConfig(grid, new Index3D(t, t, 1)), StorageOf<T>(a, "Matmul").View, StorageOf<T>(b, "Matmul").View,
            Dense<T>(c, "Matmul"), args);
    }
}
