using System.Numerics;
using Scratch.Backends.Gpu;

namespace Scratch;

internal sealed partial class RoIAlignGeometry
{
    /// <summary>The per-RoI tables of <see cref="RoIGpuKernels"/>, computed on the host by the host kernels' own
    /// geometry code and copied to <paramref name="device"/>.</summary>
    private (Tensor Geo, Tensor Grid, RoIArgs Args) GpuTables<T>(Tensor rois, Device device)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = rois.Detach().Contiguous().ToArray<T>();
        var (geo, grid) = (new double[5 * batch.Length], new double[3 * batch.Length]);
        for (var k = 0; k < batch.Length; k++)
        {
            var g = Roi(r, 5L * k);
            (geo[5 * k], geo[5 * k + 1], geo[5 * k + 2], geo[5 * k + 3], geo[5 * k + 4]) = (double.CreateChecked(g.Sy),
                double.CreateChecked(g.Sx), double.CreateChecked(g.Bh), double.CreateChecked(g.Bw),
                double.CreateChecked(g.Count));
            (grid[3 * k], grid[3 * k + 1], grid[3 * k + 2]) = (batch[k], g.Gy, g.Gx);
        }
        var args = new RoIArgs
        {
            C = _c, Cout = _cout, H = _h, W = _w, PH = ph, PW = pw, PositionSensitive = positionSensitive ? 1 : 0,
        };
        return (Tensor.FromDoubles(geo, new Shape(geo.Length), DTypeInfo.Of<T>()).To(device),
            Tensor.FromDoubles(grid, new Shape(grid.Length), DType.I32).To(device), args);
    }

    /// <summary>GPU forward: output [K, Cout, ph, pw] from contiguous input on a GPU device.</summary>
    public void GpuForward<T>(Tensor input, Tensor rois, Tensor output) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (geo, grid, args) = GpuTables<T>(rois, input.Device);
        GpuRuntime.BackendFor(input.Device).RoIAlign<T>(input, geo, grid, output, args, "RoIAlign");
    }

    /// <summary>GPU backward: scatters contiguous grad into the zeroed dx.</summary>
    public void GpuBackward<T>(Tensor grad, Tensor rois, Tensor dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (geo, grid, args) = GpuTables<T>(rois, grad.Device);
        GpuRuntime.BackendFor(grad.Device).RoIAlignBackward(grad, geo, grid, dx, args, "RoIAlign");
    }
}
