using Scratch.Autograd;
using Scratch.NN;

namespace Scratch.Models.BorderDet;

/// <summary>The border part of cvpods' <c>BorderHead</c>, shared over FPN levels: a <see cref="BorderBranch"/> on
/// the classification tower (<c>border_cls_subnet</c>, Cb = 256) and one on the regression tower
/// (<c>border_bbox_subnet</c>, Cb = 128), then 1×1 <c>border_cls_score</c> (C_in → classes, prior-probability
/// bias) and <c>border_bbox_pred</c> (C_in → 4).</summary>
/// <remarks>Key names equal cvpods' <c>head.*</c> keys of the border part; the FCOS towers and predictors are
/// owned by the FCOS head.</remarks>
public sealed class BorderHead : Module
{
    /// <summary>Creates the border head.</summary>
    /// <param name="inChannels">Tower (and FPN) channels C_in (256 in BorderDet).</param>
    /// <param name="numClasses">Foreground classes K.</param>
    /// <param name="clsBorderChannels">Cb of the classification branch (256).</param>
    /// <param name="regBorderChannels">Cb of the regression branch (128).</param>
    /// <param name="priorProb">Initial foreground probability of the classification logits (0.01).</param>
    /// <param name="poolSize">BorderAlign pool size (10).</param>
    /// <param name="generator">Source of the N(0, 0.01) initial weights.</param>
    /// <exception cref="ArgumentOutOfRangeException">a count is not positive or priorProb is outside (0, 1).
    /// </exception>
    public BorderHead(int inChannels, int numClasses, int clsBorderChannels = 256, int regBorderChannels = 128,
        double priorProb = 0.01, int poolSize = 10, Generator? generator = null)
    {
        if (numClasses <= 0)
            throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses,
                $"BorderHead: numClasses expected > 0, got {numClasses}.");
        if (!(priorProb > 0 && priorProb < 1))
            throw new ArgumentOutOfRangeException(nameof(priorProb), priorProb,
                $"BorderHead: priorProb expected in (0, 1), got {priorProb}.");
        NumClasses = numClasses;
        ClsSubnet = Add("border_cls_subnet", new BorderBranch(inChannels, clsBorderChannels, poolSize, generator));
        BboxSubnet = Add("border_bbox_subnet", new BorderBranch(inChannels, regBorderChannels, poolSize, generator));
        ClsScore = Add("border_cls_score", Conv1x1(inChannels, numClasses, generator));
        BboxPred = Add("border_bbox_pred", Conv1x1(inChannels, 4, generator));
        using var _ = GradMode.Disable();
        Init.Constant_(ClsScore.Bias!, -Math.Log((1 - priorProb) / priorProb));
    }

    /// <summary>Foreground classes K.</summary>
    public int NumClasses { get; }

    /// <summary>Border branch on the classification tower.</summary>
    public BorderBranch ClsSubnet { get; }

    /// <summary>Border branch on the regression tower.</summary>
    public BorderBranch BboxSubnet { get; }

    /// <summary>1×1 C_in → K border classification logits.</summary>
    public Conv2d ClsScore { get; }

    /// <summary>1×1 C_in → 4 border regression deltas.</summary>
    public Conv2d BboxPred { get; }

    /// <summary>Border logits [N, K, H, W] and border deltas [N, 4, H, W] of one level, from the classification
    /// and regression tower outputs [N, C_in, H, W] and the level's align boxes [N, H·W, 4]
    /// (<see cref="AlignBoxes"/>).</summary>
    public (Tensor Logits, Tensor Deltas) Forward(Tensor clsTower, Tensor bboxTower, Tensor alignBoxes) =>
        (ClsScore.Forward(ClsSubnet.Forward(clsTower, alignBoxes)),
         BboxPred.Forward(BboxSubnet.Forward(bboxTower, alignBoxes)));

    /// <summary>Coarse boxes (x − l, y − t, x + r, y + b) [N, H·W, 4] in input pixels from FCOS's decoded
    /// distances <paramref name="ltrb"/> [N, 4, H, W] (pixels, after ReLU·stride) and the level's points
    /// <paramref name="points"/> [H·W, 2] (x, y), location-major. Detached (cvpods computes them under no_grad).
    /// </summary>
    /// <exception cref="ShapeMismatchException">ltrb is not [N, 4, H, W] or points is not [H·W, 2].</exception>
    public static Tensor CoarseBoxes(Tensor ltrb, Tensor points)
    {
        if (ltrb.Rank != 4 || ltrb.Shape[1] != 4)
            throw new ShapeMismatchException("CoarseBoxes", "ltrb", "[N, 4, H, W]", ltrb.Shape.ToString());
        var (n, hw) = (ltrb.Shape[0], ltrb.Shape[2] * ltrb.Shape[3]);
        if (points.Rank != 2 || points.Shape[0] != hw || points.Shape[1] != 2)
            throw new ShapeMismatchException("CoarseBoxes", "points", $"[{hw}, 2]", points.Shape.ToString());
        using var _ = GradMode.Disable();
        var d = ltrb.Detach().Permute(0, 2, 3, 1).Reshape(n, hw, 4);
        var p = points.Detach().To(ltrb.DType);
        var (x, y) = (p.Select(1, 0).Unsqueeze(0), p.Select(1, 1).Unsqueeze(0));
        return F.Stack([x - d.Select(2, 0), y - d.Select(2, 1), x + d.Select(2, 2), y + d.Select(2, 3)], 2);
    }

    /// <summary>cvpods' <c>compute_border</c>: coarse boxes [N, K, 4] (input pixels) divided by
    /// <paramref name="stride"/> and clamped to x ∈ [0, W − 1], y ∈ [0, H − 1] of the level's map. Detached.</summary>
    /// <exception cref="ShapeMismatchException">coarse is not [N, K, 4].</exception>
    /// <exception cref="ArgumentOutOfRangeException">stride, height or width is not positive.</exception>
    public static Tensor AlignBoxes(Tensor coarse, double stride, int height, int width)
    {
        if (coarse.Rank != 3 || coarse.Shape[2] != 4)
            throw new ShapeMismatchException("AlignBoxes", "coarse", "[N, K, 4]", coarse.Shape.ToString());
        if (!(stride > 0)) throw new ArgumentOutOfRangeException(nameof(stride), stride, $"AlignBoxes: stride expected > 0, got {stride}.");
        if (height <= 0 || width <= 0)
            throw new ArgumentOutOfRangeException(nameof(height), (height, width),
                $"AlignBoxes: height and width expected > 0, got {height}×{width}.");
        using var _ = GradMode.Disable();
        var b = coarse.Detach() / stride;
        return F.Stack([
            b.Select(2, 0).Clamp(0, width - 1), b.Select(2, 1).Clamp(0, height - 1),
            b.Select(2, 2).Clamp(0, width - 1), b.Select(2, 3).Clamp(0, height - 1)], 2);
    }

    /// <summary>1×1 convolution with N(0, 0.01) weights and zero bias (cvpods' head initialisation).</summary>
    internal static Conv2d Conv1x1(int inChannels, int outChannels, Generator? generator)
    {
        var conv = new Conv2d(inChannels, outChannels, 1, generator: generator);
        using var _ = GradMode.Disable();
        Init.Normal_(conv.Weight, 0, 0.01, generator);
        Init.Constant_(conv.Bias!, 0);
        return conv;
    }
}
