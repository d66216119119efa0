using Scratch.Models.BorderDet;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Models.BorderDet;

public class BorderPostprocessTests
{
    private static double Logit(double p) => Math.Log(p / (1 - p));

    private static Tensor Logits(Shape shape, params double[] probs) =>
        Tensor.From(probs.Select(Logit).Select(v => (float)v).ToArray(), shape);

    private static BorderLevelOutputs[] Levels() =>
    [
        new(Logits(new Shape(2, 2), 0.81, 0.01, 0.002, 0.002), Logits(new Shape(2, 1), 0.64, 0.64),
            Logits(new Shape(2, 2), 0.5, 0.5, 0.99, 0.99),
            Tensor.From(new float[] { 0.1f, -0.1f, 0, 0.2f, 0, 0, 0, 0 }, new Shape(2, 4)),
            Tensor.From(new float[] { 10, 10, 30, 50, 0, 0, 8, 8 }, new Shape(2, 4))),
        new(Logits(new Shape(1, 2), 0.9, 0.0001), Logits(new Shape(1), 0.9), Logits(new Shape(1, 2), 0.25, 0.9),
            Tensor.Zeros(new Shape(1, 4)), Tensor.From(new float[] { 12, 9, 30, 52 }, new Shape(1, 4))),
    ];

    [Fact]
    public void Scores_combine_fcos_and_border_scores_and_boxes_are_refined_then_clipped()
    {
        var d = BorderPostprocess.Single(Levels(), (52, 64));
        // class 0: √(√(0.81·0.64)·0.5) = 0.6; class 1: √(√(0.01·0.64)·0.5) = 0.2; the level-1 class-0 box
        // (√(0.9·0.25) ≈ 0.474) overlaps the first by IoU > 0.6 and is suppressed; row 1 of level 0 has
        // √(0.002·0.64) < 0.05 and is dropped whatever its border score.
        Assert.Equal(2, d.Count);
        Verify.Close(new[] { 0.6, 0.2 }, d.Scores.To(DType.F64).ToArray<double>(), 1e-5);
        Assert.Equal([0L, 1L], d.Labels.ToArray<long>());
        // coarse (10, 10, 30, 50) + (0.1, −0.1, 0, 0.2)·0.5·(20, 40, 20, 40), y2 clipped to 52
        Verify.Close(new double[] { 11, 8, 30, 52, 11, 8, 30, 52 }, d.Boxes.To(DType.F64).ToArray<double>(), 1e-4);
    }

    [Fact]
    public void Max_detections_keeps_the_best_and_threshold_filters()
    {
        var d = BorderPostprocess.Single(Levels(), (52, 64), maxDetections: 1);
        Assert.Equal([0L], d.Labels.ToArray<long>());
        var none = BorderPostprocess.Single(Levels(), (52, 64), scoreThreshold: 0.95);
        Assert.Equal(0, none.Count);
        Assert.Equal(new Shape(0, 4), none.Boxes.Shape);
    }

    [Fact]
    public void Without_nms_overlap_all_candidates_come_sorted_descending()
    {
        var d = BorderPostprocess.Single(Levels(), (52, 64), nmsThreshold: 1.0);
        Assert.Equal(3, d.Count);
        var s = d.Scores.ToArray<float>();
        Assert.Equal(s.OrderDescending().ToArray(), s);
        Assert.Equal(Math.Sqrt(0.9 * 0.25), s[1], 5);
    }

    [Fact]
    public void Bad_level_shapes_throw()
    {
        var lv = Levels()[0] with { BorderDeltas = Tensor.Zeros(new Shape(3, 4)) };
        var e = Assert.Throws<ArgumentException>(() => BorderPostprocess.Single([lv], (52, 64)));
        Assert.Contains("levels", e.Message);
    }
}
