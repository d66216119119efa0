namespace Scratch.Ops;

/// <summary>The im2col / col2im lowering of a convolution to GEMM, for one image and one channel group.</summary>
/// <remarks>Column matrix layout: row r = (c·KH + i)·KW + j, column l = oh·OW + ow, element
/// x[c, oh·SH − PH + i·DH, ow·SW − PW + j·DW] (0 outside the input). Rows are <c>ld</c> elements apart so several
/// images can share one wide matrix. This file is the seam for faster (blocked, SIMD) lowering kernels.</remarks>
internal static class Im2Col
{
    /// <summary>Fills the column matrix of the <paramref name="channels"/> planes in <paramref name="x"/>
    /// (each H·W) into <paramref name="col"/> (row stride <paramref name="ld"/>).</summary>
    public static void Lower<T>(ReadOnlySpan<T> x, int channels, in ConvGeometry g, Span<T> col, int ld)
        where T : unmanaged
    {
        int hw = g.H * g.W;
        for (var c = 0; c < channels; c++)
        {
            var plane = x.Slice(c * hw, hw);
            for (var i = 0; i < g.KH; i++)
            for (var j = 0; j < g.KW; j++)
            {
                var row = col.Slice(((c * g.KH + i) * g.KW + j) * ld, g.L);
                var (lo, hi) = ValidRange(g.OW, g.SW, j * g.DW - g.PW, g.W);
                for (var oh = 0; oh < g.OH; oh++)
                {
                    var dst = row.Slice(oh * g.OW, g.OW);
                    var ih = oh * g.SH - g.PH + i * g.DH;
                    if ((uint)ih >= (uint)g.H || lo >= hi)
                    {
                        dst.Clear();
                        continue;
                    }
                    dst[..lo].Clear();
                    dst[hi..].Clear();
                    var src = plane.Slice(ih * g.W);
                    var iw0 = lo * g.SW + j * g.DW - g.PW;
                    if (g.SW == 1)
                        src.Slice(iw0, hi - lo).CopyTo(dst[lo..hi]);
                    else
                        for (int ow = lo, iw = iw0; ow < hi; ow++, iw += g.SW) dst[ow] = src[iw];
                }
            }
        }
    }

    /// <summary>The adjoint of <see cref="Lower{T}"/>: adds each column-matrix element back into the input
    /// position it was read from (<paramref name="x"/> += col2im(col)).</summary>
    public static void Raise<T>(ReadOnlySpan<T> col, int ld, int channels, in ConvGeometry g, Span<T> x)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        int hw = g.H * g.W;
        for (var c = 0; c < channels; c++)
        {
            var plane = x.Slice(c * hw, hw);
            for (var i = 0; i < g.KH; i++)
            for (var j = 0; j < g.KW; j++)
            {
                var row = col.Slice(((c * g.KH + i) * g.KW + j) * ld, g.L);
                var (lo, hi) = ValidRange(g.OW, g.SW, j * g.DW - g.PW, g.W);
                if (lo >= hi) continue;
                for (var oh = 0; oh < g.OH; oh++)
                {
                    var ih = oh * g.SH - g.PH + i * g.DH;
                    if ((uint)ih >= (uint)g.H) continue;
                    var src = row.Slice(oh * g.OW, g.OW);
                    var dst = plane.Slice(ih * g.W);
                    var iw0 = lo * g.SW + j * g.DW - g.PW;
                    if (g.SW == 1)
                        System.Numerics.Tensors.TensorPrimitives.Add(dst.Slice(iw0, hi - lo), src[lo..hi],
                            dst.Slice(iw0, hi - lo));
                    else
                        for (int ow = lo, iw = iw0; ow < hi; ow++, iw += g.SW) dst[iw] += src[ow];
                }
            }
        }
    }

    /// <summary>Columns [<paramref name="l0"/>, l0 + <paramref name="nl"/>) of the column matrix of the
    /// <paramref name="channels"/> planes in <paramref name="x"/>, written to <paramref name="col"/> with row stride
    /// <paramref name="ld"/> (column l of the full matrix lands at l − l0), so a conv can be lowered a block of output
    /// positions at a time that stays in cache.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void LowerCols<T>(ReadOnlySpan<T> x, int channels, in ConvGeometry g, int l0, int nl, Span<T> col,
        int ld) where T : unmanaged
    {
        int hw = g.H * g.W, end = l0 + nl;
        for (var c = 0; c < channels; c++)
        {
            var plane = x.Slice(c * hw, hw);
            for (var i = 0; i < g.KH; i++)
            for (var j = 0; j < g.KW; j++)
            {
                var row = col.Slice(((c * g.KH + i) * g.KW + j) * ld, nl);
                var (lo, hi) = ValidRange(g.OW, g.SW, j * g.DW - g.PW, g.W);
                var shift = j * g.DW - g.PW;
                for (var l = l0; l < end;)
                {
                    int oh = l / g.OW, a = l - oh * g.OW, b = Math.Min(g.OW, a + end - l);
                    var dst = row.Slice(l - l0, b - a);
                    l += b - a;
                    var ih = oh * g.SH - g.PH + i * g.DH;
                    int vlo = Math.Max(lo, a), vhi = Math.Min(hi, b);
                    if ((uint)ih >= (uint)g.H || vlo >= vhi)
                    {
                        dst.Clear();
                        continue;
                    }
                    dst[..(vlo - a)].Clear();
                    dst[(vhi - a)..].Clear();
                    var src = plane.Slice(ih * g.W);
                    var iw0 = vlo * g.SW + shift;
                    if (g.SW == 1)
                        src.Slice(iw0, vhi - vlo).CopyTo(dst[(vlo - a)..(vhi - a)]);
                    else
                        for (int ow = vlo, iw = iw0; ow < vhi; ow++, iw += g.SW) dst[ow - a] = src[iw];
                }
            }
        }
    }

    /// <summary>The adjoint of <see cref="LowerCols{T}"/>: adds columns [<paramref name="l0"/>, l0 +
    /// <paramref name="nl"/>) of a column matrix (row stride <paramref name="ld"/>) back into the input planes.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void RaiseCols<T>(ReadOnlySpan<T> col, int ld, int channels, in ConvGeometry g, int l0, int nl,
        Span<T> x) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        int hw = g.H * g.W, end = l0 + nl;
        for (var c = 0; c < channels; c++)
        {
            var plane = x.Slice(c * hw, hw);
            for (var i = 0; i < g.KH; i++)
            for (var j = 0; j < g.KW; j++)
            {
                var row = col.Slice(((c * g.KH + i) * g.KW + j) * ld, nl);
                var (lo, hi) = ValidRange(g.OW, g.SW, j * g.DW - g.PW, g.W);
                var shift = j * g.DW - g.PW;
                for (var l = l0; l < end;)
                {
                    int oh = l / g.OW, a = l - oh * g.OW, b = Math.Min(g.OW, a + end - l);
                    var src = row.Slice(l - l0, b - a);
                    l += b - a;
                    var ih = oh * g.SH - g.PH + i * g.DH;
                    int vlo = Math.Max(lo, a), vhi = Math.Min(hi, b);
                    if ((uint)ih >= (uint)g.H || vlo >= vhi) continue;
                    var dst = plane.Slice(ih * g.W);
                    var iw0 = vlo * g.SW + shift;
                    if (g.SW == 1)
                        System.Numerics.Tensors.TensorPrimitives.Add(dst.Slice(iw0, vhi - vlo), src[(vlo - a)..(vhi - a)],
                            dst.Slice(iw0, vhi - vlo));
                    else
                        for (int ow = vlo, iw = iw0; ow < vhi; ow++, iw += g.SW) dst[iw] += src[ow - a];
                }
            }
        }
    }

    /// <summary>The output positions [lo, hi) whose input coordinate o·stride + shift lies in [0, size).</summary>
    private static (int Lo, int Hi) ValidRange(int outSize, int stride, int shift, int size)
    {
        var lo = shift >= 0 ? 0 : (-shift + stride - 1) / stride;
        var hi = size - shift <= 0 ? 0 : Math.Min(outSize, (size - shift - 1) / stride + 1);
        return (Math.Min(lo, outSize), Math.Max(hi, Math.Min(lo, outSize)));
    }
}
