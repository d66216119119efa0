using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Detection;

public class AnchorsTests
{
    [Fact]
    public void Cell_anchors_match_detectron2()
    {
        // torch 1.13, detectron2 generate_cell_anchors([32, 64], [0.5, 1, 2]): for size, for ar: w = sqrt(size**2 / ar),
        // h = ar * w, [-w/2, -h/2, w/2, h/2]
        var a = F.CellAnchors([32, 64], [0.5, 1, 2], DType.F64);
        Verify.Values(a, new Shape(6, 4), [-22.627416997969522, -11.313708498984761, 22.627416997969522, 11.313708498984761, -16.0, -16.0, 16.0, 16.0, -11.313708498984761, -22.627416997969522, 11.313708498984761, 22.627416997969522, -45.254833995939045, -22.627416997969522, 45.254833995939045, 22.627416997969522, -32.0, -32.0, 32.0, 32.0, -22.627416997969522, -45.254833995939045, 22.627416997969522, 45.254833995939045], 1e-12);
    }

    [Fact]
    public void Grid_anchors_match_detectron2()
    {
        // torch 1.13, detectron2 grid_anchors: shifts = arange(offset*stride, size*stride, stride) per axis,
        // meshgrid(ij) -> (x, y, x, y), (shifts.view(-1, 1, 4) + base.view(1, -1, 4)).reshape(-1, 4) with H=2, W=3,
        // stride 16, offset 0.5, base = cell anchors [0] and [4] of the test above
        var cell = F.CellAnchors([32, 64], [0.5, 1, 2], DType.F64).IndexSelect(0, Tensor.FromDoubles([0, 4], new Shape(2), DType.I64));
        foreach (var device in new[] { Device.Cpu, Device.Reference })
        {
            var a = F.GridAnchors(2, 3, 16, cell.To(device), 0.5);
            Assert.Equal(device, a.Device);
            Verify.Values(a, new Shape(12, 4), [-14.627416997969522, -3.313708498984761, 30.627416997969522, 19.31370849898476, -24.0, -24.0, 40.0, 40.0, 1.3725830020304777, -3.313708498984761, 46.62741699796952, 19.31370849898476, -8.0, -24.0, 56.0, 40.0, 17.372583002030478, -3.313708498984761, 62.62741699796952, 19.31370849898476, 8.0, -24.0, 72.0, 40.0, -14.627416997969522, 12.686291501015239, 30.627416997969522, 35.31370849898476, -24.0, -8.0, 40.0, 56.0, 1.3725830020304777, 12.686291501015239, 46.62741699796952, 35.31370849898476, -8.0, -8.0, 56.0, 56.0, 17.372583002030478, 12.686291501015239, 62.62741699796952, 35.31370849898476, 8.0, -8.0, 72.0, 56.0], 1e-12);
        }
    }

    [Theory]
    [InlineData(8.0, 1.0)]
    [InlineData(16.0, 0.5)]
    [InlineData(7.0, 4.0 / 3)]
    public void Cell_anchors_are_centred_with_the_requested_area_and_ratio(double size, double r)
    {
        var a = F.CellAnchors([size], [r], DType.F64).ToDoubleArray();
        var (w, h) = (a[2] - a[0], a[3] - a[1]);
        Assert.Equal(0, a[0] + a[2], 12);
        Assert.Equal(0, a[1] + a[3], 12);
        Assert.Equal(size * size, w * h, 9);
        Assert.Equal(r, h / w, 12);
    }

    [Fact]
    public void Grid_points_follow_fcos_and_cvpods()
    {
        // FCOS compute_locations: arange(0, W*s, s) + s // 2, meshgrid(ij), stacked (x, y): stride 8 → 4, 12, 20.
        Verify.Values(F.GridPoints(2, 3, 8, 0.5, DType.F64), new Shape(6, 2),
            [4, 4, 12, 4, 20, 4, 4, 12, 12, 12, 20, 12], 0);
        // cvpods ShiftGenerator with OFFSET 0: x = j·stride, y = i·stride.
        Verify.Values(F.GridPoints(1, 2, 32, 0, DType.F32), new Shape(2, 2), [0, 0, 32, 0], 0);
        Assert.Equal(new Shape(0, 2), F.GridPoints(0, 5, 8).Shape);
        Assert.Equal(new Shape(0, 4), F.GridAnchors(3, 0, 8, F.CellAnchors([8], [1])).Shape);
    }

    [Fact]
    public void Grid_anchors_are_cell_anchors_moved_to_the_points()
    {
        var cell = F.CellAnchors([16, 40], [0.5, 2], DType.F64);
        var anchors = F.GridAnchors(3, 4, 8, cell, 0.5).Reshape(12, 4, 4);
        var points = F.GridPoints(3, 4, 8, 0.5, DType.F64);
        var centres = (anchors.Narrow(2, 0, 2) + anchors.Narrow(2, 2, 2)) / 2;
        Verify.Close(points.Unsqueeze(1).Expand(12, 4, 2).Contiguous(), centres, 1e-12, 0);
    }

    [Fact]
    public void Bad_inputs_name_the_argument()
    {
        Assert.Contains("sizes", Assert.Throws<ArgumentException>(() => F.CellAnchors([], [1])).Message);
        Assert.Contains("sizes", Assert.Throws<ArgumentException>(() => F.CellAnchors([0], [1])).Message);
        Assert.Contains("aspectRatios", Assert.Throws<ArgumentException>(() => F.CellAnchors([8], [-1])).Message);
        Assert.Throws<DTypeMismatchException>(() => F.CellAnchors([8], [1], DType.I64));
        var cell = F.CellAnchors([8], [1]);
        Assert.Contains("height", Assert.Throws<ArgumentOutOfRangeException>(() => F.GridAnchors(-1, 2, 8, cell)).Message);
        Assert.Contains("stride", Assert.Throws<ArgumentOutOfRangeException>(() => F.GridAnchors(1, 2, 0, cell)).Message);
        Assert.Contains("offset", Assert.Throws<ArgumentOutOfRangeException>(() => F.GridPoints(1, 2, 8, 1)).Message);
        Assert.Contains("cellAnchors", Assert.Throws<ShapeMismatchException>(
            () => F.GridAnchors(1, 2, 8, Tensor.Zeros(new Shape(2, 3)))).Message);
    }
}
