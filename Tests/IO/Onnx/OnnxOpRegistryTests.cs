using Scratch.IO.Onnx;
using Xunit;
using static Scratch.Tests.IO.Onnx.OnnxTestModels;

namespace Scratch.Tests.IO.Onnx;

public class OnnxOpRegistryTests
{
    /// <summary>The operators CNNs and detectors use, which the importer must claim.</summary>
    [Theory]
    [InlineData("Conv", "ConvTranspose", "BatchNormalization", "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Elu", "Softplus", "HardSigmoid")]
    [InlineData("MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div")]
    [InlineData("Pow", "Sqrt", "Exp", "Log", "Abs", "Neg", "Min", "Max", "Sum", "Mean")]
    [InlineData("Concat", "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze", "Slice", "Split", "Pad", "Gather")]
    [InlineData("Resize", "Upsample", "Softmax", "LogSoftmax", "Clip", "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "Shape")]
    [InlineData("Constant", "ConstantOfShape", "Cast", "Identity", "Expand", "Where", "Equal", "Less", "Greater", "ArgMax")]
    [InlineData("TopK", "RoiAlign", "NonMaxSuppression", "HardSwish", "Selu", "PRelu", "ReduceProd", "ArgMin", "Erf", "Reciprocal")]
    public void Cnn_and_detector_operators_are_claimed(params string[] ops)
    {
        foreach (var op in ops) Assert.True(OnnxOps.Find(op) is not null, $"{op} is not registered");
    }

    [Fact]
    public void A_3d_convolution_is_reported_as_unsupported_when_it_runs()
    {
        var w = new ProtoWriter();
        foreach (var dim in new long[] { 1, 1, 1, 1, 1 }) w.WriteInt64Field(1, dim);
        w.WriteVarintField(2, (ulong)OnnxDataType.Float).WriteStringField(8, "w").WriteBytesField(9, BitConverter.GetBytes(1f));
        var bytes = Model([Node("Conv", ["x", "w"], ["y"])], [ValueInfo("x", OnnxDataType.Float, 1, 1, 2, 2, 2)],
            [ValueInfo("y", OnnxDataType.Float)], [w.ToArray()]);
        var model = OnnxModel.Load(bytes);
        var e = Assert.Throws<OnnxUnsupportedException>(() =>
            model.Run(new Dictionary<string, Tensor> { ["x"] = Tensor.Ones(new Shape(1, 1, 2, 2, 2)) }));
        Assert.Contains("Conv", e.Message);
        Assert.Contains("3-D", e.Message);
    }

    [Fact]
    public void Asymmetric_conv_padding_matches_torch()
    {
        // torch 1.13: F.conv2d(F.pad(torch.arange(16.).reshape(1,1,4,4), (0,1,1,0)), torch.ones(1,1,2,2), stride=2)
        //   -> tensor([[[[ 1.,  5.], [26., 34.]]]])
        var weight = FloatTensor("w", [1, 1, 2, 2], [1, 1, 1, 1]);
        var bytes = Model(
            [Node("Conv", ["x", "w"], ["y"], "conv", IntsAttr("pads", 1, 0, 0, 1), IntsAttr("strides", 2, 2))],
            [ValueInfo("x", OnnxDataType.Float, 1, 1, 4, 4)], [ValueInfo("y", OnnxDataType.Float)], [weight]);
        var x = Tensor.From(Enumerable.Range(0, 16).Select(v => (float)v).ToArray(), new Shape(1, 1, 4, 4));
        var y = OnnxModel.Load(bytes).Run(new Dictionary<string, Tensor> { ["x"] = x })["y"];
        Assert.Equal(new Shape(1, 1, 2, 2), y.Shape);
        Assert.Equal([1f, 5f, 26f, 34f], y.ToArray<float>());
    }
}
