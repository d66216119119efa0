using System.Numerics;
using Scratch.Backends.Gpu;

namespace Scratch;

internal sealed partial class BorderAlignKernel
{
    /// <summary>The sample tables of <see cref="DetectionGpuKernels"/> for these boxes, computed on the host by the
    /// host kernel's own sampling and copied to <paramref name="device"/>: pos/wts [N·K·4·(P + 1), 4] in
    /// (n, k, side, i) order.</summary>
    private (Tensor Pos, Tensor Wts, Tensor Roi, MaxSampleArgs Args) GpuTables<T>(Tensor boxes, Device device)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var b = boxes.Detach().Contiguous().ToArray<T>();
        var samples = checked(n * k * 4 * (pool + 1));
        var pos = new int[4 * Math.Max(samples, 1)]; // a valid device buffer even without boxes
        var wts = new T[pos.Length];
        var s = 0;
        for (var nk = 0; nk < n * k; nk++)
            for (var side = 0; side < 4; side++)
                for (var i = 0; i <= pool; i++, s++)
                {
                    var p = Sample(b, 4L * nk, side, i);
                    (pos[4 * s], pos[4 * s + 1], pos[4 * s + 2], pos[4 * s + 3]) = (p.P1, p.P2, p.P3, p.P4);
                    (wts[4 * s], wts[4 * s + 1], wts[4 * s + 2], wts[4 * s + 3]) = (p.W1, p.W2, p.W3, p.W4);
                }
        var args = new MaxSampleArgs { BorderAlign = 1, C = c, H = h, W = w, K = k, Pool = pool };
        return (Tensor.From(pos, device: device), Tensor.From(wts, device: device),
            Tensor.From(new int[1], device: device), args);
    }

    /// <summary>GPU forward: output [N, C, K, 4] and the int32 arg-max (same shape) from contiguous input.</summary>
    public Tensor GpuForward<T>(Tensor input, Tensor boxes, Tensor output) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (pos, wts, roi, args) = GpuTables<T>(boxes, input.Device);
        var arg = Tensor.Empty(output.Shape, DType.I32, input.Device);
        GpuRuntime.BackendFor(input.Device).MaxSample<T>(input, pos, wts, roi, output, arg, args, "BorderAlign");
        return arg;
    }

    /// <summary>GPU backward: scatters contiguous grad into the zeroed dx at the arg-max samples.</summary>
    public void GpuBackward<T>(Tensor grad, Tensor boxes, Tensor arg, Tensor dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (pos, wts, roi, args) = GpuTables<T>(boxes, grad.Device);
        GpuRuntime.BackendFor(grad.Device).MaxSampleBackward(grad, pos, wts, roi, arg, dx, args, "BorderAlign");
    }
}
