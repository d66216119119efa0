using Scratch.NN;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.NN;

public class LossModuleTests
{
    [TensorProperty]
    public void Modules_compute_their_functional_loss(ShapeCase c)
    {
        var x = c.Make(lo: 0.05, hi: 0.95);
        var y = Values.Uniform(c.Shape, c.Seed + 1, DType.F64, 0, 1);
        var w = Values.Uniform(c.Shape, c.Seed + 2, DType.F64, 0.5, 2);
        foreach (var r in new[] { Reduction.None, Reduction.Mean, Reduction.Sum })
        {
            Verify.Close(F.MseLoss(x, y, r), new MSELoss(r).Forward(x, y), 1e-15, 1e-14);
            Verify.Close(F.L1Loss(x, y, r), new L1Loss(r).Forward((x, y)), 1e-15, 1e-14);
            Verify.Close(F.SmoothL1Loss(x, y, r, 0.25), new SmoothL1Loss(r, 0.25).Forward(x, y), 1e-15, 1e-14);
            Verify.Close(F.BinaryCrossEntropy(x, y, w, r), new BCELoss(w, r).Forward(x, y), 1e-15, 1e-14);
            Verify.Close(F.BinaryCrossEntropyWithLogits(x, y, w, w, r), new BCEWithLogitsLoss(w, w, r).Forward(x, y), 1e-15, 1e-14);
        }
    }

    [Fact]
    public void Defaults_match_torch()
    {
        var x = Tensor.From(new double[] { 0.1, 0.7, 0.95, 0.4, 0.01, 0.5 }, new Shape(2, 3));
        var y = Tensor.From(new double[] { 0.0, 1.0, 0.5, 1.0, 0.0, 0.3 }, new Shape(2, 3));
        // torch 1.13: nn.MSELoss()(inp, tgt), nn.L1Loss()(inp, tgt), nn.SmoothL1Loss()(inp * 4, tgt) with inp, tgt as in LossGolden
        Verify.Close([0.1171], new MSELoss().Forward(x, y).ToDoubleArray(), 1e-15, 1e-12);
        Verify.Close([0.27666666666666667], new L1Loss().Forward(x, y).ToDoubleArray(), 1e-15, 1e-12);
        Verify.Close([0.9268], new SmoothL1Loss().Forward(x * 4, y).ToDoubleArray(), 1e-15, 1e-12);
        // torch 1.13: nn.BCELoss(weight=torch.tensor([1.0, 2.0, 0.5]))(inp, tgt)
        Verify.Close([0.4772386315636345], new BCELoss(Tensor.From(new double[] { 1, 2, 0.5 })).Forward(x, y).ToDoubleArray(), 1e-15, 1e-12);
        // torch 1.13: nn.BCEWithLogitsLoss()(inp * 10 - 5, tgt)
        Verify.Close([0.7366589243393719], new BCEWithLogitsLoss().Forward(x * 10 - 5, y).ToDoubleArray(), 1e-15, 1e-12);
    }

    [Fact]
    public void Weights_are_buffers_with_torch_names_and_follow_dtype_moves()
    {
        var bce = new BCEWithLogitsLoss(Tensor.Ones(new Shape(3)), Tensor.Full(new Shape(3), 2));
        Assert.Equal(["weight", "pos_weight"], bce.NamedBuffers().Select(b => b.Name));
        Assert.Empty(new BCEWithLogitsLoss().NamedBuffers());
        Assert.Equal(["weight"], new BCELoss(Tensor.Ones(new Shape(3))).NamedBuffers().Select(b => b.Name));
        bce.To(DType.F64);
        var l = bce.Forward(Tensor.Zeros(new Shape(2, 3), DType.F64), Tensor.Ones(new Shape(2, 3), DType.F64));
        Assert.Equal(DType.F64, l.DType);
        Assert.Equal(2 * Math.Log(2), l.Item(), 12);
    }

    [Fact]
    public void Bad_arguments_name_the_argument()
    {
        Assert.Contains("beta", Assert.Throws<ArgumentOutOfRangeException>(() => new SmoothL1Loss(beta: -0.5)).Message);
        Assert.Contains("target", Assert.Throws<ShapeMismatchException>(() => new MSELoss().Forward(Tensor.Zeros(new Shape(2)), Tensor.Zeros(new Shape(3)))).Message);
    }
}
