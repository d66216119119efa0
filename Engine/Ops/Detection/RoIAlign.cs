using Scratch.Autograd;

namespace Scratch;

public static partial class F
{
    /// <summary>RoIAlign (Mask R-CNN, He et al. 2017), exactly as torchvision 0.14's <c>roi_align</c>: average of
    /// bilinear samples on a regular grid inside each output bin of each region of interest.</summary>
    /// <remarks>
    /// For RoI k = (b, x1, y1, x2, y2) with o = ½ when <paramref name="aligned"/> else 0:
    /// sx = x1·s − o, sy = y1·s − o, w = x2·s − o − sx, h = y2·s − o − sy (s the spatial scale); legacy mode
    /// (aligned = false) clamps w, h to ≥ 1. Bin (i, j) has size (h/ph, w/pw) and a gy × gx grid of samples with
    /// gy = samplingRatio, or ⌈h/ph⌉ when samplingRatio ≤ 0 (same for x); sample (iy, ix) sits at
    /// y = sy + i·h/ph + (iy + ½)·h/(ph·gy), x likewise, and
    /// out[k, c, i, j] = (1 / max(gy·gx, 1)) Σ bilinear(input[b, c], y, x).
    /// Bilinear rules: a sample with y &lt; −1, y &gt; H, x &lt; −1 or x &gt; W contributes 0; otherwise negative
    /// coordinates are clamped to 0 and coordinates at or past the last row/column read that row/column.
    /// Degenerate RoIs (x2 &lt; x1 or y2 &lt; y1), which torchvision accepts: in legacy mode they become 1-pixel
    /// RoIs starting at (x1, y1); in aligned mode with adaptive sampling the grid has ≤ 0 samples and the output is
    /// 0; with a fixed sampling ratio the samples walk backwards from (x1, y1) (negative bin size).
    /// NaN coordinates (on which torchvision 0.14 crashes): with a fixed sampling ratio the RoI's bins are NaN, with
    /// adaptive sampling its grid is empty and the bins are 0. The batch index is truncated to an integer; a NaN or
    /// out-of-range one throws.
    /// Backward: each sample scatters grad·wₙ / count to its 4 bilinear neighbours (only when all four indices are
    /// valid, as torchvision); the RoIs get no gradient.
    /// Kernels: Reference recomputes each sample in scalar loops; Cpu precomputes the bilinear offsets and weights
    /// once per RoI and runs the forward in parallel over RoIs, on a channels-last copy of the input with vector
    /// lanes across channels when the RoIs read the map many times over (else gathering from the planes), with the
    /// scalar kernel's arithmetic order (bitwise equal results); the backward runs in parallel over channels.
    /// </remarks>
    /// <param name="input">Features [N, C, H, W] (float32 or float64).</param>
    /// <param name="rois">[K, 5] rows (batch index, x1, y1, x2, y2) in input-image coordinates, input's dtype and
    /// device.</param>
    /// <param name="outputSize">(ph, pw) ≥ 1.</param>
    /// <param name="spatialScale">Factor from image to feature coordinates (e.g. 1/16).</param>
    /// <param name="samplingRatio">Samples per bin along each axis; ≤ 0 for adaptive ⌈roi size / output size⌉.
    /// </param>
    /// <param name="aligned">Shift coordinates by −½ pixel (Detectron2's ROIAlignV2); false is the legacy form.
    /// </param>
    /// <returns>[K, C, ph, pw]; [0, C, ph, pw] for no RoIs.</returns>
    /// <exception cref="ShapeMismatchException">input is not 4-D or rois is not [K, 5].</exception>
    /// <exception cref="ArgumentOutOfRangeException">outputSize is not positive, spatialScale is not finite, or a
    /// batch index is outside [0, N).</exception>
    public static Tensor RoIAlign(Tensor input, Tensor rois, (int Height, int Width) outputSize,
        double spatialScale = 1.0, int samplingRatio = -1, bool aligned = false)
    {
        const string op = "RoIAlign";
        var batch = CheckRoiArgs(input, rois, outputSize, spatialScale, op);
        var geometry = new RoIAlignGeometry(input.Shape.ToArray(), batch, outputSize.Height, outputSize.Width,
            spatialScale, samplingRatio, aligned);
        return RunRoiKernel(input, rois, geometry, input.Shape[1], outputSize, op);
    }

    /// <summary>Validates the arguments shared by the RoI pooling ops and returns the batch index of each RoI.
    /// </summary>
    private static int[] CheckRoiArgs(Tensor input, Tensor rois, (int Height, int Width) outputSize,
        double spatialScale, string op)
    {
        RequireFloating(input, op);
        if (input.Rank != 4) throw new ShapeMismatchException(op, "input", "[N, C, H, W]", input.Shape.ToString());
        RequireSame(input, rois, op, "rois");
        if (rois.Rank != 2 || rois.Shape[1] != 5)
            throw new ShapeMismatchException(op, "rois", "[K, 5] (batch index, x1, y1, x2, y2)", rois.Shape.ToString());
        if (outputSize.Height < 1 || outputSize.Width < 1)
            throw new ArgumentOutOfRangeException(nameof(outputSize), outputSize,
                $"{op}: outputSize expected positive (height, width), got {outputSize}.");
        if (!double.IsFinite(spatialScale))
            throw new ArgumentOutOfRangeException(nameof(spatialScale), spatialScale,
                $"{op}: spatialScale expected a finite value, got {spatialScale}.");
        var r = rois.Detach().Materialize().ToDoubleArray();
        var k = rois.Shape[0];
        var batch = new int[k];
        for (var i = 0; i < k; i++)
        {
            var b = r[5 * i];
            if (!(b >= 0 && (int)b < input.Shape[0]))
                throw new ArgumentOutOfRangeException(nameof(rois), b,
                    $"{op}: rois[{i}, 0] expected a batch index in [0, {input.Shape[0] - 1}], got {b}.");
            batch[i] = (int)b;
        }
        return batch;
    }

    /// <summary>Runs a RoI kernel forward into [K, outChannels, ph, pw] and records its backward (input only).
    /// </summary>
    private static Tensor RunRoiKernel(Tensor input, Tensor rois, RoIAlignGeometry geometry, int outChannels,
        (int Height, int Width) outputSize, string op)
    {
        var x = input.Detach().Materialize();
        var roisData = rois.Detach().Materialize();
        var y = Tensor.Empty(new Shape(rois.Shape[0], outChannels, outputSize.Height, outputSize.Width), input.DType,
            input.Device);
        var fast = input.Device.Kind == DeviceKind.Cpu;
        var gpu = !input.Device.IsHost;
        if (gpu)
            RoiDispatchFloat(input.DType, () => geometry.GpuForward<float>(x, roisData, y),
                () => geometry.GpuForward<double>(x, roisData, y));
        else
            RoiDispatchFloat(input.DType,
                () => geometry.Forward<float>(x, roisData, y, fast),
                () => geometry.Forward<double>(x, roisData, y, fast));
        if (!Graph.NeedsGrad(input)) return y;
        return Graph.Record(y, op, [input, rois], g =>
        {
            var gc = g.Materialize();
            var dx = Tensor.Empty(input.Shape, input.DType, input.Device);
            if (gpu)
                RoiDispatchFloat(input.DType, () => geometry.GpuBackward<float>(gc, roisData, dx),
                    () => geometry.GpuBackward<double>(gc, roisData, dx));
            else
                RoiDispatchFloat(input.DType,
                    () => geometry.Backward<float>(gc, roisData, dx, fast),
                    () => geometry.Backward<double>(gc, roisData, dx, fast));
            return [dx, null];
        });
    }

    /// <summary>RoIAlign with a square output size.</summary>
    public static Tensor RoIAlign(Tensor input, Tensor rois, int outputSize, double spatialScale = 1.0,
        int samplingRatio = -1, bool aligned = false) =>
        RoIAlign(input, rois, (outputSize, outputSize), spatialScale, samplingRatio, aligned);

    /// <summary>Runs the float32 or the float64 instantiation of a kernel.</summary>
    private static void RoiDispatchFloat(DType dtype, Action f32, Action f64)
    {
        if (dtype == DType.F32) f32();
        else f64();
    }
}
