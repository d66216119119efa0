using System.Numerics;
using Scratch.Backends.Gpu;

namespace Scratch.Ops;

/// <summary>GPU paths of the convolution kernels, as implicit GEMMs that read the im2col matrix from the tensors
/// inside their tile loads: the forward (or a direct depthwise kernel), the weight gradient, and the input gradient
/// of stride-1 convs (the conv of gy with the flipped filters). Other input gradients go through a [G, K, N·L]
/// column matrix, one batched matmul over the groups, and col2im (a gather).</summary>
internal static partial class ConvKernels
{
    private static IlgpuBackend Gpu(Tensor t) => GpuRuntime.BackendFor(t.Device);

    /// <summary>y [N, Cout, OH, OW]: depthwise convolutions (one input channel per group) with the direct kernel,
    /// the rest as an implicit GEMM y = W [G, CoutG, K] @ im2col(x) [G, K, N·L] whose column tiles are gathered from
    /// x inside the GEMM (no column matrix in device memory).</summary>
    private static Tensor GpuForward(Tensor x, Tensor w, in ConvGeometry g)
    {
        var gpu = Gpu(x);
        if (g.CinG == 1 && g.Groups > 1)
            return x.DType == DType.F32
                ? gpu.DepthwiseConv<float>(x, w, g, "Conv2d")
                : gpu.DepthwiseConv<double>(x, w, g, "Conv2d");
        return x.DType == DType.F32
            ? gpu.ConvImplicitGemm<float>(x, w, g, "Conv2d")
            : gpu.ConvImplicitGemm<double>(x, w, g, "Conv2d");
    }

    /// <summary>gx = conv(gy, flip(w)ᵀ) for stride 1 (see <see cref="FlippedGeometry"/>), otherwise
    /// col2im(Wᵀ [G, K, CoutG] @ gy [G, CoutG, N·L]).</summary>
    private static Tensor GpuInputGrad(Tensor gy, Tensor w, in ConvGeometry g)
    {
        var gpu = Gpu(gy);
        if (FlippedGeometry(g) is { } fg)
            return gy.DType == DType.F32
                ? gpu.ConvInputGradImplicit<float>(gy, w, g, fg, "Conv2d")
                : gpu.ConvInputGradImplicit<double>(gy, w, g, fg, "Conv2d");
        var gm = GroupedRows(gy, g);
        var wt = w.Reshape(g.Groups, g.CoutG, g.K).Transpose(1, 2);
        var col = Tensor.Empty(new Shape(g.Groups, g.K, g.N * g.L), gy.DType, gy.Device);
        gpu.Matmul(wt, gm, col);
        return gy.DType == DType.F32 ? gpu.Col2Im<float>(col, g, "Conv2d") : gpu.Col2Im<double>(col, g, "Conv2d");
    }

    /// <summary>gw [G, CoutG, K] = gy [G, CoutG, N·L] @ im2col(x)ᵀ [G, N·L, K], both operands read in place.</summary>
    private static Tensor GpuWeightGrad(Tensor x, Tensor gy, in ConvGeometry g) =>
        x.DType == DType.F32
            ? Gpu(x).ConvWeightGradImplicit<float>(x, gy, g, "Conv2d")
            : Gpu(x).ConvWeightGradImplicit<double>(x, gy, g, "Conv2d");

    /// <summary>gy [N, Cout, OH, OW] as a contiguous [G, CoutG, N·L] matrix.</summary>
    private static Tensor GroupedRows(Tensor gy, in ConvGeometry g) =>
        gy.Reshape(g.N, g.Groups, g.CoutG, g.L).Permute(1, 2, 0, 3).Materialize().Reshape(g.Groups, g.CoutG, g.N * g.L);

    private static void GpuAddBias(Tensor y, Tensor b)
    {
        if (y.DType == DType.F32) Gpu(y).AddChannelBias<float>(y, b, "Conv2d");
        else Gpu(y).AddChannelBias<double>(y, b, "Conv2d");
    }
}
