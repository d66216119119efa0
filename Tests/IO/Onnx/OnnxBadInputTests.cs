using Scratch.IO.Onnx;
using Xunit;
using static Scratch.Tests.IO.Onnx.OnnxTestModels;

namespace Scratch.Tests.IO.Onnx;

public class OnnxBadInputTests
{
    private static readonly byte[][] XIn = [ValueInfo("x", OnnxDataType.Float, 1, 4)];
    private static readonly byte[][] YOut = [ValueInfo("y", OnnxDataType.Float, 1, 4)];

    [Fact]
    public void A_valid_model_loads_and_runs()
    {
        var model = OnnxModel.Load(ReluAddModel());
        Assert.Equal(13, model.Opset);
        Assert.Equal(["x"], model.Inputs.Select(i => i.Name));
        var y = model.Run(new Dictionary<string, Tensor> { ["x"] = Tensor.From(new float[] { -1, 0.5f, -2, 3 }, new Shape(1, 4)) })["y"];
        Assert.Equal([1f, 2.5f, 3f, 7f], y.ToArray<float>());
    }

    [Fact]
    public void Every_truncation_of_a_model_throws_a_format_exception()
    {
        var bytes = ReluAddModel();
        for (var n = 0; n < bytes.Length; n++)
        {
            var prefix = bytes[..n];
            var e = Record.Exception(() => OnnxModel.Load(prefix));
            Assert.True(e is OnnxFormatException, $"prefix of {n} bytes: {e?.GetType().Name ?? "loaded"} {e?.Message}");
        }
    }

    [Fact]
    public void Corrupt_wire_types_and_lengths_throw()
    {
        var bytes = ReluAddModel();
        var badLength = (byte[])bytes.Clone();
        var at = Array.IndexOf(badLength, (byte)0x3A); // ModelProto.graph key (field 7, wire type 2)
        badLength[at + 1] = 0xFF;
        badLength[at + 2] = 0x7F;
        Assert.IsType<OnnxFormatException>(Record.Exception(() => OnnxModel.Load(badLength)));

        var badWire = (byte[])bytes.Clone();
        badWire[at] = 0x38; // field 7 as a varint
        var e = Assert.Throws<OnnxFormatException>(() => OnnxModel.Load(badWire));
        Assert.Contains("ModelProto.graph", e.Message);
        Assert.Throws<OnnxFormatException>(() => OnnxModel.Load(new byte[] { 0x08 }));
        Assert.Contains("graph", Assert.Throws<OnnxFormatException>(() => OnnxModel.Load(new byte[] { 0x08, 0x07 })).Message);
    }

    [Fact]
    public void A_cycle_is_reported_with_its_nodes()
    {
        var bytes = Model(
            [Node("Relu", ["x", "b"], ["a"], "first"), Node("Relu", ["a"], ["b"], "second"), Node("Relu", ["a"], ["y"], "out")],
            XIn, YOut);
        var e = Assert.Throws<OnnxFormatException>(() => OnnxModel.Load(bytes));
        Assert.Contains("acyclic", e.Message);
        Assert.Contains("'first'", e.Message);
        Assert.Contains("'second'", e.Message);
    }

    [Fact]
    public void A_missing_initializer_or_input_is_named()
    {
        var bytes = Model([Node("Add", ["x", "bias"], ["y"], "add")], XIn, YOut);
        var e = Assert.Throws<OnnxFormatException>(() => OnnxModel.Load(bytes));
        Assert.Contains("'bias'", e.Message);
        Assert.Contains("'add'", e.Message);

        var model = OnnxModel.Load(ReluAddModel());
        var run = Assert.Throws<ArgumentException>(() => model.Run(new Dictionary<string, Tensor>()));
        Assert.Contains("'x'", run.Message);
        var wrongShape = Assert.Throws<ArgumentException>(() => model.Run(new Dictionary<string, Tensor> { ["x"] = Tensor.Zeros(new Shape(2, 4)) }));
        Assert.Contains("[1, 4]", wrongShape.Message);
        var wrongType = Assert.Throws<ArgumentException>(() => model.Run(new Dictionary<string, Tensor> { ["x"] = Tensor.Zeros(new Shape(1, 4), DType.F64) }));
        Assert.Contains("float32", wrongType.Message);
    }

    [Fact]
    public void An_undeclared_graph_output_is_rejected()
    {
        var bytes = Model([Node("Relu", ["x"], ["r"])], XIn, YOut);
        Assert.Contains("'y'", Assert.Throws<OnnxFormatException>(() => OnnxModel.Load(bytes)).Message);
    }

    [Theory]
    [InlineData(new long[] { -1, 4 }, "≥ 0")]
    [InlineData(new long[] { 1L << 40, 1L << 40 }, "≤")]
    [InlineData(new long[] { 1 << 20, 1 << 20 }, "at most")]
    [InlineData(new long[] { 1000 }, "expected 4000 bytes")]
    public void Bad_initializer_dims_throw_before_allocating(long[] dims, string fragment)
    {
        var bytes = Model([Node("Add", ["x", "b"], ["y"])], XIn, YOut, [FloatTensor("b", dims, [1, 2, 3, 4])]);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<OnnxFormatException>(() => OnnxModel.Load(bytes));
        Assert.Contains(fragment, e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
    }

    [Fact]
    public void Unsupported_operators_are_all_listed_at_load_time()
    {
        var bytes = Model(
            [Node("FancyOp", ["x"], ["a"]), Node("Relu", ["a"], ["b"]), Node("OtherOp", ["b"], ["y"]), Node("FancyOp", ["x"], ["c"])],
            XIn, YOut);
        var e = Assert.Throws<OnnxUnsupportedException>(() => OnnxModel.Load(bytes));
        Assert.Equal(["FancyOp", "OtherOp"], e.Operators);
        Assert.Contains("FancyOp, OtherOp", e.Message);
    }

    [Fact]
    public void An_opset_outside_the_supported_range_is_unsupported()
    {
        var bytes = Model([Node("Relu", ["x"], ["y"])], XIn, YOut, opset: 99);
        Assert.Contains("opset 99", Assert.Throws<OnnxUnsupportedException>(() => OnnxModel.Load(bytes)).Message);
    }

    [Fact]
    public void A_runtime_shape_beyond_the_element_limit_throws_instead_of_allocating()
    {
        var shape = new ProtoWriter().WriteInt64Field(1, 2).WriteVarintField(2, (ulong)OnnxDataType.Int64).WriteStringField(8, "s")
            .WriteBytesField(9, [.. BitConverter.GetBytes(1L << 20), .. BitConverter.GetBytes(1L << 20)]).ToArray();
        var bytes = Model([Node("ConstantOfShape", ["s"], ["y"])], [], [ValueInfo("y", OnnxDataType.Float)], [shape]);
        var model = OnnxModel.Load(bytes);
        var e = Assert.Throws<OnnxFormatException>(() => model.Run(new Dictionary<string, Tensor>()));
        Assert.Contains("at most", e.Message);
    }
}
