using Scratch.Tests.Properties;
using Xunit;
using static Scratch.Tests.Ops.Detection.DetectionArbs;

namespace Scratch.Tests.Ops.Detection;

public class IouLossTests
{
    private static readonly IouLossKind[] Kinds = [IouLossKind.Iou, IouLossKind.LinearIou, IouLossKind.Giou];

    [FsCheck.Xunit.Property(Arbitrary = [typeof(DetectionArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Gradients_match_finite_differences(BoxCase c)
    {
        var w = Values.Uniform(new Shape(c.N), c.Seed + 5, DType.F64, 0.1, 2);
        foreach (var kind in Kinds)
        {
            Verify.Gradients(x => F.IouLoss(x[0], x[1], kind), RandomBoxes(c.N, c.Seed), RandomBoxes(c.N, c.Seed + 1));
            Verify.Gradients(x => F.IouLoss(x[0], x[1], kind, ltrb: true, weight: w, reduction: Reduction.Mean),
                RandomLtrb(c.N, c.Seed + 2), RandomLtrb(c.N, c.Seed + 3));
        }
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(DetectionArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Cpu_matches_reference_and_giou_loss_matches_pairwise_giou(BoxCase c)
    {
        foreach (var kind in Kinds)
        {
            Verify.SameOnBackends(x => F.IouLoss(x[0], x[1], kind, reduction: Reduction.Sum),
                [RandomBoxes(c.N, c.Seed), RandomBoxes(c.N, c.Seed + 1)], 1e-12, 1e-12);
            Verify.SameOnBackends(x => F.IouLoss(x[0], x[1], kind, ltrb: true),
                [RandomLtrb(c.N, c.Seed, DType.F32), RandomLtrb(c.N, c.Seed + 1, DType.F32)], 1e-5, 1e-5);
        }
        // On well-formed boxes the elementwise GIoU equals the diagonal of the pairwise matrix.
        var (p, t) = (RandomBoxes(c.N, c.Seed), RandomBoxes(c.N, c.Seed + 1));
        var pairwise = F.GeneralizedBoxIou(p, t).ToDoubleArray();
        var diag = Enumerable.Range(0, c.N).Select(i => 1 - pairwise[i * c.N + i]).ToArray();
        Verify.Close(diag, F.IouLoss(p, t, IouLossKind.Giou).ToDoubleArray(), 1e-12, 1e-12);
    }

    private static readonly double[] P = [0, 0, 4, 3, 1, 2, 5, 7, 2.5, 1, 3, 9, 0, 0, 1, 1];
    private static readonly double[] T = [1, 1, 3, 3.5, 0, 4, 6, 6, 2, 0.5, 3.5, 8, 2, 2, 3, 3];

    /// <summary>Golden case: i = P, t = T (float64, [4, 4], requiring grad), W = [1, 0.5, 2, 0.25]; for reduction
    /// 'none' the backward is (l * [1, -2, 0.5, 3]).sum().backward(), else l.backward(). The python reference is
    /// cvpods' functional iou_loss (cvpods/modeling/losses/iou_loss.py) run with torch 1.13.</summary>
    private static void Case(IouLossKind kind, bool ltrb, bool weighted, Reduction reduction, double[] loss,
        double[] gradInput, double[] gradTarget)
    {
        foreach (var device in new[] { Device.Cpu, Device.Reference })
        {
            var i = Tensor.FromDoubles(P, new Shape(4, 4), DType.F64, device).RequiresGrad_();
            var t = Tensor.FromDoubles(T, new Shape(4, 4), DType.F64, device).RequiresGrad_();
            var w = weighted ? Tensor.FromDoubles([1, 0.5, 2, 0.25], new Shape(4), DType.F64, device) : null;
            var l = F.IouLoss(i, t, kind, ltrb, w, reduction);
            var what = $"{kind} ltrb={ltrb} weighted={weighted} {reduction} on {device}";
            Verify.Close(loss, l.ToDoubleArray(), 1e-14, 1e-12, what);
            var g = Tensor.FromDoubles([1, -2, 0.5, 3], new Shape(4), DType.F64, device);
            (reduction == Reduction.None ? (l * g).Sum() : l).Backward();
            Verify.Close(gradInput, i.Grad!.ToDoubleArray(), 1e-14, 1e-12, what + " grad input");
            Verify.Close(gradTarget, t.Grad!.ToDoubleArray(), 1e-14, 1e-12, what + " grad target");
        }
    }

    [Fact]
    public void Known_values_match_cvpods_iou_loss()
    {
        // torch 1.13: iou_loss(i, t, None, 'xyxy', 'iou', 'none') (cvpods iou_loss above, float64)
        Case(IouLossKind.Iou, false, false, Reduction.None,
            [1.1786549963416462, 1.0986122886681098, 1.2110902720948, 15.942385152878742],
            [-0.23076923076923078, -0.3076923076923077, 0.23076923076923078, -0.34615384615384615, -0.25,
                0.3333333333333333, 0.25, -0.3333333333333333, 0.9574468085106382, 0.07142857142857142,
                -0.9574468085106382, 0.02127659574468085, 0.0, 0.0, 0.0, 0.0],
            [0.46153846153846156, 0.5, -0.46153846153846156, 0.15384615384615385, 0.16666666666666666,
                -0.8333333333333333, -0.16666666666666666, 0.8333333333333333, -0.3191489361702128,
                -0.06382978723404255, 0.3191489361702128, -0.02887537993920973, 0.0, 0.0, 0.0, 0.0]);
        // torch 1.13: iou_loss(i, t, W, 'xyxy', 'iou', 'mean') (cvpods iou_loss above, float64)
        Case(IouLossKind.Iou, false, true, Reduction.Mean,
            [2.1695301261559963],
            [-0.06153846153846154, -0.08205128205128205, 0.06153846153846154, -0.0923076923076923, 0.016666666666666666,
                -0.022222222222222223, -0.016666666666666666, 0.022222222222222223, 1.021276595744681,
                0.0761904761904762, -1.021276595744681, 0.022695035460992906, 0.0, 0.0, 0.0, 0.0],
            [0.12307692307692307, 0.13333333333333333, -0.12307692307692307, 0.041025641025641026,
                -0.011111111111111112, 0.05555555555555556, 0.011111111111111112, -0.05555555555555556,
                -0.3404255319148936, -0.06808510638297871, 0.3404255319148936, -0.0308004052684904, 0.0, 0.0, 0.0,
                0.0]);
        // torch 1.13: iou_loss(i, t, None, 'xyxy', 'linear_iou', 'none') (cvpods iou_loss above, float64)
        Case(IouLossKind.LinearIou, false, false, Reduction.None,
            [0.6923076923076923, 0.6666666666666667, 0.7021276595744681, 1.0],
            [-0.07100591715976332, -0.09467455621301776, 0.07100591715976332, -0.10650887573964499,
                -0.08333333333333331, 0.1111111111111111, 0.08333333333333331, -0.1111111111111111, 0.2851969216840199,
                0.021276595744680847, -0.2851969216840199, 0.0063377093707559975, 0.0, 0.0, 0.0, 0.0],
            [0.14201183431952663, 0.15384615384615385, -0.14201183431952663, 0.04733727810650888, 0.05555555555555555,
                -0.2777777777777778, -0.05555555555555555, 0.2777777777777778, -0.09506564056133997,
                -0.01901312811226799, 0.09506564056133997, -0.008601177003168856, 0.0, 0.0, 0.0, 0.0]);
        // torch 1.13: iou_loss(i, t, None, 'xyxy', 'giou', 'none') (cvpods iou_loss above, float64)
        Case(IouLossKind.Giou, false, false, Reduction.None,
            [0.7637362637362637, 0.8666666666666667, 0.7805590321234877, 1.7777777777777777],
            [-0.08886306001690614, -0.07426639294771162, 0.08886306001690614, -0.2493660185967878, -0.2833333333333333,
                0.1644444444444444, 0.2833333333333333, -0.1644444444444444, 0.3244126079585297, 0.02127659574468085,
                -0.3244126079585297, 0.040939785495323476, 0.1111111111111111, 0.1111111111111111, -0.3333333333333333,
                -0.3333333333333333],
            [0.17772612003381233, 0.15384615384615385, -0.17772612003381233, 0.1697862576983456, 0.18888888888888888,
                -0.4111111111111111, -0.18888888888888888, 0.4111111111111111, -0.10813753598617659,
                -0.014399517962325664, 0.10813753598617659, -0.04781686327767866, 0.3333333333333333,
                0.3333333333333333, -0.1111111111111111, -0.1111111111111111]);
        // torch 1.13: iou_loss(i, t, W, 'xyxy', 'giou', 'none') (cvpods iou_loss above, float64)
        Case(IouLossKind.Giou, false, true, Reduction.None,
            [0.7637362637362637, 0.43333333333333335, 1.5611180642469753, 0.4444444444444444],
            [-0.08886306001690614, -0.07426639294771162, 0.08886306001690614, -0.2493660185967878, -0.14166666666666666,
                0.0822222222222222, 0.14166666666666666, -0.0822222222222222, 0.6488252159170594, 0.0425531914893617,
                -0.6488252159170594, 0.08187957099064695, 0.027777777777777776, 0.027777777777777776,
                -0.08333333333333333, -0.08333333333333333],
            [0.17772612003381233, 0.15384615384615385, -0.17772612003381233, 0.1697862576983456, 0.09444444444444444,
                -0.20555555555555555, -0.09444444444444444, 0.20555555555555555, -0.21627507197235318,
                -0.02879903592465133, 0.21627507197235318, -0.09563372655535732, 0.08333333333333333,
                0.08333333333333333, -0.027777777777777776, -0.027777777777777776]);
        // torch 1.13: iou_loss(i, t, None, 'ltrb', 'iou', 'none') (cvpods iou_loss above, float64)
        Case(IouLossKind.Iou, true, false, Reduction.None,
            [0.8472978603872037, 0.6151856390902334, 0.33226170408486944, 3.2188758248682006],
            [-0.3333333333333333, -0.2857142857142857, 0.14285714285714285, -0.2857142857142857, -0.24324324324324323,
                0.22297297297297294, 0.37297297297297294, -0.16216216216216214, 0.08438818565400844,
                0.04641350210970464, -0.08734177215189876, 0.04641350210970464, -3.0, -3.0, -3.0, -3.0],
            [0.21428571428571427, 0.19047619047619047, -0.26190476190476186, 0.19047619047619047, 0.3459459459459459,
                -0.16216216216216214, -0.27027027027027023, 0.22297297297297294, -0.10000000000000002,
                -0.054604120129064286, 0.07172995780590717, -0.054604120129064286, 0.6000000000000001,
                0.6000000000000001, 0.6000000000000001, 0.6000000000000001]);
        // torch 1.13: iou_loss(i, t, None, 'ltrb', 'iou', 'mean') (cvpods iou_loss above, float64)
        Case(IouLossKind.Iou, true, false, Reduction.Mean,
            [1.2534052571076266],
            [-0.08333333333333333, -0.07142857142857142, 0.03571428571428571, -0.07142857142857142,
                0.030405405405405404, -0.027871621621621618, -0.04662162162162162, 0.020270270270270268,
                0.04219409282700422, 0.02320675105485232, -0.04367088607594938, 0.02320675105485232, -0.25, -0.25,
                -0.25, -0.25],
            [0.05357142857142857, 0.047619047619047616, -0.06547619047619047, 0.047619047619047616,
                -0.04324324324324324, 0.020270270270270268, 0.03378378378378378, -0.027871621621621618,
                -0.05000000000000001, -0.027302060064532143, 0.035864978902953586, -0.027302060064532143, 0.05, 0.05,
                0.05, 0.05]);
        // torch 1.13: iou_loss(i, t, None, 'ltrb', 'linear_iou', 'none') (cvpods iou_loss above, float64)
        Case(IouLossKind.LinearIou, true, false, Reduction.None,
            [0.5714285714285714, 0.45945945945945943, 0.28270042194092826, 0.96],
            [-0.14285714285714285, -0.12244897959183672, 0.061224489795918366, -0.12244897959183672,
                -0.13148283418553688, 0.12052593133674216, 0.20160701241782328, -0.08765522279035792,
                0.06053160996279086, 0.033292385479534975, -0.06265021631148855, 0.033292385479534975, -0.12, -0.12,
                -0.12, -0.12],
            [0.09183673469387754, 0.08163265306122448, -0.11224489795918366, 0.08163265306122448, 0.18699780861943027,
                -0.08765522279035792, -0.1460920379839299, 0.12052593133674216, -0.07172995780590719,
                -0.03916751232886467, 0.051451868468372235, -0.03916751232886467, 0.024, 0.024, 0.024, 0.024]);
        // torch 1.13: iou_loss(i, t, None, 'ltrb', 'giou', 'none') (cvpods iou_loss above, float64)
        Case(IouLossKind.Giou, true, false, Reduction.None,
            [0.638095238095238, 0.4984204984204984, 0.2952004219409282, 0.96],
            [-0.14285714285714285, -0.16689342403628116, 0.11455782312925167, -0.16689342403628116,
                -0.17229916071614915, 0.14649995731076812, 0.22758103839184923, -0.10654542349874047,
                0.059489943296124184, 0.03683405214620164, -0.07515021631148854, 0.03683405214620164, -0.12, -0.12,
                -0.12, -0.12],
            [0.07850340136054418, 0.1112622826908541, -0.17891156462585034, 0.1112622826908541, 0.2389458605674822,
                -0.10654542349874047, -0.16093433854051614, 0.14649995731076812, -0.07172995780590717,
                -0.04333417899553134, 0.06291020180170555, -0.04333417899553134, 0.02400000000000002,
                0.02400000000000002, 0.02400000000000002, 0.02400000000000002]);
        // torch 1.13: iou_loss(i, t, W, 'ltrb', 'giou', 'mean') (cvpods iou_loss above, float64)
        Case(IouLossKind.Giou, true, true, Reduction.Mean,
            [0.4580550216499583],
            [-0.0380952380952381, -0.04450491307634165, 0.03054875283446712, -0.04450491307634165, 0.01148661071440994,
                -0.009766663820717874, -0.015172069226123281, 0.0071030282332493625, 0.06345593951586581,
                0.039289655622615084, -0.08016023073225445, 0.039289655622615084, -0.0026666666666666666,
                -0.0026666666666666666, -0.0026666666666666666, -0.0026666666666666666],
            [0.02093424036281179, 0.02966994205089443, -0.04770975056689342, 0.02966994205089443, -0.015929724037832146,
                0.0071030282332493625, 0.010728955902701075, -0.009766663820717874, -0.07651195499296765,
                -0.046223124261900096, 0.06710421525515262, -0.046223124261900096, 0.0005333333333333336,
                0.0005333333333333336, 0.0005333333333333336, 0.0005333333333333336]);
    }

    [Fact]
    public void Smooth_iou_matches_cvpods()
    {
        var (p, t) = (Tensor.FromDoubles(P, new Shape(4, 4), DType.F64), Tensor.FromDoubles(T, new Shape(4, 4), DType.F64));
        // torch 1.13: iou_loss(i, t, smooth=True) (cvpods iou_loss)
        Verify.Close([1.0296194171811581, 1.0216512475319814, 1.041453874828161, 1.0986122886681098],
            F.IouLoss(p, t, smooth: true).ToDoubleArray(), 1e-14, 1e-12);
        // torch 1.13: iou_loss(i, t, mode='ltrb', kind='giou', smooth=True) (cvpods iou_loss)
        Verify.Close([0.6121212121212121, 0.49229437229437234, 0.2905082987551867, 0.9230769230769231],
            F.IouLoss(p, t, IouLossKind.Giou, ltrb: true, smooth: true).ToDoubleArray(), 1e-14, 1e-12);
    }

    [Fact]
    public void Disjoint_and_degenerate_boxes_stay_finite()
    {
        // IoU 0 is clamped to ε before the log: −ln(2⁻²³).
        var p = Tensor.FromDoubles([0, 0, 1, 1, 0, 0, 0, 0], new Shape(2, 4), DType.F64);
        var t = Tensor.FromDoubles([5, 5, 6, 6, 0, 0, 0, 0], new Shape(2, 4), DType.F64);
        var l = F.IouLoss(p, t).ToDoubleArray();
        Verify.Close([23 * Math.Log(2), 23 * Math.Log(2)], l, 1e-12, 1e-12);
        Assert.All(F.IouLoss(p, t, IouLossKind.Giou).ToDoubleArray(), v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void Bad_inputs_name_the_argument()
    {
        var b = Tensor.Zeros(new Shape(3, 4), DType.F64);
        Assert.Contains("input", Assert.Throws<ShapeMismatchException>(
            () => F.IouLoss(Tensor.Zeros(new Shape(3, 3), DType.F64), b)).Message);
        Assert.Contains("target", Assert.Throws<ShapeMismatchException>(
            () => F.IouLoss(b, Tensor.Zeros(new Shape(2, 4), DType.F64))).Message);
        Assert.Contains("weight", Assert.Throws<ShapeMismatchException>(
            () => F.IouLoss(b, b, weight: Tensor.Ones(new Shape(3, 4), DType.F64))).Message);
        Assert.Contains("target", Assert.Throws<DTypeMismatchException>(() => F.IouLoss(b, b.To(DType.F32))).Message);
        Assert.Contains("kind", Assert.Throws<ArgumentOutOfRangeException>(
            () => F.IouLoss(b, b, (IouLossKind)7)).Message);
    }
}
