using Scratch.Tests.Ops.Elementwise;
using Scratch.Tests.Properties;
using Xunit;
using static Scratch.Tests.Ops.Loss.LossGolden;

namespace Scratch.Tests.Ops.Loss;

public class BinaryCrossEntropyTests
{
    private static readonly Reduction[] Reductions = [Reduction.None, Reduction.Mean, Reduction.Sum];

    /// <summary>A weight over the last dim (or a scalar for rank 0).</summary>
    private static Tensor LastDim(Shape shape, ulong seed, DType dtype, double lo, double hi) =>
        Values.Uniform(shape.Rank == 0 ? new Shape() : new Shape(shape[-1]), seed, dtype, lo, hi);

    /// <summary>Loss variants over (probabilities or logits, target, weight, posWeight).</summary>
    private static readonly (string Name, bool Logits, Func<Tensor[], Reduction, Tensor> F)[] Losses =
    [
        ("BinaryCrossEntropy", false, (x, r) => F.BinaryCrossEntropy(x[0], x[1], reduction: r)),
        ("BinaryCrossEntropy weighted", false, (x, r) => F.BinaryCrossEntropy(x[0], x[1], x[2], r)),
        ("BinaryCrossEntropyWithLogits", true, (x, r) => F.BinaryCrossEntropyWithLogits(x[0], x[1], reduction: r)),
        ("BinaryCrossEntropyWithLogits weighted", true, (x, r) => F.BinaryCrossEntropyWithLogits(x[0], x[1], x[2], x[3], r)),
    ];

    private static Tensor[] Inputs(Shape shape, ulong seed, bool logits, DType dtype = DType.F64) =>
    [
        logits ? Values.Uniform(shape, seed, dtype, -4, 4) : Values.Uniform(shape, seed, dtype, 0.05, 0.95),
        Values.Uniform(shape, seed + 1, dtype, 0, 1),
        LastDim(shape, seed + 2, dtype, 0.2, 2),
        LastDim(shape, seed + 3, dtype, 0.2, 3),
    ];

    [FsCheck.Xunit.Property(Arbitrary = [typeof(ElementwiseArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Gradients_match_finite_differences(SmallCase c)
    {
        foreach (var (name, logits, f) in Losses)
            foreach (var r in Reductions)
                Elementwise.Elementwise.Named($"{name} {r}", () =>
                {
                    var x = Inputs(c.Shape, c.Seed, logits);
                    Verify.Gradients(t => f([t[0], t[1], x[2], x[3]], r), x[0], x[1]);
                });
    }

    [TensorProperty]
    public void Cpu_matches_reference(ShapeCase c)
    {
        foreach (var (name, logits, f) in Losses)
            foreach (var r in Reductions)
                Elementwise.Elementwise.Named($"{name} {r}", () =>
                {
                    Verify.SameOnBackends(x => f(x, r), Inputs(c.Shape, c.Seed, logits), 1e-12, 1e-12);
                    Verify.SameOnBackends(x => f(x, r), Inputs(c.Shape, c.Seed, logits, DType.F32), 1e-5, 1e-5);
                });
    }

    [TensorProperty]
    public void With_logits_equals_bce_of_sigmoid_and_pos_weight_one_is_no_pos_weight(ShapeCase c)
    {
        var x = Inputs(c.Shape, c.Seed, logits: true);
        var p = F.Sigmoid(x[0] * 0.5);
        Verify.Close(F.BinaryCrossEntropy(p, x[1], x[2], Reduction.None),
            F.BinaryCrossEntropyWithLogits(x[0] * 0.5, x[1], x[2], reduction: Reduction.None), 1e-12, 1e-10);
        Verify.Close(F.BinaryCrossEntropyWithLogits(x[0], x[1], reduction: Reduction.None),
            F.BinaryCrossEntropyWithLogits(x[0], x[1], posWeight: Tensor.Ones(x[3].Shape, DType.F64), reduction: Reduction.None), 1e-15, 1e-14);
    }

    [Fact]
    public void Known_values_match_torch()
    {
        // torch 1.13: F.binary_cross_entropy(inp, tgt, weight=w, reduction='none'), backward as described above
        Check((a, b, r) => F.BinaryCrossEntropy(a, b, W(a), r), Reduction.None,
            [0.10536051565782628, 0.7133498878774649, 0.7617563919853851, 0.916290731874155, 0.0201006717070029, 0.34657359027997264],
            [1.111111111111111, 2.857142857142857, 9.473684210526306, -1.25, 6.06060606060606, 0.4],
            [2.197224577336219, 1.694595720774407, -2.9444389791664394, 0.20273255405408214, 27.570719100807537, 0.0]);
        // torch 1.13: F.binary_cross_entropy(inp, tgt, weight=w, reduction='mean'), backward as described above
        Check((a, b, r) => F.BinaryCrossEntropy(a, b, W(a), r), Reduction.Mean,
            [0.4772386315636345],
            [0.18518518518518515, -0.4761904761904762, 0.7894736842105256, -0.4166666666666667, 0.33670033670033667, 0.06666666666666667],
            [0.36620409622270317, -0.28243262012906784, -0.24536991493053661, 0.06757751801802737, 1.5317066167115299, 0.0]);
        // torch 1.13: F.binary_cross_entropy(inp, tgt, weight=w, reduction='sum'), backward as described above
        Check((a, b, r) => F.BinaryCrossEntropy(a, b, W(a), r), Reduction.Sum,
            [2.863431789381807],
            [1.111111111111111, -2.857142857142857, 4.736842105263153, -2.5, 2.02020202020202, 0.4],
            [2.197224577336219, -1.694595720774407, -1.4722194895832197, 0.4054651081081643, 9.19023970026918, 0.0]);
        // torch 1.13: F.binary_cross_entropy_with_logits(inp * 10 - 5, tgt, weight=w, pos_weight=torch.tensor([2.0, 0.5, 1.0]), reduction='none'), backward as described above
        Check((a, b, r) => F.BinaryCrossEntropyWithLogits(a * 10 - 5, b, W(a), P(a), r), Reduction.None,
            [0.01814992791780945, 0.1269280110429726, 1.130523872424297, 2.6265233750364456, 0.014837988297372817, 0.34657359027997264],
            [0.1798620996209156, 1.1920292202211769, 4.890130573694068, -7.310585786300049, 0.4434924806569182, 1.0],
            [8.01814992791781, 4.126928011042973, -4.5, 1.1566308437591113, 14.67774301755394, 0.0]);
        // torch 1.13: F.binary_cross_entropy_with_logits(inp * 10 - 5, tgt, weight=w, pos_weight=torch.tensor([2.0, 0.5, 1.0]), reduction='mean'), backward as described above
        Check((a, b, r) => F.BinaryCrossEntropyWithLogits(a * 10 - 5, b, W(a), P(a), r), Reduction.Mean,
            [0.710589460833145],
            [0.029977016603485934, -0.1986715367035295, 0.40751088114117234, -2.436861928766683, 0.02463847114760657, 0.16666666666666666],
            [1.3363583213196348, -0.6878213351738288, -0.375, 0.38554361458637043, 0.8154301676418855, 0.0]);
        // torch 1.13: F.binary_cross_entropy_with_logits(inp * 10 - 5, tgt, weight=w, pos_weight=torch.tensor([2.0, 0.5, 1.0]), reduction='sum'), backward as described above
        Check((a, b, r) => F.BinaryCrossEntropyWithLogits(a * 10 - 5, b, W(a), P(a), r), Reduction.Sum,
            [4.26353676499887],
            [0.1798620996209156, -1.1920292202211769, 2.445065286847034, -14.621171572600097, 0.14783082688563942, 1.0],
            [8.01814992791781, -4.126928011042973, -2.25, 2.3132616875182226, 4.892581005851313, 0.0]);
        // torch 1.13: F.binary_cross_entropy_with_logits(inp * 10 - 5, tgt, reduction='none'), backward as described above
        Check((a, b, r) => F.BinaryCrossEntropyWithLogits(a * 10 - 5, b, reduction: r), Reduction.None,
            [0.01814992791780978, 0.1269280110429726, 2.261047744848594, 1.3132616875182228, 0.007418994148686643, 0.6931471805599453],
            [0.1798620996209156, 1.1920292202211769, 9.780261147388137, -3.6552928931500244, 0.2217462403284591, 2.0],
            [4.0, 2.0, -9.0, 0.5, 14.700000000000001, -0.0]);
        // torch 1.13: F.binary_cross_entropy_with_logits(inp * 10 - 5, tgt, reduction='mean'), backward as described above
        Check((a, b, r) => F.BinaryCrossEntropyWithLogits(a * 10 - 5, b, reduction: r), Reduction.Mean,
            [0.7366589243393719],
            [0.029977016603485934, -0.1986715367035295, 0.8150217622823447, -1.2184309643833415, 0.012319235573803286, 0.3333333333333333],
            [0.6666666666666666, -0.3333333333333333, -0.75, 0.16666666666666666, 0.8166666666666668, -0.0]);
        // torch 1.13: F.binary_cross_entropy_with_logits(inp * 10 - 5, tgt, reduction='sum'), backward as described above
        Check((a, b, r) => F.BinaryCrossEntropyWithLogits(a * 10 - 5, b, reduction: r), Reduction.Sum,
            [4.419953546036231],
            [0.1798620996209156, -1.1920292202211769, 4.890130573694068, -7.310585786300049, 0.07391541344281971, 2.0],
            [4.0, -2.0, -4.5, 1.0, 4.9, -0.0]);
    }

    [Fact]
    public void Saturated_inputs_stay_finite_like_torch()
    {
        // torch 1.13: F.binary_cross_entropy(torch.tensor([0., 1., 0., 1.]), torch.tensor([1., 0., 0., 1.]), reduction='none')
        var bce = F.BinaryCrossEntropy(Tensor.From(new double[] { 0, 1, 0, 1 }), Tensor.From(new double[] { 1, 0, 0, 1 }), reduction: Reduction.None);
        Verify.Close([100.0, 100.0, 0.0, 0.0], bce.ToDoubleArray(), 0, 0);
        // torch 1.13: z = [0., 100., -100.] (requires grad); F.binary_cross_entropy_with_logits(z, [1., 0., 1.], reduction='none'); sum().backward()
        var z = Tensor.From(new double[] { 0, 100, -100 }).RequiresGrad_();
        var l = F.BinaryCrossEntropyWithLogits(z, Tensor.From(new double[] { 1, 0, 1 }), reduction: Reduction.None);
        l.Sum().Backward();
        Verify.Close([0.6931471805599453, 100.0, 100.0], l.ToDoubleArray(), 1e-15, 1e-15);
        Verify.Close([-0.5, 1.0, -1.0], z.Grad!.ToDoubleArray(), 1e-15, 1e-15);
    }

    [Fact]
    public void Bad_inputs_name_the_argument()
    {
        var a = Tensor.Full(new Shape(2, 3), 0.5);
        Assert.Contains("input", Assert.Throws<ArgumentOutOfRangeException>(() => F.BinaryCrossEntropy(a * 3, a)).Message);
        Assert.Contains("input", Assert.Throws<ArgumentOutOfRangeException>(() => F.BinaryCrossEntropy(a * double.NaN, a)).Message);
        Assert.Contains("target", Assert.Throws<ShapeMismatchException>(() => F.BinaryCrossEntropy(a, Tensor.Zeros(new Shape(3)))).Message);
        Assert.Contains("weight", Assert.Throws<ShapeMismatchException>(() => F.BinaryCrossEntropy(a, a, Tensor.Ones(new Shape(2)))).Message);
        Assert.Contains("weight", Assert.Throws<DTypeMismatchException>(() => F.BinaryCrossEntropy(a, a, Tensor.Ones(new Shape(3), DType.F64))).Message);
        Assert.Contains("target", Assert.Throws<ShapeMismatchException>(() => F.BinaryCrossEntropyWithLogits(a, Tensor.Zeros(new Shape(2, 1)))).Message);
        Assert.Contains("posWeight", Assert.Throws<ShapeMismatchException>(() => F.BinaryCrossEntropyWithLogits(a, a, posWeight: Tensor.Ones(new Shape(4)))).Message);
        Assert.Contains("posWeight", Assert.Throws<ShapeMismatchException>(() => F.BinaryCrossEntropyWithLogits(a, a, posWeight: Tensor.Ones(new Shape(2, 2, 3)))).Message);
        Assert.Contains("input", Assert.Throws<DTypeMismatchException>(() => F.BinaryCrossEntropyWithLogits(Tensor.Arange(3), Tensor.Arange(3))).Message);
    }
}
