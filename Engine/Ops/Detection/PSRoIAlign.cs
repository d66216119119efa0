using Scratch.Autograd;

namespace Scratch;

public static partial class F
{
    /// <summary>Position-sensitive RoIAlign with average pooling (R-FCN, Dai et al. 2016, with RoIAlign sampling),
    /// exactly as torchvision 0.14's <c>ps_roi_align</c>.</summary>
    /// <remarks>
    /// The C input channels form C/(ph·pw) groups of ph·pw score maps; output (k, c, i, j) averages bilinear samples
    /// of input channel (c·ph + i)·pw + j inside bin (i, j) of RoI k. Geometry as <see cref="RoIAlign(Tensor, Tensor,
    /// ValueTuple{int, int}, double, int, bool)"/> with aligned = true always (coordinates shifted by −½, RoI size not
    /// clamped), the same bilinear rules and adaptive grid ⌈roi size / output size⌉ when samplingRatio ≤ 0. The
    /// average divides by gy·gx without a guard, as torchvision: an RoI whose adaptive grid has 0 samples along an
    /// axis (roi size in (−bin count, 0] there, e.g. x2 = x1) gives NaN (0/0); negative counts on both axes give 0.
    /// Backward scatters grad·wₙ / count to the 4 bilinear neighbours in the mapped channel; RoIs get no gradient.
    /// Light-Head R-CNN and ThunderNet use a max-pooling variant (not this op).
    /// </remarks>
    /// <param name="input">Features [N, C, H, W] with C divisible by ph·pw (float32 or float64).</param>
    /// <param name="rois">[K, 5] rows (batch index, x1, y1, x2, y2), input's dtype and device.</param>
    /// <param name="outputSize">(ph, pw) ≥ 1.</param>
    /// <param name="spatialScale">Factor from image to feature coordinates.</param>
    /// <param name="samplingRatio">Samples per bin along each axis; ≤ 0 for adaptive.</param>
    /// <returns>[K, C/(ph·pw), ph, pw].</returns>
    /// <exception cref="ShapeMismatchException">input is not 4-D, rois is not [K, 5], or C is not divisible by ph·pw.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">outputSize is not positive, spatialScale is not finite, or a
    /// batch index is outside [0, N).</exception>
    public static Tensor PSRoIAlign(Tensor input, Tensor rois, (int Height, int Width) outputSize,
        double spatialScale = 1.0, int samplingRatio = -1)
    {
        const string op = "PSRoIAlign";
        var batch = CheckRoiArgs(input, rois, outputSize, spatialScale, op);
        var bins = outputSize.Height * outputSize.Width;
        if (input.Shape[1] % bins != 0)
            throw new ShapeMismatchException(op, "input",
                $"[N, C, H, W] with C divisible by {outputSize.Height}·{outputSize.Width} = {bins}",
                input.Shape.ToString());
        var geometry = new RoIAlignGeometry(input.Shape.ToArray(), batch, outputSize.Height, outputSize.Width,
            spatialScale, samplingRatio, aligned: true, positionSensitive: true);
        return RunRoiKernel(input, rois, geometry, input.Shape[1] / bins, outputSize, op);
    }

    /// <summary>PSRoIAlign with a square output size.</summary>
    public static Tensor PSRoIAlign(Tensor input, Tensor rois, int outputSize, double spatialScale = 1.0,
        int samplingRatio = -1) => PSRoIAlign(input, rois, (outputSize, outputSize), spatialScale, samplingRatio);
}
