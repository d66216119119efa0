namespace Scratch.Backends.Gpu;

/// <summary>The shape, strides and offset of a strided view of rank ≤ 8, passed to kernels by value.</summary>
/// <remarks>Fields rather than arrays so a kernel receives it as one small struct parameter (no device buffers).
/// <see cref="Map"/> turns a row-major element index into a storage index; broadcast dims have stride 0.</remarks>
internal struct GpuLayout
{
    /// <summary>The largest rank a layout holds.</summary>
    public const int MaxRank = 8;

    public int Rank;
    public long Offset;
    public long S0, S1, S2, S3, S4, S5, S6, S7;
    public long T0, T1, T2, T3, T4, T5, T6, T7;

    /// <summary>The layout of <paramref name="t"/>; throws NotSupportedException above rank 8.</summary>
    public static GpuLayout Of(Tensor t, string op)
    {
        if (t.Rank > MaxRank)
            throw new NotSupportedException($"{op}: strided views of rank {t.Rank} on {t.Device} are not supported " +
                                            $"(at most {MaxRank}).");
        var l = new GpuLayout { Rank = t.Rank, Offset = t.Offset };
        for (var d = 0; d < t.Rank; d++) l.Set(d, t.Size(d), t.Strides[d]);
        return l;
    }

    private void Set(int d, long size, long stride)
    {
        switch (d)
        {
            case 0: (S0, T0) = (size, stride); break;
            case 1: (S1, T1) = (size, stride); break;
            case 2: (S2, T2) = (size, stride); break;
            case 3: (S3, T3) = (size, stride); break;
            case 4: (S4, T4) = (size, stride); break;
            case 5: (S5, T5) = (size, stride); break;
            case 6: (S6, T6) = (size, stride); break;
            default: (S7, T7) = (size, stride); break;
        }
    }

    private readonly long Size(int d) => d switch
    {
        0 => S0, 1 => S1, 2 => S2, 3 => S3, 4 => S4, 5 => S5, 6 => S6, _ => S7,
    };

    private readonly long Stride(int d) => d switch
    {
        0 => T0, 1 => T1, 2 => T2, 3 => T3, 4 => T4, 5 => T5, 6 => T6, _ => T7,
    };

    /// <summary>The storage index of row-major element <paramref name="i"/>.</summary>
    public readonly long Map(long i)
    {
        var off = Offset;
        for (var d = Rank - 1; d >= 0; d--)
        {
            var s = Size(d);
            var q = i / s;
            off += (i - q * s) * Stride(d);
            i = q;
        }
        return off;
    }
}
