using Scratch.Ops;

namespace Scratch.Backends;

/// <summary>The small contract a compute backend implements: allocate, copy, map, zip, reduce, GEMM.</summary>
/// <remarks>Backends know nothing about autograd. Every other op owns its kernels beside its definition and picks
/// one by <see cref="Device.Kind"/>. Unless stated, outputs are fresh contiguous tensors of the right shape/dtype.
/// </remarks>
public interface IBackend
{
    /// <summary>The device served.</summary>
    Device Device { get; }

    /// <summary>A zero-filled buffer of <paramref name="count"/> elements.</summary>
    Storage Allocate(DType dtype, long count);

    /// <summary>A buffer of <paramref name="count"/> elements whose contents are unspecified, for an op output
    /// its kernel writes in full (as <c>torch.empty</c>): the host skips the zero fill of a reused pooled buffer.
    /// Backends without a cheaper path return <see cref="Allocate"/>'s zeroed buffer.</summary>
    Storage AllocateUninitialized(DType dtype, long count) => Allocate(dtype, count);

    /// <summary>dst[i] = src[i] elementwise over equal shapes and dtypes; both may have any strides (src may
    /// broadcast with stride 0; dst must not overlap itself).</summary>
    void Copy(Tensor src, Tensor dst);

    /// <summary>dst = (dst.dtype) src for contiguous tensors of equal numel (floats to ints truncate toward zero;
    /// to Bool gives x ≠ 0).</summary>
    void Cast(Tensor src, Tensor dst);

    /// <summary>Sets every element of contiguous <paramref name="dst"/> to <paramref name="value"/>.</summary>
    void Fill(Tensor dst, double value);

    /// <summary>y = op(x) for contiguous floating tensors of equal shape.</summary>
    void Map<TOp>(TOp op, Tensor x, Tensor y) where TOp : struct, IUnaryOp;

    /// <summary>dx = op.Backward(x, y, dy) for contiguous floating tensors of equal shape.</summary>
    void MapBackward<TOp>(TOp op, Tensor x, Tensor y, Tensor dy, Tensor dx) where TOp : struct, IUnaryOp;

    /// <summary>y = op(a, b); a and b are views already broadcast to y's shape (any strides), y is contiguous.</summary>
    void Zip<TOp>(TOp op, Tensor a, Tensor b, Tensor y) where TOp : struct, IBinaryOp;

    /// <summary>y = op(a, b) as Bool; a and b broadcast to y's shape as in <see cref="Zip{TOp}"/>.</summary>
    void Compare<TOp>(TOp op, Tensor a, Tensor b, Tensor y) where TOp : struct, ICompareOp;

    /// <summary>y[r] = reduce over x[r, 0..len) for contiguous x viewed as [rows, len].</summary>
    void Reduce<TOp>(TOp op, Tensor x, Tensor y, int rows, int len) where TOp : struct, IReduceOp;

    /// <summary>Arg-max (or arg-min) over rows of contiguous x viewed as [rows, len]; values and I64 indices; the
    /// first extreme wins; NaN counts as the extreme (as in PyTorch).</summary>
    void ArgReduce(bool max, Tensor x, Tensor values, Tensor indices, int rows, int len);

    /// <summary>c[b] = a[b] @ bMat[b] for a [B, M, K], b [B, K, N] with any strides (batch stride 0 broadcasts),
    /// c [B, M, N] contiguous; floating dtypes.</summary>
    void Matmul(Tensor a, Tensor b, Tensor c);
}
