using Scratch.IO.Onnx;

namespace Scratch.Tests.IO.Onnx;

/// <summary>Builds small ONNX models with <see cref="ProtoWriter"/> (field numbers from onnx.proto3) and locates the
/// Debian libonnx-testdata node tests.</summary>
internal static class OnnxTestModels
{
    /// <summary>The node-test root installed by Debian's libonnx-testdata.</summary>
    public const string NodeRoot = "/usr/share/libonnx-testdata/data/node";

    public static byte[] Node(string op, string[] inputs, string[] outputs, string name = "", params byte[][] attributes)
    {
        var w = new ProtoWriter();
        foreach (var i in inputs) w.WriteStringField(1, i);
        foreach (var o in outputs) w.WriteStringField(2, o);
        w.WriteStringField(3, name.Length > 0 ? name : op + "_" + string.Join("_", outputs));
        w.WriteStringField(4, op);
        foreach (var a in attributes) w.WriteBytesField(5, a);
        return w.ToArray();
    }

    public static byte[] IntsAttr(string name, params long[] values)
    {
        var w = new ProtoWriter().WriteStringField(1, name);
        w.WritePackedField(8, values);
        return w.WriteVarintField(20, 7).ToArray();
    }

    public static byte[] ValueInfo(string name, OnnxDataType type, params long[] dims)
    {
        var shape = new ProtoWriter();
        foreach (var d in dims) shape.WriteBytesField(1, new ProtoWriter().WriteInt64Field(1, d).ToArray());
        var tensorType = new ProtoWriter().WriteVarintField(1, (ulong)type).WriteBytesField(2, shape.ToArray());
        var typeProto = new ProtoWriter().WriteBytesField(1, tensorType.ToArray());
        return new ProtoWriter().WriteStringField(1, name).WriteBytesField(2, typeProto.ToArray()).ToArray();
    }

    /// <summary>A float TensorProto with raw data (dims written as given, even when they disagree with the data).
    /// </summary>
    public static byte[] FloatTensor(string name, long[] dims, float[] data)
    {
        var w = new ProtoWriter();
        foreach (var d in dims) w.WriteInt64Field(1, d);
        w.WriteVarintField(2, (ulong)OnnxDataType.Float).WriteStringField(8, name);
        var raw = new byte[data.Length * 4];
        Buffer.BlockCopy(data, 0, raw, 0, raw.Length);
        return w.WriteBytesField(9, raw).ToArray();
    }

    public static byte[] Model(byte[][] nodes, byte[][] inputs, byte[][] outputs, byte[][]? initializers = null, long opset = 13)
    {
        var g = new ProtoWriter();
        foreach (var n in nodes) g.WriteBytesField(1, n);
        g.WriteStringField(2, "g");
        foreach (var t in initializers ?? []) g.WriteBytesField(5, t);
        foreach (var i in inputs) g.WriteBytesField(11, i);
        foreach (var o in outputs) g.WriteBytesField(12, o);
        var opsetId = new ProtoWriter().WriteStringField(1, "").WriteInt64Field(2, opset);
        return new ProtoWriter().WriteInt64Field(1, 8).WriteStringField(2, "scratch-tests")
            .WriteBytesField(7, g.ToArray()).WriteBytesField(8, opsetId.ToArray()).ToArray();
    }

    public static byte[] Graph(byte[][] nodes, byte[][] inputs, byte[][] outputs)
    {
        var g = new ProtoWriter();
        foreach (var n in nodes) g.WriteBytesField(1, n);
        g.WriteStringField(2, "sub");
        foreach (var i in inputs) g.WriteBytesField(11, i);
        foreach (var o in outputs) g.WriteBytesField(12, o);
        return g.ToArray();
    }

    public static byte[] GraphAttr(string name, byte[] graph) =>
        new ProtoWriter().WriteStringField(1, name).WriteBytesField(6, graph).WriteVarintField(20, 5).ToArray();

    /// <summary>x [1, 4] → Relu → Add(bias) → y.</summary>
    public static byte[] ReluAddModel() => Model(
        [Node("Relu", ["x"], ["r"]), Node("Add", ["r", "b"], ["y"])],
        [ValueInfo("x", OnnxDataType.Float, 1, 4)],
        [ValueInfo("y", OnnxDataType.Float, 1, 4)],
        [FloatTensor("b", [4], [1, 2, 3, 4])]);
}
