using Scratch.Tests.Ops.Elementwise;
using Scratch.Tests.Properties;
using Xunit;
using static Scratch.Tests.Ops.Loss.LossGolden;

namespace Scratch.Tests.Ops.Loss;

public class RegressionLossTests
{
    private static readonly (string Name, Func<Tensor, Tensor, Reduction, Tensor> F)[] Losses =
    [
        ("MseLoss", (a, b, r) => F.MseLoss(a, b, r)),
        ("L1Loss", (a, b, r) => F.L1Loss(a, b, r)),
        ("SmoothL1Loss", (a, b, r) => F.SmoothL1Loss(a, b, r)),
        ("SmoothL1Loss beta 0.3", (a, b, r) => F.SmoothL1Loss(a, b, r, 0.3)),
        ("SmoothL1Loss beta 0", (a, b, r) => F.SmoothL1Loss(a, b, r, 0)),
    ];

    private static readonly Reduction[] Reductions = [Reduction.None, Reduction.Mean, Reduction.Sum];

    [FsCheck.Xunit.Property(Arbitrary = [typeof(ElementwiseArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Gradients_match_finite_differences(SmallCase c)
    {
        foreach (var (name, f) in Losses)
            foreach (var r in Reductions)
                Elementwise.Elementwise.Named($"{name} {r}", () => Verify.Gradients(x => f(x[0], x[1], r),
                    Values.Uniform(c.Shape, c.Seed, DType.F64, -2, 2), Values.Uniform(c.Shape, c.Seed + 1, DType.F64, -2, 2)));
    }

    [TensorProperty]
    public void Cpu_matches_reference(ShapeCase c)
    {
        foreach (var (name, f) in Losses)
            foreach (var r in Reductions)
                Elementwise.Elementwise.Named($"{name} {r}", () =>
                {
                    Verify.SameOnBackends(x => f(x[0], x[1], r), [c.Make(), c.Make(lo: -1, hi: 3)], 1e-12, 1e-12);
                    Verify.SameOnBackends(x => f(x[0], x[1], r), [c.Make(DType.F32), c.Make(DType.F32, -1, 3)], 1e-5, 1e-5);
                });
    }

    [TensorProperty]
    public void Reductions_are_the_sum_and_mean_of_the_elementwise_loss(ShapeCase c)
    {
        var (a, b) = (c.Make(), c.Make(lo: -1, hi: 3));
        foreach (var (name, f) in Losses)
        {
            var none = f(a, b, Reduction.None);
            Assert.Equal(a.Shape, none.Shape);
            Verify.Close(none.Sum(), f(a, b, Reduction.Sum), 1e-12, 1e-12, name);
            if (a.Numel > 0) Verify.Close(none.Mean(), f(a, b, Reduction.Mean), 1e-12, 1e-12, name);
            Assert.True(none.ToDoubleArray().All(v => v >= 0), name);
        }
        Verify.Close(F.L1Loss(a, b, Reduction.None), F.SmoothL1Loss(a, b, Reduction.None, 0), 0, 0);
    }

    [Fact]
    public void Known_values_match_torch()
    {
        // torch 1.13: F.mse_loss(inp, tgt, reduction='none'), backward as described above
        Check((a, b, r) => F.MseLoss(a, b, r), Reduction.None,
            [0.010000000000000002, 0.09000000000000002, 0.20249999999999996, 0.36, 0.0001, 0.04000000000000001],
            [0.2, 0.6000000000000001, 1.7999999999999998, -0.6, 0.06, 0.4],
            [-0.2, -0.6000000000000001, -1.7999999999999998, 0.6, -0.06, -0.4]);
        // torch 1.13: F.mse_loss(inp, tgt, reduction='mean'), backward as described above
        Check((a, b, r) => F.MseLoss(a, b, r), Reduction.Mean,
            [0.1171],
            [0.03333333333333333, -0.1, 0.14999999999999997, -0.19999999999999998, 0.003333333333333333, 0.06666666666666667],
            [-0.03333333333333333, 0.1, -0.14999999999999997, 0.19999999999999998, -0.003333333333333333, -0.06666666666666667]);
        // torch 1.13: F.mse_loss(inp, tgt, reduction='sum'), backward as described above
        Check((a, b, r) => F.MseLoss(a, b, r), Reduction.Sum,
            [0.7026],
            [0.2, -0.6000000000000001, 0.8999999999999999, -1.2, 0.02, 0.4],
            [-0.2, 0.6000000000000001, -0.8999999999999999, 1.2, -0.02, -0.4]);
        // torch 1.13: F.l1_loss(inp, tgt, reduction='none'), backward as described above
        Check((a, b, r) => F.L1Loss(a, b, r), Reduction.None,
            [0.1, 0.30000000000000004, 0.44999999999999996, 0.6, 0.01, 0.2],
            [1.0, 1.0, 2.0, -0.5, 3.0, 1.0],
            [-1.0, -1.0, -2.0, 0.5, -3.0, -1.0]);
        // torch 1.13: F.l1_loss(inp, tgt, reduction='mean'), backward as described above
        Check((a, b, r) => F.L1Loss(a, b, r), Reduction.Mean,
            [0.27666666666666667],
            [0.16666666666666666, -0.16666666666666666, 0.16666666666666666, -0.16666666666666666, 0.16666666666666666, 0.16666666666666666],
            [-0.16666666666666666, 0.16666666666666666, -0.16666666666666666, 0.16666666666666666, -0.16666666666666666, -0.16666666666666666]);
        // torch 1.13: F.l1_loss(inp, tgt, reduction='sum'), backward as described above
        Check((a, b, r) => F.L1Loss(a, b, r), Reduction.Sum,
            [1.6600000000000001],
            [1.0, -1.0, 1.0, -1.0, 1.0, 1.0],
            [-1.0, 1.0, -1.0, 1.0, -1.0, -1.0]);
        // torch 1.13: F.smooth_l1_loss(inp * 4, tgt, reduction='none', beta=1.0), backward as described above
        Check((a, b, r) => F.SmoothL1Loss(a * 4, b, r), Reduction.None,
            [0.08000000000000002, 1.2999999999999998, 2.8, 0.18000000000000005, 0.0008, 1.2],
            [1.6, -4.0, 8.0, 1.2000000000000002, 0.48, 4.0],
            [-0.4, 1.0, -2.0, -0.30000000000000004, -0.12, -1.0]);
        // torch 1.13: F.smooth_l1_loss(inp * 4, tgt, reduction='mean', beta=1.0), backward as described above
        Check((a, b, r) => F.SmoothL1Loss(a * 4, b, r), Reduction.Mean,
            [0.9268],
            [0.26666666666666666, 0.6666666666666666, 0.6666666666666666, 0.4, 0.026666666666666665, 0.6666666666666666],
            [-0.06666666666666667, -0.16666666666666666, -0.16666666666666666, -0.1, -0.006666666666666666, -0.16666666666666666]);
        // torch 1.13: F.smooth_l1_loss(inp * 4, tgt, reduction='sum', beta=1.0), backward as described above
        Check((a, b, r) => F.SmoothL1Loss(a * 4, b, r), Reduction.Sum,
            [5.5607999999999995],
            [1.6, 4.0, 4.0, 2.4000000000000004, 0.16, 4.0],
            [-0.4, -1.0, -1.0, -0.6000000000000001, -0.04, -1.0]);
        // torch 1.13: F.smooth_l1_loss(inp * 4, tgt, reduction='none', beta=0.5), backward as described above
        Check((a, b, r) => F.SmoothL1Loss(a * 4, b, r, beta: 0.5), Reduction.None,
            [0.16000000000000003, 1.5499999999999998, 3.05, 0.3500000000000001, 0.0016, 1.45],
            [3.2, -4.0, 8.0, 2.0, 0.96, 4.0],
            [-0.8, 1.0, -2.0, -0.5, -0.24, -1.0]);
        // torch 1.13: F.smooth_l1_loss(inp * 4, tgt, reduction='mean', beta=0.5), backward as described above
        Check((a, b, r) => F.SmoothL1Loss(a * 4, b, r, beta: 0.5), Reduction.Mean,
            [1.0936000000000001],
            [0.5333333333333333, 0.6666666666666666, 0.6666666666666666, 0.6666666666666666, 0.05333333333333333, 0.6666666666666666],
            [-0.13333333333333333, -0.16666666666666666, -0.16666666666666666, -0.16666666666666666, -0.013333333333333332, -0.16666666666666666]);
        // torch 1.13: F.smooth_l1_loss(inp * 4, tgt, reduction='sum', beta=0.5), backward as described above
        Check((a, b, r) => F.SmoothL1Loss(a * 4, b, r, beta: 0.5), Reduction.Sum,
            [6.5616],
            [3.2, 4.0, 4.0, 4.0, 0.32, 4.0],
            [-0.8, -1.0, -1.0, -1.0, -0.08, -1.0]);
    }

    [Fact]
    public void Mean_of_an_empty_input_is_nan()
    {
        var e = Tensor.Zeros(new Shape(0), DType.F64);
        Assert.True(double.IsNaN(F.MseLoss(e, e).Item()));
        Assert.Equal(0.0, F.L1Loss(e, e, Reduction.Sum).Item());
    }

    [Fact]
    public void Bad_inputs_name_the_argument()
    {
        var a = Tensor.Zeros(new Shape(2, 3));
        foreach (var (name, f) in Losses)
        {
            var shape = Assert.Throws<ShapeMismatchException>(() => f(a, Tensor.Zeros(new Shape(3)), Reduction.Mean));
            Assert.Contains("target", shape.Message);
            Assert.Contains(name.Split(' ')[0], shape.Message);
            Assert.Contains("target", Assert.Throws<DTypeMismatchException>(() => f(a, a.To(DType.F64), Reduction.Mean)).Message);
            Assert.Contains("input", Assert.Throws<DTypeMismatchException>(() => f(Tensor.Arange(3), Tensor.Arange(3), Reduction.Mean)).Message);
            Assert.Contains("reduction", Assert.Throws<ArgumentOutOfRangeException>(() => f(a, a, (Reduction)7)).Message);
        }
        Assert.Contains("beta", Assert.Throws<ArgumentOutOfRangeException>(() => F.SmoothL1Loss(a, a, beta: -1)).Message);
    }
}
