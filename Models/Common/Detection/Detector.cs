using Scratch.Data;
using Scratch.NN;

namespace Scratch.Models.Common.Detection;

/// <summary>Base class of every detector that the <c>scratch train | eval | infer</c> workflow drives (FCOS,
/// BorderDet and the later papers' models).</summary>
/// <remarks>
/// <para>Input: a <see cref="DetectionBatch"/> straight from the data pipeline — images F32 <c>[B, 3, Hp, Wp]</c>
/// with values in [0, 1], zero-padded at the bottom/right to a multiple of 32, and per-image true sizes, boxes
/// <c>[K_i, 4]</c> (x1, y1, x2, y2 in input pixels) and contiguous labels I64 <c>[K_i]</c> in <c>[0, NumClasses)</c>.
/// The detector applies its own pixel normalisation (<see cref="PixelMean"/>, <see cref="PixelStd"/>).</para>
/// <para>State-dict keys follow the official PyTorch code of the paper the model serves, so weights saved as
/// safetensors load there after the usual prefix mapping.</para>
/// </remarks>
public abstract class Detector : Module
{
    /// <summary>Number of foreground classes C (labels are <c>0..C-1</c>; there is no background label).</summary>
    public abstract int NumClasses { get; }

    /// <summary>Per-channel mean subtracted from [0, 1] pixels before the backbone (ImageNet RGB by default).</summary>
    public virtual float[] PixelMean => [0.485f, 0.456f, 0.406f];

    /// <summary>Per-channel standard deviation that pixels are divided by after <see cref="PixelMean"/>.</summary>
    public virtual float[] PixelStd => [0.229f, 0.224f, 0.225f];

    /// <summary>Training losses of one batch, each a differentiable scalar, keyed <c>loss_*</c> as in the official
    /// code (e.g. <c>loss_cls</c>, <c>loss_box_reg</c>, <c>loss_centerness</c>); the training objective is their
    /// sum. Call in training mode.</summary>
    public abstract IReadOnlyDictionary<string, Tensor> Losses(DetectionBatch batch);

    /// <summary>Post-processed detections, one entry per image of <paramref name="batch"/>, in input pixels
    /// clipped to each image's true size, sorted by descending score. Call in eval mode (gradients are not
    /// recorded by callers, who wrap this in <c>GradMode.Disable()</c>).</summary>
    public abstract IReadOnlyList<Detections> Detect(DetectionBatch batch);
}

/// <summary>The detections of one image: <see cref="Boxes"/> F32 <c>[D, 4]</c> as x1, y1, x2, y2 in input pixels,
/// <see cref="Scores"/> F32 <c>[D]</c> in [0, 1] sorted descending, <see cref="Labels"/> I64 <c>[D]</c> in
/// <c>[0, NumClasses)</c>.</summary>
public sealed record Detections(Tensor Boxes, Tensor Scores, Tensor Labels)
{
    /// <summary>Number of detections D.</summary>
    public int Count => (int)Scores.Shape[0];
}
