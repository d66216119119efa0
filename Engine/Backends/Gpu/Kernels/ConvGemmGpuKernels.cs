using System.Numerics;
using ILGPU;
using ILGPU.Runtime;
using Scratch.Ops;

namespace Scratch.Backends.Gpu;

/// <summary>The im2col matrix of contiguous x [N, Cin, H, W] as a virtual GEMM operand of group g: row k = (ci, i, j)
/// of the kernel window, column n·L + (oh, ow); read straight from x (zero in the padding), never materialised.
/// </summary>
internal struct Im2ColOperand : IGemmOperand
{
    public ConvArgs A;
    public long Offset;

    public readonly T Load<T>(ArrayView<T> data, int batch, int row, int col) where T : unmanaged, INumber<T>
    {
        int n = col / A.L, l = col - n * A.L;
        int taps = A.KH * A.KW, ci = row / taps, rem = row - ci * taps, i = rem / A.KW, j = rem - i * A.KW;
        int oh = l / A.OW, ow = l - oh * A.OW;
        int ih = oh * A.SH - A.PH + i * A.DH, iw = ow * A.SW - A.PW + j * A.DW;
        return ih >= 0 && ih < A.H && iw >= 0 && iw < A.W
            ? data[Offset + (((long)n * A.Cin + batch * A.CinG + ci) * A.H + ih) * A.W + iw]
            : T.Zero;
    }
}

/// <summary>The transposed implicit im2col matrix of group g: element (n·L + l, k) is im2col(x)[k, n·L + l], the
/// right operand of the weight gradient gy · im2col(x)ᵀ.</summary>
internal struct Im2ColTransposedOperand : IGemmOperand
{
    public Im2ColOperand Inner;

    public readonly T Load<T>(ArrayView<T> data, int batch, int row, int col) where T : unmanaged, INumber<T> =>
        Inner.Load(data, batch, col, row);
}

/// <summary>An output gradient gy [N, Cout, OH, OW] as the grouped GEMM operand [G, CoutG, N·L]: element
/// (g, co, n·L + l) is gy[n, g·CoutG + co, l].</summary>
internal struct ConvGradOperand : IGemmOperand
{
    public int Cout, CoutG, L;
    public long Offset;

    public readonly T Load<T>(ArrayView<T> data, int batch, int row, int col) where T : unmanaged, INumber<T>
    {
        var n = col / L;
        return data[Offset + ((long)n * Cout + batch * CoutG + row) * L + (col - n * L)];
    }
}

/// <summary>The filters w [G·CoutG, CinG, KH, KW] of a stride-1 conv read, in place, as the filters of the conv that
/// computes its input gradient (output channels CinG, depth CoutG·KH·KW per group): element (g, ci, (co, i, j)) is
/// w[g·CoutG + co, ci, KH−1−i, KW−1−j].</summary>
internal struct FlippedFilterOperand : IGemmOperand
{
    public int CoutG, CinG, Taps;
    public long Offset;

    public readonly T Load<T>(ArrayView<T> data, int batch, int row, int col) where T : unmanaged, INumber<T>
    {
        int co = col / Taps, t = col - co * Taps;
        return data[Offset + (((long)batch * CoutG + co) * CinG + row) * Taps + (Taps - 1 - t)];
    }
}

/// <summary>Output (g, co, n·L + l) of the grouped convolution GEMM at y [N, Cout, OH, OW].</summary>
internal struct ConvOutput : IGemmOutput
{
    public int Cout, CoutG, L;

    public readonly long Index(int batch, int row, int col)
    {
        var n = col / L;
        return ((long)n * Cout + batch * CoutG + row) * L + (col - n * L);
    }
}

/// <summary>Direct depthwise convolution (one input channel per group): one thread per output element, the
/// KH×KW window summed in registers.</summary>
internal static class DepthwiseGpuKernels
{
    /// <summary>y[n, c, oh, ow] = Σ_{i,j} w[c, 0, i, j] · x[n, c / CoutG, oh·SH − PH + i·DH, ow·SW − PW + j·DW].
    /// </summary>
    public static void Forward<T>(Index1D idx, ArrayView<T> x, ArrayView<T> w, ArrayView<T> y, ConvArgs a)
        where T : unmanaged, INumber<T>
    {
        long e = idx;
        var ow = (int)(e % a.OW);
        e /= a.OW;
        var oh = (int)(e % a.OH);
        e /= a.OH;
        var c = (int)(e % a.Cout);
        var n = (int)(e / a.Cout);
        var cg = a.Cout / a.Groups;
        var plane = ((long)n * a.Cin + c / cg) * a.H;
        var s = T.Zero;
        for (var i = 0; i < a.KH; i++)
        {
            var ih = oh * a.SH - a.PH + i * a.DH;
            if (ih < 0 || ih >= a.H) continue;
            for (var j = 0; j < a.KW; j++)
            {
                var iw = ow * a.SW - a.PW + j * a.DW;
                if (iw < 0 || iw >= a.W) continue;
                s += w[((long)c * a.KH + i) * a.KW + j] * x[(plane + ih) * a.W + iw];
            }
        }
        y[idx] = s;
    }
}

public sealed partial class IlgpuBackend
{
    /// <summary>Conv2d forward as an implicit GEMM: per group, y = W [CoutG, K] @ im2col(x) [K, N·L] with the
    /// column matrix read from x inside the GEMM's tile loads and the result stored straight into
    /// y [N, Cout, OH, OW]. x and w contiguous.</summary>
    internal Tensor ConvImplicitGemm<T>(Tensor x, Tensor w, in ConvGeometry g, string op)
        where T : unmanaged, INumber<T> =>
        ConvImplicitGemm<T, StridedOperand>(x, w,
            new StridedOperand { Offset = w.Offset, S0 = (long)g.CoutG * g.K, S1 = g.K, S2 = 1 }, g, op);

    /// <summary>The implicit-GEMM conv of x by geometry g with the filter matrix [G, CoutG, K] read through
    /// <paramref name="wa"/> from w's storage.</summary>
    private Tensor ConvImplicitGemm<T, TA>(Tensor x, Tensor w, TA wa, in ConvGeometry g, string op)
        where T : unmanaged, INumber<T> where TA : struct, IGemmOperand
    {
        var y = Tensor.Empty(new Shape(g.N, g.Cout, g.OH, g.OW), x.DType, x.Device);
        if (y.Numel == 0) return y;
        var shape = new GemmShape { M = g.CoutG, N = checked(g.N * g.L), K = g.K, AKFast = 1, BNFast = 1 };
        Gemm(StorageOf<T>(w, op).View, wa, StorageOf<T>(x, op).View,
            new Im2ColOperand { A = ConvArgs.Of(g), Offset = x.Offset }, Dense<T>(y, op),
            new ConvOutput { Cout = g.Cout, CoutG = g.CoutG, L = g.L }, shape, g.Groups, MatmulPrecision, op);
        return y;
    }

    /// <summary>The input gradient of a stride-1 conv (geometry g) whose flipped geometry <paramref name="fg"/>
    /// exists: gx = conv(gy, flip(w)ᵀ) as an implicit GEMM over gy, the filters read flipped in place (no column
    /// matrix, no col2im). gy and w contiguous.</summary>
    internal Tensor ConvInputGradImplicit<T>(Tensor gy, Tensor w, in ConvGeometry g, in ConvGeometry fg, string op)
        where T : unmanaged, INumber<T> =>
        ConvImplicitGemm<T, FlippedFilterOperand>(gy, w,
            new FlippedFilterOperand { CoutG = g.CoutG, CinG = g.CinG, Taps = g.KH * g.KW, Offset = w.Offset }, fg, op);

    /// <summary>The weight gradient gw [Cout, CinG, KH, KW] = gy [G, CoutG, N·L] @ im2col(x)ᵀ [G, N·L, K] as an
    /// implicit GEMM: both operands read in place from gy and x. gy and x contiguous.</summary>
    internal Tensor ConvWeightGradImplicit<T>(Tensor x, Tensor gy, in ConvGeometry g, string op)
        where T : unmanaged, INumber<T>
    {
        var gw = Tensor.Empty(new Shape(g.Cout, g.CinG, g.KH, g.KW), x.DType, x.Device);
        if (gw.Numel == 0) return gw;
        var shape = new GemmShape { M = g.CoutG, N = g.K, K = checked(g.N * g.L), AKFast = 1, BNFast = 0 };
        Gemm(StorageOf<T>(gy, op).View, new ConvGradOperand { Cout = g.Cout, CoutG = g.CoutG, L = g.L, Offset = gy.Offset },
            StorageOf<T>(x, op).View,
            new Im2ColTransposedOperand { Inner = new Im2ColOperand { A = ConvArgs.Of(g), Offset = x.Offset } },
            Dense<T>(gw, op), new DenseOutput { M = g.CoutG, N = g.K }, shape, g.Groups, MatmulPrecision, op);
        return gw;
    }

    /// <summary>Depthwise Conv2d forward (CinG = 1) with the direct kernel; x and w contiguous.</summary>
    internal Tensor DepthwiseConv<T>(Tensor x, Tensor w, in ConvGeometry g, string op) where T : unmanaged, INumber<T>
    {
        var y = Tensor.Empty(new Shape(g.N, g.Cout, g.OH, g.OW), x.DType, x.Device);
        if (y.Numel == 0) return y;
        var k = Kernel("DepthwiseConv", typeof(T), typeof(T), op,
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, ConvArgs>(
                DepthwiseGpuKernels.Forward));
        k(checked((int)y.Numel), Dense<T>(x, op), Dense<T>(w, op), Dense<T>(y, op), ConvArgs.Of(g));
        return y;
    }
}
