using System.Numerics;

namespace Scratch.Ops;

/// <summary>The three convolution kernels every conv-like op is built from, on contiguous host tensors:
/// <see cref="Forward"/> (y = conv(x, w)), <see cref="InputGrad"/> (its adjoint in x, which is also the transposed
/// convolution) and <see cref="WeightGrad"/>. Each picks the scalar Reference loops or the im2col + GEMM Cpu path
/// by the device kind.</summary>
internal static partial class ConvKernels
{
    /// <summary>y [N, Cout, OH, OW] = conv(x [N, Cin, H, W], w [Cout, Cin/G, KH, KW]).</summary>
    public static Tensor Forward(Tensor x, Tensor w, in ConvGeometry g)
    {
        var shape = new Shape(g.N, g.Cout, g.OH, g.OW);
        if (shape.Numel == 0 || g.K == 0) return Tensor.Empty(shape, x.DType, x.Device);
        var (xc, wc) = (x.Materialize(), w.Materialize());
        if (!x.Device.IsHost) return GpuForward(xc, wc, g);
        var y = Tensor.Uninitialized(shape, x.DType, x.Device);
        var cpu = x.Device.Kind != DeviceKind.Reference;
        if (x.DType == DType.F32)
        {
            if (cpu) CpuForward<float>(xc, wc, y, g);
            else RefForward<float>(xc, wc, y, g);
        }
        else
        {
            if (cpu) CpuForward<double>(xc, wc, y, g);
            else RefForward<double>(xc, wc, y, g);
        }
        return y;
    }

    /// <summary>gx [N, Cin, H, W] = ∂(Σ gy·conv(x, w))/∂x for gy [N, Cout, OH, OW].</summary>
    public static Tensor InputGrad(Tensor gy, Tensor w, in ConvGeometry g)
    {
        var shape = new Shape(g.N, g.Cin, g.H, g.W);
        if (shape.Numel == 0 || gy.Numel == 0 || g.CoutG == 0) return Tensor.Empty(shape, gy.DType, gy.Device);
        var (gc, wc) = (gy.Materialize(), w.Materialize());
        if (!gy.Device.IsHost) return GpuInputGrad(gc, wc, g);
        var gx = Tensor.Uninitialized(shape, gy.DType, gy.Device);
        var cpu = gy.Device.Kind != DeviceKind.Reference;
        if (gy.DType == DType.F32)
        {
            if (cpu) CpuInputGrad<float>(gc, wc, gx, g);
            else RefInputGrad<float>(gc, wc, gx, g);
        }
        else
        {
            if (cpu) CpuInputGrad<double>(gc, wc, gx, g);
            else RefInputGrad<double>(gc, wc, gx, g);
        }
        return gx;
    }

    /// <summary>gw [Cout, Cin/G, KH, KW] = ∂(Σ gy·conv(x, w))/∂w.</summary>
    public static Tensor WeightGrad(Tensor x, Tensor gy, in ConvGeometry g)
    {
        var shape = new Shape(g.Cout, g.CinG, g.KH, g.KW);
        if (shape.Numel == 0 || gy.Numel == 0) return Tensor.Empty(shape, x.DType, x.Device);
        var (xc, gc) = (x.Materialize(), gy.Materialize());
        if (!x.Device.IsHost) return GpuWeightGrad(xc, gc, g);
        var gw = Tensor.Uninitialized(shape, x.DType, x.Device);
        var cpu = x.Device.Kind != DeviceKind.Reference;
        if (x.DType == DType.F32)
        {
            if (cpu) CpuWeightGrad<float>(xc, gc, gw, g);
            else RefWeightGrad<float>(xc, gc, gw, g);
        }
        else
        {
            if (cpu) CpuWeightGrad<double>(xc, gc, gw, g);
            else RefWeightGrad<double>(xc, gc, gw, g);
        }
        return gw;
    }

    /// <summary>y[n, c, ...] += b[c] in place for a contiguous fresh y [N, C, ...].</summary>
    public static void AddBias(Tensor y, Tensor b)
    {
        var bc = b.Materialize();
        if (!y.Device.IsHost)
        {
            GpuAddBias(y, bc);
            return;
        }
        if (y.DType == DType.F32) AddBias<float>(y, bc);
        else AddBias<double>(y, bc);
    }

    /// <summary>gb[c] = Σ g[n, c, ...] over n and the spatial dims.</summary>
    public static Tensor BiasGrad(Tensor g) => g.Sum([0, 2, 3]);

    private static void AddBias<T>(Tensor y, Tensor b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (ya, ba, bo) = (y.HostArray<T>(), b.HostArray<T>(), (int)b.Offset);
        int n = y.Size(0), c = y.Size(1), plane = y.Size(2) * y.Size(3);
        for (var i = 0; i < n; i++)
        for (var ch = 0; ch < c; ch++)
        {
            var s = ya.AsSpan((i * c + ch) * plane, plane);
            System.Numerics.Tensors.TensorPrimitives.Add(s, ba[bo + ch], s);
        }
    }

    // ---- Reference: the definition, loop by loop ----

    private static int XAt(in ConvGeometry g, int n, int c, int h, int w) => ((n * g.Cin + c) * g.H + h) * g.W + w;

    private static int WAt(in ConvGeometry g, int co, int ci, int i, int j) => ((co * g.CinG + ci) * g.KH + i) * g.KW + j;

    private static void RefForward<T>(Tensor xt, Tensor wt, Tensor yt, in ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (x, xo, w, wo, y) = (xt.HostArray<T>(), (int)xt.Offset, wt.HostArray<T>(), (int)wt.Offset, yt.HostArray<T>());
        for (var n = 0; n < g.N; n++)
        for (var co = 0; co < g.Cout; co++)
        for (var oh = 0; oh < g.OH; oh++)
        for (var ow = 0; ow < g.OW; ow++)
        {
            var s = T.Zero;
            var grp = co / g.CoutG;
            for (var ci = 0; ci < g.CinG; ci++)
            for (var i = 0; i < g.KH; i++)
            for (var j = 0; j < g.KW; j++)
            {
                int ih = oh * g.SH - g.PH + i * g.DH, iw = ow * g.SW - g.PW + j * g.DW;
                if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
                s += x[xo + XAt(g, n, grp * g.CinG + ci, ih, iw)] * w[wo + WAt(g, co, ci, i, j)];
            }
            y[((n * g.Cout + co) * g.OH + oh) * g.OW + ow] = s;
        }
    }

    private static void RefInputGrad<T>(Tensor gt, Tensor wt, Tensor xt, in ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (gy, go, w, wo, gx) = (gt.HostArray<T>(), (int)gt.Offset, wt.HostArray<T>(), (int)wt.Offset, xt.HostArray<T>());
        for (var n = 0; n < g.N; n++)
        for (var co = 0; co < g.Cout; co++)
        for (var oh = 0; oh < g.OH; oh++)
        for (var ow = 0; ow < g.OW; ow++)
        {
            var d = gy[go + ((n * g.Cout + co) * g.OH + oh) * g.OW + ow];
            var grp = co / g.CoutG;
            for (var ci = 0; ci < g.CinG; ci++)
            for (var i = 0; i < g.KH; i++)
            for (var j = 0; j < g.KW; j++)
            {
                int ih = oh * g.SH - g.PH + i * g.DH, iw = ow * g.SW - g.PW + j * g.DW;
                if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
                gx[XAt(g, n, grp * g.CinG + ci, ih, iw)] += d * w[wo + WAt(g, co, ci, i, j)];
            }
        }
    }

    private static void RefWeightGrad<T>(Tensor xt, Tensor gt, Tensor wt, in ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (x, xo, gy, go, gw) = (xt.HostArray<T>(), (int)xt.Offset, gt.HostArray<T>(), (int)gt.Offset, wt.HostArray<T>());
        for (var n = 0; n < g.N; n++)
        for (var co = 0; co < g.Cout; co++)
        for (var oh = 0; oh < g.OH; oh++)
        for (var ow = 0; ow < g.OW; ow++)
        {
            var d = gy[go + ((n * g.Cout + co) * g.OH + oh) * g.OW + ow];
            var grp = co / g.CoutG;
            for (var ci = 0; ci < g.CinG; ci++)
            for (var i = 0; i < g.KH; i++)
            for (var j = 0; j < g.KW; j++)
            {
                int ih = oh * g.SH - g.PH + i * g.DH, iw = ow * g.SW - g.PW + j * g.DW;
                if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
                gw[WAt(g, co, ci, i, j)] += d * x[xo + XAt(g, n, grp * g.CinG + ci, ih, iw)];
            }
        }
    }
}
