using Scratch.Models.BorderDet;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Models.BorderDet;

public class BorderLossTests
{
    [Fact]
    public void Hand_case_ignores_negative_labels_and_normalises_by_the_foreground_count()
    {
        var logits = Tensor.From(new double[] { 1.0, -0.5, 0.3, 2.0, -1.0, 0.7 }, new Shape(3, 2)).RequiresGrad_();
        var deltas = Tensor.From(new double[] { 0.5, -1, 2, 0.25, 1, 1, 1, 1, 3, 3, 3, 3 }, new Shape(3, 4)).RequiresGrad_();
        var labels = Tensor.From(new long[] { 0, 2, -1 });   // fg class 0, background, ignored
        var targets = Tensor.From(new double[] { 0, 0, 1, 1, 9, 9, 9, 9, 9, 9, 9, 9 }, new Shape(3, 4));
        var (cls, reg) = BorderLoss.Compute(logits, deltas, labels, targets);
        // torch 1.13: torchvision.ops.sigmoid_focal_loss(x[:2], [[1,0],[0,0]], 0.25, 2, 'sum') / 1
        Assert.Equal(1.5053460690089238, cls.Item(), 12);
        // torch 1.13: (d[0] - td[0]).abs().sum() / 1
        Assert.Equal(3.25, reg.Item(), 12);
        (cls + reg).Backward();
        Assert.Equal(new double[2], logits.Grad!.Narrow(0, 2, 1).ToArray<double>());   // ignored row
        Assert.Equal(new double[8], deltas.Grad!.Narrow(0, 1, 2).ToArray<double>());   // only fg rows regress
    }

    [Fact]
    public void Without_foreground_the_regression_loss_is_zero_and_the_normaliser_is_one()
    {
        var logits = Tensor.From(new double[] { 0.0, 1.0 }, new Shape(1, 2)).RequiresGrad_();
        var deltas = Tensor.Ones(new Shape(1, 4), DType.F64).RequiresGrad_();
        var (cls, reg) = BorderLoss.Compute(logits, deltas, Tensor.From(new long[] { 2 }), Tensor.Zeros(new Shape(1, 4), DType.F64));
        Assert.Equal(0.0, reg.Item());
        var expected = F.SigmoidFocalLoss(logits.Detach(), Tensor.Zeros(new Shape(1, 2), DType.F64), reduction: Reduction.Sum).Item();
        Assert.Equal(expected, cls.Item(), 12);
        (cls + reg).Backward();
        Assert.Equal(new double[4], deltas.Grad!.ToArray<double>());
    }

    [Fact]
    public void Bad_inputs_name_the_argument()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => BorderLoss.Compute(Tensor.Zeros(new Shape(2, 3)),
            Tensor.Zeros(new Shape(2, 4)), Tensor.Zeros(new Shape(3), DType.I64), Tensor.Zeros(new Shape(2, 4))));
        Assert.Contains("labels", e.Message);
    }
}
