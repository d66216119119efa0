namespace Scratch.Backends;

/// <summary>Walks strided views in row-major order: the one place that turns (shape, strides, offset) into element
/// positions in storage.</summary>
internal static class Strided
{
    /// <summary>Storage position of every element of <paramref name="t"/>, in row-major logical order.</summary>
    public static long[] Offsets(Tensor t) => Offsets(t.Shape.Dims, t.Strides, t.Offset);

    /// <summary>Storage positions for a view given by shape, strides and offset.</summary>
    public static long[] Offsets(ReadOnlySpan<int> shape, ReadOnlySpan<long> strides, long offset)
    {
        long n = 1;
        foreach (var d in shape) n *= d;
        var result = new long[n];
        if (n == 0) return result;
        var rank = shape.Length;
        var index = new int[rank];
        var pos = offset;
        for (long i = 0; i < n; i++)
        {
            result[i] = pos;
            for (var d = rank - 1; d >= 0; d--)
            {
                if (++index[d] < shape[d])
                {
                    pos += strides[d];
                    break;
                }
                pos -= strides[d] * (shape[d] - 1);
                index[d] = 0;
            }
        }
        return result;
    }

    /// <summary>Merges adjacent dims that are laid out back to back, dropping size-1 dims: fewer, longer loops.</summary>
    public static (int[] Shape, long[] Strides) Coalesce(ReadOnlySpan<int> shape, ReadOnlySpan<long> strides)
    {
        var s = new List<int>(shape.Length);
        var st = new List<long>(shape.Length);
        for (var i = 0; i < shape.Length; i++)
        {
            if (shape[i] == 1) continue;
            if (s.Count > 0 && st[^1] == strides[i] * shape[i])
            {
                s[^1] *= shape[i];
                st[^1] = strides[i];
            }
            else
            {
                s.Add(shape[i]);
                st.Add(strides[i]);
            }
        }
        if (s.Count == 0)
        {
            s.Add(1);
            st.Add(1);
        }
        return (s.ToArray(), st.ToArray());
    }

    /// <summary>dst[i] = src[offset + position(i)] for a strided view; parallel over outer rows when large.</summary>
    public static void Gather<T>(T[] src, long offset, ReadOnlySpan<int> shape, ReadOnlySpan<long> strides, T[] dst, int dstOffset)
    {
        var (cs, cst) = Coalesce(shape, strides);
        long n = 1;
        foreach (var d in cs) n *= d;
        if (n == 0) return;
        var inner = cs[^1];
        var innerStride = cst[^1];
        var outerShape = cs[..^1];
        var outerStrides = cst[..^1];
        var outer = (int)(n / inner);
        void Row(int r)
        {
            long pos = offset;
            var rem = r;
            for (var d = outerShape.Length - 1; d >= 0; d--)
            {
                pos += (rem % outerShape[d]) * outerStrides[d];
                rem /= outerShape[d];
            }
            var o = dstOffset + (long)r * inner;
            if (innerStride == 1)
                Array.Copy(src, pos, dst, o, inner);
            else if (innerStride == 0)
                Array.Fill(dst, src[pos], (int)o, inner);
            else
                for (var j = 0; j < inner; j++) dst[o + j] = src[pos + j * innerStride];
        }
        if (n >= 1 << 16 && outer > 1)
            Parallel.For(0, outer, Row);
        else
            for (var r = 0; r < outer; r++) Row(r);
    }

    /// <summary>dst[offset + position(i)] = src[i] for a strided destination view without self-overlap.</summary>
    public static void Scatter<T>(T[] src, int srcOffset, T[] dst, long offset, ReadOnlySpan<int> shape, ReadOnlySpan<long> strides)
    {
        var pos = Offsets(shape, strides, offset);
        for (long i = 0; i < pos.LongLength; i++) dst[pos[i]] = src[srcOffset + i];
    }
}
