using System.Numerics;
using ILGPU;
using ILGPU.Runtime;
using Scratch.Ops;

namespace Scratch.Backends.Gpu;

/// <summary>Convolution geometry passed to the GPU kernels by value (plain fields; see <see cref="ConvGeometry"/>).
/// </summary>
internal struct ConvArgs
{
    public int N, Cin, H, W, Cout, OH, OW, KH, KW, SH, SW, PH, PW, DH, DW, Groups, CinG, K, L;

    public static ConvArgs Of(in ConvGeometry g) => new()
    {
        N = g.N, Cin = g.Cin, H = g.H, W = g.W, Cout = g.Cout, OH = g.OH, OW = g.OW, KH = g.KH, KW = g.KW,
        SH = g.SH, SW = g.SW, PH = g.PH, PW = g.PW, DH = g.DH, DW = g.DW, Groups = g.Groups, CinG = g.CinG, K = g.K,
        L = g.L,
    };
}

/// <summary>col2im for the input gradient of strided convs. The column matrix is laid out [G, K, N·L] (K = Cin/G·KH·KW
/// rows (ci, i, j), N·L columns (n, oh, ow)), so one batched matmul over the groups computes every image; the forward
/// and the other gradients read their column matrix in place (<see cref="Im2ColOperand"/>).</summary>
internal static class ConvGpuKernels
{
    /// <summary>gx[n, c, ih, iw] = Σ col[g, k, n·L + l] over the taps (i, j) and outputs (oh, ow) that read that
    /// pixel; one thread per input element (a gather, so no atomics and a fixed summation order).</summary>
    public static void Col2Im<T>(Index1D idx, ArrayView<T> col, ArrayView<T> gx, ConvArgs a)
        where T : unmanaged, INumber<T>
    {
        long e = idx;
        var iw = (int)(e % a.W);
        e /= a.W;
        var ih = (int)(e % a.H);
        e /= a.H;
        var c = (int)(e % a.Cin);
        var n = (int)(e / a.Cin);
        int g = c / a.CinG, ci = c % a.CinG;
        var s = T.Zero;
        for (var i = 0; i < a.KH; i++)
        {
            var th = ih + a.PH - i * a.DH;
            if (th < 0 || th % a.SH != 0) continue;
            var oh = th / a.SH;
            if (oh >= a.OH) continue;
            for (var j = 0; j < a.KW; j++)
            {
                var tw = iw + a.PW - j * a.DW;
                if (tw < 0 || tw % a.SW != 0) continue;
                var ow = tw / a.SW;
                if (ow >= a.OW) continue;
                var k = (ci * a.KH + i) * a.KW + j;
                s += col[(((long)g * a.K + k) * a.N + n) * a.L + oh * a.OW + ow];
            }
        }
        gx[idx] = s;
    }

    /// <summary>y[n, c, ...] += b[c] for contiguous y [N, C, plane].</summary>
    public static void AddBias<T>(Index1D idx, ArrayView<T> y, ArrayView<T> b, int channels, int plane)
        where T : unmanaged, INumber<T> =>
        y[idx] += b[idx / plane % channels];
}

public sealed partial class IlgpuBackend
{
    /// <summary>Sums the [G, K, N·L] column matrix back into a new [N, Cin, H, W] tensor (the adjoint of im2col).
    /// </summary>
    internal Tensor Col2Im<T>(Tensor col, in ConvGeometry g, string op) where T : unmanaged, INumber<T>
    {
        var gx = Tensor.Empty(new Shape(g.N, g.Cin, g.H, g.W), col.DType, col.Device);
        if (gx.Numel == 0) return gx;
        var k = Kernel("Col2Im", typeof(T), typeof(T), op,
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<T>, ArrayView<T>, ConvArgs>(
                ConvGpuKernels.Col2Im));
        k(checked((int)gx.Numel), Dense<T>(col, op), Dense<T>(gx, op), ConvArgs.Of(g));
        return gx;
    }

    /// <summary>y[n, c, ...] += b[c] in place for contiguous y [N, C, ...] and contiguous b [C].</summary>
    internal void AddChannelBias<T>(Tensor y, Tensor b, string op) where T : unmanaged, INumber<T>
    {
        if (y.Numel == 0) return;
        var k = Kernel("AddChannelBias", typeof(T), typeof(T), op,
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<T>, ArrayView<T>, int, int>(
                ConvGpuKernels.AddBias));
        var plane = (int)(y.Numel / y.Size(0) / y.Size(1));
        k(checked((int)y.Numel), Dense<T>(y, op), Dense<T>(b, op), y.Size(1), plane);
    }
}
