using Scratch.Models.Fcos;
using Xunit;

namespace Scratch.Tests.Models.Fcos;

public class FcosLossTests
{
    /// <summary>One image, one 1×2 level, C = 2. Location 0 is foreground of class 1 with target (l, t, r, b) =
    /// (1, 3, 2, 2); location 1 is background. All class logits 0, box prediction (1, 1, 1, 1), centerness logit 1.
    /// </summary>
    private static (FcosHeadOutput Head, FcosTargets Targets) SmallCase(bool withForeground = true)
    {
        var cls = Tensor.Zeros(new Shape(1, 2, 1, 2)).RequiresGrad_();
        var box = Tensor.Ones(new Shape(1, 4, 1, 2)).RequiresGrad_();
        var ctr = Tensor.Ones(new Shape(1, 1, 1, 2)).RequiresGrad_();
        var head = new FcosHeadOutput([cls], [box], [ctr], [cls], [box]);
        var (c0, m0) = withForeground ? (1L, 0L) : (2L, -1L);
        var d0 = withForeground ? new float[] { 1, 3, 2, 2 } : [0, 0, 0, 0];
        var centerness = withForeground ? (float)Math.Sqrt(1.0 / 3) : 0f;
        var targets = new FcosTargets(Tensor.From(new long[] { c0, 2 }, new Shape(1, 2)),
            Tensor.From([.. d0, 0, 0, 0, 0], new Shape(1, 2, 4)), Tensor.From(new[] { centerness, 0f }, new Shape(1, 2)),
            Tensor.From(new long[] { m0, -1 }, new Shape(1, 2)), withForeground ? 1 : 0);
        return (head, targets);
    }

    [Fact]
    public void Losses_equal_the_hand_computed_values()
    {
        var (head, targets) = SmallCase();
        var losses = FcosLoss.Compute(head, targets);
        // Focal at logit 0 (p = ½): positive α(1−p)²·ln 2 = 0.0625 ln 2, negative (1−α)p²·ln 2 = 0.1875 ln 2;
        // one positive and three negatives, / max(1, 1): 0.625 ln 2.
        Assert.Equal(0.625 * Math.Log(2), losses[FcosLoss.Cls].Item(), 6);
        // Pred box (−1, −1, 1, 1), target (−1, −3, 2, 2): I = 2·2 = 4, U = 15 (the target contains the prediction),
        // hull = 15, GIoU = 4/15; loss (11/15)·ctr / max(1, ctr) with ctr = √(½·⅔) = √⅓ < 1.
        Assert.Equal(11.0 / 15 * Math.Sqrt(1.0 / 3), losses[FcosLoss.BoxReg].Item(), 6);
        // BCE-with-logits(1, √⅓) = ln(1 + e) − √⅓, / max(1, 1).
        Assert.Equal(Math.Log(1 + Math.E) - Math.Sqrt(1.0 / 3), losses[FcosLoss.Centerness].Item(), 6);
    }

    [Fact]
    public void Background_only_gives_zero_box_and_centerness_losses_with_gradients()
    {
        var (head, targets) = SmallCase(withForeground: false);
        var losses = FcosLoss.Compute(head, targets);
        Assert.Equal(0.75 * Math.Log(2), losses[FcosLoss.Cls].Item(), 6); // four negatives · 0.1875 ln 2 / max(1, 0)
        Assert.Equal(0, losses[FcosLoss.BoxReg].Item());
        Assert.Equal(0, losses[FcosLoss.Centerness].Item());
        (losses[FcosLoss.Cls] + losses[FcosLoss.BoxReg] + losses[FcosLoss.Centerness]).Backward();
        Assert.NotNull(head.ClsLogits[0].Grad);
        Assert.All(head.BoxRegression[0].Grad!.ToDoubleArray(), g => Assert.Equal(0, g));
    }

    [Fact]
    public void Flatten_levels_orders_image_then_level_then_location()
    {
        var a = Tensor.Arange(0, 8, dtype: DType.F32).Reshape(2, 2, 1, 2); // N=2, K=2, 1×2
        var b = Tensor.Arange(100, 104, dtype: DType.F32).Reshape(2, 2, 1, 1); // N=2, K=2, 1×1
        var f = FcosLoss.FlattenLevels([a, b]);
        Assert.Equal(new Shape(6, 2), f.Shape);
        Assert.Equal(new double[] { 0, 2, 1, 3, 100, 101, 4, 6, 5, 7, 102, 103 }, f.ToDoubleArray());
    }

    [Fact]
    public void Targets_that_do_not_cover_the_locations_are_rejected()
    {
        var (head, _) = SmallCase();
        var bad = new FcosTargets(Tensor.Zeros(new Shape(1, 3), DType.I64), Tensor.Zeros(new Shape(1, 3, 4)),
            Tensor.Zeros(new Shape(1, 3)), Tensor.Zeros(new Shape(1, 3), DType.I64), 0);
        var e = Assert.Throws<ShapeMismatchException>(() => FcosLoss.Compute(head, bad));
        Assert.Contains("targets", e.Message);
    }
}
