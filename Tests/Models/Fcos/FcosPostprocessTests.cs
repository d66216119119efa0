using Scratch.Models.Fcos;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Models.Fcos;

public class FcosPostprocessTests
{
    private static double Logit(double p) => Math.Log(p / (1 - p));

    /// <summary>One image, one stride-8 level of 1×4 locations at x = 0, 8, 16, 24 (y = 0), C = 2, centerness logit 0
    /// (σ = ½) unless given. Class probabilities per (location, class) from <paramref name="probs"/>; every box
    /// output is (l, t, r, b) = <paramref name="ltrb"/>.</summary>
    private static (FcosHeadOutput, Tensor[]) Case(double[,] probs, float[] ltrb, double[]? ctrLogit = null)
    {
        var cls = new float[2 * 4];
        for (var loc = 0; loc < 4; loc++)
            for (var c = 0; c < 2; c++) cls[c * 4 + loc] = (float)Logit(probs[loc, c]);
        var box = new float[4 * 4];
        for (var k = 0; k < 4; k++)
            for (var loc = 0; loc < 4; loc++) box[k * 4 + loc] = ltrb[k];
        var ctr = (ctrLogit ?? [0, 0, 0, 0]).Select(v => (float)v).ToArray();
        var head = new FcosHeadOutput([Tensor.From(cls, new Shape(1, 2, 1, 4))], [Tensor.From(box, new Shape(1, 4, 1, 4))],
            [Tensor.From(ctr, new Shape(1, 1, 1, 4))], [], []);
        return (head, FcosAssigner.Shifts([(1, 4)], [8]));
    }

    [Fact]
    public void Scores_are_the_geometric_mean_and_low_probabilities_are_dropped()
    {
        var probs = new double[,] { { 0.9, 0.01 }, { 0.04, 0.01 }, { 0.01, 0.5 }, { 0.01, 0.01 } };
        var (head, shifts) = Case(probs, [2, 2, 2, 2], [0, 0, Logit(0.8), 0]);
        var d = FcosPostprocess.Run(head, shifts, 0, (64, 64));
        Assert.Equal(2, d.Count);
        Assert.Equal(new long[] { 0, 1 }, d.Labels.ToArray<long>());
        Assert.Equal(Math.Sqrt(0.9 * 0.5), d.Scores.ToDoubleArray()[0], 5);
        Assert.Equal(Math.Sqrt(0.5 * 0.8), d.Scores.ToDoubleArray()[1], 5);
        // Location 0 at (0, 0) → (−2, −2, 2, 2) clipped to (0, 0, 2, 2); location 2 at (16, 0) → (14, 0, 18, 2).
        Assert.Equal(new double[] { 0, 0, 2, 2, 14, 0, 18, 2 }, d.Boxes.ToDoubleArray());
    }

    [Fact]
    public void Nms_is_class_aware_and_results_are_sorted()
    {
        // 60×10 boxes (l = r = 30, t = b = 5): locations 8 px apart overlap with IoU 520/680 = 0.76 > 0.6.
        var probs = new double[,] { { 0.6, 0.01 }, { 0.9, 0.7 }, { 0.01, 0.8 }, { 0.01, 0.01 } };
        var (head, shifts) = Case(probs, [30, 5, 30, 5]);
        var d = FcosPostprocess.Run(head, shifts, 0, (100, 100));
        // Class 0: locations 0 and 1 overlap → keep location 1 (0.9). Class 1: locations 1 (0.7) and 2 (0.8) overlap
        // → keep location 2. Different classes never suppress each other.
        Assert.Equal(new long[] { 0, 1 }, d.Labels.ToArray<long>());
        Verify.Close([Math.Sqrt(0.9 * 0.5), Math.Sqrt(0.8 * 0.5)], d.Scores.ToDoubleArray(), 1e-5, 0, "scores");
        Assert.Equal(new double[] { 0, 0, 38, 5, 0, 0, 46, 5 }, d.Boxes.ToDoubleArray()); // clipped at x, y = 0
    }

    [Fact]
    public void Top_k_and_max_detections_cap_the_output()
    {
        var probs = new double[,] { { 0.9, 0.8 }, { 0.7, 0.6 }, { 0.5, 0.4 }, { 0.3, 0.2 } };
        var (head, shifts) = Case(probs, [1, 1, 1, 1]);
        // Top-k is capped at H·W = 4 candidates per level even when TopKPerLevel is larger.
        Assert.Equal(4, FcosPostprocess.TopCandidates(head.ClsLogits[0], 0, 0, new FcosPostprocessOptions()).Count);
        var top = FcosPostprocess.TopCandidates(head.ClsLogits[0], 0, 0, new FcosPostprocessOptions(TopKPerLevel: 3));
        Assert.Equal([(0, 0), (0, 1), (1, 0)], top.Select(c => (c.Location, c.Class)));
        var d = FcosPostprocess.Run(head, shifts, 0, (64, 64), new FcosPostprocessOptions(MaxDetections: 2));
        Assert.Equal(2, d.Count);
    }

    [Fact]
    public void Nothing_above_the_threshold_gives_empty_detections()
    {
        var probs = new double[,] { { 0.01, 0.01 }, { 0.01, 0.01 }, { 0.01, 0.01 }, { 0.01, 0.01 } };
        var (head, shifts) = Case(probs, [1, 1, 1, 1]);
        var d = FcosPostprocess.Run(head, shifts, 0, (64, 64));
        Assert.Equal(0, d.Count);
        Assert.Equal(new Shape(0, 4), d.Boxes.Shape);
        Assert.Equal(DType.I64, d.Labels.DType);
    }
}
