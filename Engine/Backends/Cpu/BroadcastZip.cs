using System.Buffers;
using System.Numerics;
using Scratch.Ops;

namespace Scratch.Backends.Cpu;

/// <summary>Binary ops where an operand is broadcast (bias adds, per-channel scales, residual sums of views):
/// walks rows of the jointly coalesced layout instead of materialising the broadcast operand.</summary>
/// <remarks>After merging dims that are laid out back to back in both operands, the innermost run must be
/// contiguous (stride 1) or constant (stride 0) in each operand; then every row is one span op, with a constant
/// operand replicated once into a small pooled buffer.</remarks>
internal static class BroadcastZip
{
    /// <summary>Computes y = op(a, b) row by row; false when the layout does not fit (the caller gathers instead).
    /// </summary>
    public static bool TryRun<TOp, T>(TOp op, Tensor a, Tensor b, Tensor y)
        where TOp : struct, IBinaryOp where T : unmanaged, INumber<T>
    {
        if (!y.IsContiguous || y.Numel == 0) return false;
        var (shape, sa, sb) = JointCoalesce(y.Shape.Dims, a.Strides, b.Strides);
        var inner = shape[^1];
        var (ia, ib) = (sa[^1], sb[^1]);
        if (ia is not (0 or 1) || ib is not (0 or 1) || (ia == 0 && ib == 0) || inner < 8) return false;
        var rows = (int)(y.Numel / inner);
        var av = a.HostArray<T>();
        var bv = b.HostArray<T>();
        var yv = y.HostArray<T>();
        var outer = shape[..^1];
        var outerA = sa[..^1];
        var outerB = sb[..^1];
        void Rows(long lo, long hi)
        {
            var constant = ia == 0 || ib == 0 ? ArrayPool<T>.Shared.Rent(inner) : null;
            try
            {
                for (var r = lo; r < hi; r++)
                {
                    long oa = a.Offset, ob = b.Offset, rem = r;
                    for (var d = outer.Length - 1; d >= 0; d--)
                    {
                        var i = rem % outer[d];
                        rem /= outer[d];
                        oa += i * outerA[d];
                        ob += i * outerB[d];
                    }
                    var dst = new Span<T>(yv, (int)(y.Offset + r * inner), inner);
                    ReadOnlySpan<T> xa = ia == 1 ? new ReadOnlySpan<T>(av, (int)oa, inner) : Replicate(constant!, av[oa], inner);
                    ReadOnlySpan<T> xb = ib == 1 ? new ReadOnlySpan<T>(bv, (int)ob, inner) : Replicate(constant!, bv[ob], inner);
                    if (!op.ForwardSpan(xa, xb, dst))
                        for (var j = 0; j < inner; j++) dst[j] = op.Forward(xa[j], xb[j]);
                }
            }
            finally
            {
                if (constant is not null) ArrayPool<T>.Shared.Return(constant);
            }
        }
        if (y.Numel >= 2 * HostParallel.Grain && rows > 1)
        {
            var chunks = Math.Min(rows, Environment.ProcessorCount * 4);
            Parallel.For(0, chunks, c => Rows((long)rows * c / chunks, (long)rows * (c + 1) / chunks));
        }
        else
        {
            Rows(0, rows);
        }
        return true;
    }

    private static ReadOnlySpan<T> Replicate<T>(T[] buffer, T value, int length)
    {
        var s = buffer.AsSpan(0, length);
        s.Fill(value);
        return s;
    }

    /// <summary>Drops size-1 dims and merges neighbours that are back to back in both operands.</summary>
    internal static (int[] Shape, long[] A, long[] B) JointCoalesce(ReadOnlySpan<int> shape, ReadOnlySpan<long> sa, ReadOnlySpan<long> sb)
    {
        var s = new List<int>();
        var a = new List<long>();
        var b = new List<long>();
        for (var i = 0; i < shape.Length; i++)
        {
            if (shape[i] == 1) continue;
            if (s.Count > 0 && a[^1] == sa[i] * shape[i] && b[^1] == sb[i] * shape[i])
            {
                s[^1] *= shape[i];
                a[^1] = sa[i];
                b[^1] = sb[i];
            }
            else
            {
                s.Add(shape[i]);
                a.Add(sa[i]);
                b.Add(sb[i]);
            }
        }
        if (s.Count == 0) return ([1], [1], [1]);
        return (s.ToArray(), a.ToArray(), b.ToArray());
    }
}
