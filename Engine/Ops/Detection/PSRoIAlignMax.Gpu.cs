using System.Numerics;
using Scratch.Backends.Gpu;

namespace Scratch;

internal sealed partial class PSRoIAlignMaxKernel
{
    /// <summary>The sample tables of <see cref="DetectionGpuKernels"/> for these RoIs, computed on the host by the
    /// host kernel's own geometry and copied to <paramref name="device"/>: pos/wts [S, 4] with S = Σₖ bins·Gₖ and
    /// roi [K, 3] = (batch, first sample, G).</summary>
    private (Tensor Pos, Tensor Wts, Tensor Roi, MaxSampleArgs Args) GpuTables<T>(Tensor rois, Device device)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = rois.Detach().Contiguous().ToArray<T>();
        var bins = ph * pw;
        var geo = new (T Sy, T Sx, T Bh, T Bw, int Gy, int Gx)[batch.Length];
        var roi = new int[3 * batch.Length];
        var total = 0L;
        for (var k = 0; k < batch.Length; k++)
        {
            geo[k] = Roi(r, 5L * k);
            var g = geo[k].Gy * geo[k].Gx;
            (roi[3 * k], roi[3 * k + 1], roi[3 * k + 2]) = (batch[k], checked((int)total), g);
            total += (long)bins * g;
        }
        // At least one row: a table of RoIs without samples must still be a valid device buffer.
        var pos = new int[checked(4 * Math.Max(total, 1))];
        var wts = new T[pos.Length];
        var s = 0L;
        for (var k = 0; k < batch.Length; k++)
            for (var bin = 0; bin < bins; bin++)
                for (var iy = 0; iy < geo[k].Gy; iy++)
                    for (var ix = 0; ix < geo[k].Gx; ix++, s++)
                    {
                        var p = Sample(geo[k], bin / pw, bin % pw, iy, ix);
                        (pos[4 * s], pos[4 * s + 1], pos[4 * s + 2], pos[4 * s + 3]) = (p.P1, p.P2, p.P3, p.P4);
                        (wts[4 * s], wts[4 * s + 1], wts[4 * s + 2], wts[4 * s + 3]) = (p.W1, p.W2, p.W3, p.W4);
                    }
        var args = new MaxSampleArgs { C = _c, Cout = _cout, H = _h, W = _w, Bins = bins, K = batch.Length };
        return (Tensor.From(pos, device: device), Tensor.From(wts, device: device), Tensor.From(roi, device: device),
            args);
    }

    /// <summary>GPU forward: output [K, Cout, ph, pw] and the int32 arg-max (same shape) from contiguous input.
    /// </summary>
    public Tensor GpuForward<T>(Tensor input, Tensor rois, Tensor output) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (pos, wts, roi, args) = GpuTables<T>(rois, input.Device);
        var arg = Tensor.Empty(output.Shape, DType.I32, input.Device);
        GpuRuntime.BackendFor(input.Device).MaxSample<T>(input, pos, wts, roi, output, arg, args, "PSRoIAlignMax");
        return arg;
    }

    /// <summary>GPU backward: scatters contiguous grad into the zeroed dx at the arg-max samples.</summary>
    public void GpuBackward<T>(Tensor grad, Tensor rois, Tensor arg, Tensor dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (pos, wts, roi, args) = GpuTables<T>(rois, grad.Device);
        GpuRuntime.BackendFor(grad.Device).MaxSampleBackward(grad, pos, wts, roi, arg, dx, args, "PSRoIAlignMax");
    }
}
