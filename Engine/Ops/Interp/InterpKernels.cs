using System.Numerics;

namespace Scratch.Ops;

/// <summary>Per-axis source taps of an interpolation: out[o] = L0[o]·in[I0[o]] + L1[o]·in[I1[o]].</summary>
internal sealed record InterpAxis(int[] I0, int[] I1, double[] L0, double[] L1, int InSize)
{
    public int OutSize => I0.Length;

    /// <summary>PyTorch 1.13's index/weight rules; float32 tensors compute the bilinear source index in float32
    /// (PyTorch's opmath type), float64 ones in float64; nearest always uses float32 as PyTorch does.</summary>
    public static InterpAxis Make(InterpolateMode mode, int inSize, int outSize, double? scale, bool align, DType dtype)
    {
        var (i0, i1, l0, l1) = (new int[outSize], new int[outSize], new double[outSize], new double[outSize]);
        if (mode == InterpolateMode.Nearest)
        {
            var s = scale is { } sc ? (float)(1.0 / sc) : (float)inSize / outSize;
            for (var o = 0; o < outSize; o++)
            {
                i0[o] = i1[o] = outSize == inSize ? o
                    : outSize == 2 * inSize ? o >> 1
                    : Math.Min((int)MathF.Floor(o * s), inSize - 1);
                l0[o] = 1;
            }
            return new InterpAxis(i0, i1, l0, l1, inSize);
        }
        if (dtype == DType.F32) Linear<float>(inSize, outSize, scale, align, i0, i1, l0, l1);
        else Linear<double>(inSize, outSize, scale, align, i0, i1, l0, l1);
        return new InterpAxis(i0, i1, l0, l1, inSize);
    }

    private static void Linear<T>(int inSize, int outSize, double? scale, bool align, int[] i0, int[] i1, double[] l0,
        double[] l1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var ratio = align
            ? (outSize > 1 ? T.CreateChecked(inSize - 1) / T.CreateChecked(outSize - 1) : T.Zero)
            : scale is { } sc && sc > 0 ? T.CreateChecked(1.0 / sc)
                : T.CreateChecked(inSize) / T.CreateChecked(outSize);
        var half = T.CreateChecked(0.5);
        for (var o = 0; o < outSize; o++)
        {
            if (outSize == inSize)
            {
                (i0[o], i1[o], l0[o], l1[o]) = (o, o, 1, 0);
                continue;
            }
            var src = align ? ratio * T.CreateChecked(o) : ratio * (T.CreateChecked(o) + half) - half;
            if (!align && src < T.Zero) src = T.Zero;
            var lo = int.CreateTruncating(src);
            i0[o] = lo;
            i1[o] = lo + (lo < inSize - 1 ? 1 : 0);
            var lambda = T.Min(T.Max(src - T.CreateChecked(lo), T.Zero), T.One);
            l1[o] = double.CreateChecked(lambda);
            l0[o] = double.CreateChecked(T.One - lambda);
        }
    }
}

/// <summary>Separable two-tap resampling of [planes, H, W] host tensors and its adjoint; Reference tensors run
/// plane by plane on one thread, Cpu tensors split planes across cores.</summary>
internal static class InterpKernels
{
    public static Tensor Forward(Tensor x, InterpAxis rows, InterpAxis cols)
    {
        if (!x.Device.IsHost) return InterpKernelsGpu.Forward(x, rows, cols);
        var y = Tensor.Empty(new Shape(x.Size(0), x.Size(1), rows.OutSize, cols.OutSize), x.DType, x.Device);
        var xc = x.Materialize();
        if (x.Device.Kind == DeviceKind.Cpu && Nearest2x.Is(rows) && Nearest2x.Is(cols))
        {
            var planes = x.Size(0) * x.Size(1);
            if (x.DType == DType.F32) Nearest2x.Forward(xc.HostArray<float>(), (int)xc.Offset, y.HostArray<float>(),
                planes, rows.InSize, cols.InSize);
            else Nearest2x.Forward(xc.HostArray<double>(), (int)xc.Offset, y.HostArray<double>(), planes,
                rows.InSize, cols.InSize);
            return y;
        }
        if (x.DType == DType.F32) Run(xc, xc.HostArray<float>(), y.HostArray<float>(), rows, cols, false);
        else Run(xc, xc.HostArray<double>(), y.HostArray<double>(), rows, cols, false);
        return y;
    }

    public static Tensor Backward(Tensor g, InterpAxis rows, InterpAxis cols, Shape inputShape)
    {
        if (!g.Device.IsHost) return InterpKernelsGpu.Backward(g, rows, cols, inputShape);
        var gx = Tensor.Empty(inputShape, g.DType, g.Device);
        var gc = g.Materialize();
        if (g.Device.Kind == DeviceKind.Cpu && Nearest2x.Is(rows) && Nearest2x.Is(cols))
        {
            var planes = inputShape[0] * inputShape[1];
            if (g.DType == DType.F32) Nearest2x.Backward(gc.HostArray<float>(), (int)gc.Offset, gx.HostArray<float>(),
                planes, rows.InSize, cols.InSize);
            else Nearest2x.Backward(gc.HostArray<double>(), (int)gc.Offset, gx.HostArray<double>(), planes,
                rows.InSize, cols.InSize);
            return gx;
        }
        if (g.DType == DType.F32) Run(gc, gc.HostArray<float>(), gx.HostArray<float>(), rows, cols, true);
        else Run(gc, gc.HostArray<double>(), gx.HostArray<double>(), rows, cols, true);
        return gx;
    }

    private static void Run<T>(Tensor src, T[] a, T[] b, InterpAxis rows, InterpAxis cols, bool backward)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var planes = src.Size(0) * src.Size(1);
        int w = cols.InSize, inPlane = rows.InSize * w, ow = cols.OutSize, outPlane = rows.OutSize * ow;
        var so = (int)src.Offset;
        var (rl0, rl1) = (Array.ConvertAll(rows.L0, T.CreateChecked), Array.ConvertAll(rows.L1, T.CreateChecked));
        var (cl0, cl1) = (Array.ConvertAll(cols.L0, T.CreateChecked), Array.ConvertAll(cols.L1, T.CreateChecked));
        void Plane(int p)
        {
            for (var oh = 0; oh < rows.OutSize; oh++)
            {
                int r0 = rows.I0[oh] * w, r1 = rows.I1[oh] * w;
                for (var o = 0; o < ow; o++)
                {
                    int c0 = cols.I0[o], c1 = cols.I1[o];
                    var at = p * outPlane + oh * ow + o;
                    if (backward)
                    {
                        var d = a[so + at];
                        var q = b.AsSpan(p * inPlane);
                        q[r0 + c0] += rl0[oh] * cl0[o] * d;
                        if (cl1[o] != T.Zero) q[r0 + c1] += rl0[oh] * cl1[o] * d;
                        if (rl1[oh] == T.Zero) continue;
                        q[r1 + c0] += rl1[oh] * cl0[o] * d;
                        if (cl1[o] != T.Zero) q[r1 + c1] += rl1[oh] * cl1[o] * d;
                        continue;
                    }
                    // Zero-weight taps are skipped so that nearest copies exactly (and ±∞ stays ±∞).
                    var x = a.AsSpan(so + p * inPlane);
                    var top = cl1[o] == T.Zero ? x[r0 + c0] : cl0[o] * x[r0 + c0] + cl1[o] * x[r0 + c1];
                    if (rl1[oh] == T.Zero)
                    {
                        b[at] = top;
                        continue;
                    }
                    var bottom = cl1[o] == T.Zero ? x[r1 + c0] : cl0[o] * x[r1 + c0] + cl1[o] * x[r1 + c1];
                    b[at] = rl0[oh] * top + rl1[oh] * bottom;
                }
            }
        }
        if (src.Device.Kind != DeviceKind.Reference && planes > 1 && (long)planes * outPlane >= 1 << 15)
            Parallel.For(0, planes, Plane);
        else
            for (var p = 0; p < planes; p++) Plane(p);
    }
}
