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
        where T : unmanaged, INumber<T>
    {
        var y = Tensor.Empty(new Shape(g.N, g.Cout, g.OH, g.OW), x.DType, x.Device);
        if (y.Numel == 0) return y;
        var args = ConvArgs.Of(g);
        var shape = new GemmShape { M = g.CoutG, N = checked(g.N * g.L), K = g.K, AKFast = 1, BNFast = 1 };
        var wa = new StridedOperand { Offset = w.Offset, S0 = (long)g.CoutG * g.K, S1 = g.K, S2 = 1 };
        Gemm(StorageOf<T>(w, op).View, wa, StorageOf<T>(x, op).View, new Im2ColOperand { A = args, Offset = x.Offset },
            Dense<T>(y, op), new ConvOutput { Cout = g.Cout, CoutG = g.CoutG, L = g.L }, shape, g.Groups,
            MatmulPrecision, op);
        return y;
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
