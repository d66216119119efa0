namespace Scratch.IO.Onnx;

/// <summary>Decodes ONNX protobuf messages (onnx.proto3 field numbers) with <see cref="ProtoReader"/>. Unknown
/// fields are skipped; a field with the wrong wire type, a truncated payload or nesting deeper than
/// <see cref="MaxDepth"/> throws <see cref="OnnxFormatException"/>.</summary>
public static class OnnxProtoParser
{
    /// <summary>Deepest allowed nesting of graphs inside attributes.</summary>
    public const int MaxDepth = 16;

    /// <summary>Decodes a ModelProto. It must contain a graph.</summary>
    public static OnnxModelProto ParseModel(ReadOnlyMemory<byte> data)
    {
        var r = new ProtoReader(data);
        long ir = 0;
        var opsets = new Dictionary<string, long>();
        string producer = "", producerVersion = "";
        OnnxGraphProto? graph = null;
        var functions = 0;
        while (r.HasMore)
        {
            var (field, wire) = r.ReadKey();
            switch (field)
            {
                case 1: ProtoReader.Expect(wire, WireType.Varint, "ModelProto.ir_version", field); ir = r.ReadInt64(); break;
                case 2: ProtoReader.Expect(wire, WireType.LengthDelimited, "ModelProto.producer_name", field); producer = r.ReadString(); break;
                case 3: ProtoReader.Expect(wire, WireType.LengthDelimited, "ModelProto.producer_version", field); producerVersion = r.ReadString(); break;
                case 7: ProtoReader.Expect(wire, WireType.LengthDelimited, "ModelProto.graph", field); graph = ParseGraph(r.ReadBytes(), 0); break;
                case 8:
                {
                    ProtoReader.Expect(wire, WireType.LengthDelimited, "ModelProto.opset_import", field);
                    var (domain, version) = ParseOpset(r.ReadBytes());
                    opsets[domain is "ai.onnx" ? "" : domain] = version;
                    break;
                }
                case 25: ProtoReader.Expect(wire, WireType.LengthDelimited, "ModelProto.functions", field); r.ReadBytes(); functions++; break;
                default: r.Skip(wire); break;
            }
        }
        if (graph is null) throw new OnnxFormatException("ONNX: ModelProto expected a graph (field 7), found none.");
        return new OnnxModelProto(ir, opsets, producer, producerVersion, graph, functions);
    }

    private static (string, long) ParseOpset(ReadOnlyMemory<byte> data)
    {
        var r = new ProtoReader(data);
        string domain = "";
        long version = 0;
        while (r.HasMore)
        {
            var (field, wire) = r.ReadKey();
            if (field == 1) { ProtoReader.Expect(wire, WireType.LengthDelimited, "OperatorSetIdProto.domain", field); domain = r.ReadString(); }
            else if (field == 2) { ProtoReader.Expect(wire, WireType.Varint, "OperatorSetIdProto.version", field); version = r.ReadInt64(); }
            else r.Skip(wire);
        }
        return (domain, version);
    }

    /// <summary>Decodes a GraphProto at nesting <paramref name="depth"/>.</summary>
    public static OnnxGraphProto ParseGraph(ReadOnlyMemory<byte> data, int depth)
    {
        if (depth > MaxDepth) throw new OnnxFormatException($"ONNX: graphs nested deeper than {MaxDepth} levels.");
        var r = new ProtoReader(data);
        string name = "";
        List<OnnxNode> nodes = [];
        List<OnnxTensorProto> inits = [];
        List<OnnxValueInfo> inputs = [], outputs = [], infos = [];
        var sparse = 0;
        while (r.HasMore)
        {
            var (field, wire) = r.ReadKey();
            if (field is 1 or 2 or 5 or 11 or 12 or 13 or 15)
                ProtoReader.Expect(wire, WireType.LengthDelimited, "GraphProto", field);
            switch (field)
            {
                case 1: nodes.Add(ParseNode(r.ReadBytes(), depth)); break;
                case 2: name = r.ReadString(); break;
                case 5: inits.Add(ParseTensor(r.ReadBytes())); break;
                case 11: inputs.Add(ParseValueInfo(r.ReadBytes())); break;
                case 12: outputs.Add(ParseValueInfo(r.ReadBytes())); break;
                case 13: infos.Add(ParseValueInfo(r.ReadBytes())); break;
                case 15: r.ReadBytes(); sparse++; break;
                default: r.Skip(wire); break;
            }
        }
        return new OnnxGraphProto(name, [.. nodes], [.. inits], [.. inputs], [.. outputs], [.. infos], sparse);
    }

    /// <summary>Decodes a NodeProto.</summary>
    public static OnnxNode ParseNode(ReadOnlyMemory<byte> data, int depth)
    {
        var r = new ProtoReader(data);
        string name = "", opType = "", domain = "";
        List<string> inputs = [], outputs = [];
        var attrs = new Dictionary<string, OnnxAttribute>();
        while (r.HasMore)
        {
            var (field, wire) = r.ReadKey();
            if (field is 1 or 2 or 3 or 4 or 5 or 7)
                ProtoReader.Expect(wire, WireType.LengthDelimited, "NodeProto", field);
            switch (field)
            {
                case 1: inputs.Add(r.ReadString()); break;
                case 2: outputs.Add(r.ReadString()); break;
                case 3: name = r.ReadString(); break;
                case 4: opType = r.ReadString(); break;
                case 5:
                {
                    var a = ParseAttribute(r.ReadBytes(), depth);
                    if (!attrs.TryAdd(a.Name, a))
                        throw new OnnxFormatException($"ONNX: node '{name}' ({opType}) has attribute '{a.Name}' twice.");
                    break;
                }
                case 7: domain = r.ReadString(); break;
                default: r.Skip(wire); break;
            }
        }
        return new OnnxNode(name, opType, domain is "ai.onnx" ? "" : domain, [.. inputs], [.. outputs], attrs);
    }

    /// <summary>Decodes an AttributeProto.</summary>
    public static OnnxAttribute ParseAttribute(ReadOnlyMemory<byte> data, int depth)
    {
        var r = new ProtoReader(data);
        string name = "";
        string? refName = null;
        var type = OnnxAttributeType.Undefined;
        float f = 0;
        long i = 0;
        byte[] s = [];
        OnnxTensorProto? t = null;
        OnnxGraphProto? g = null;
        List<float> floats = [];
        List<long> ints = [];
        List<string> strings = [];
        while (r.HasMore)
        {
            var (field, wire) = r.ReadKey();
            switch (field)
            {
                case 1: ProtoReader.Expect(wire, WireType.LengthDelimited, "AttributeProto.name", field); name = r.ReadString(); break;
                case 2: ProtoReader.Expect(wire, WireType.Fixed32, "AttributeProto.f", field); f = r.ReadFloat(); break;
                case 3: ProtoReader.Expect(wire, WireType.Varint, "AttributeProto.i", field); i = r.ReadInt64(); break;
                case 4: ProtoReader.Expect(wire, WireType.LengthDelimited, "AttributeProto.s", field); s = r.ReadBytes().ToArray(); break;
                case 5: ProtoReader.Expect(wire, WireType.LengthDelimited, "AttributeProto.t", field); t = ParseTensor(r.ReadBytes()); break;
                case 6: ProtoReader.Expect(wire, WireType.LengthDelimited, "AttributeProto.g", field); g = ParseGraph(r.ReadBytes(), depth + 1); break;
                case 7: r.ReadRepeatedFloat(wire, floats); break;
                case 8: r.ReadRepeatedVarint(wire, ints); break;
                case 9: ProtoReader.Expect(wire, WireType.LengthDelimited, "AttributeProto.strings", field); strings.Add(r.ReadString()); break;
                case 20:
                {
                    ProtoReader.Expect(wire, WireType.Varint, "AttributeProto.type", field);
                    var v = r.ReadInt64();
                    if (v is < 0 or > 14) throw new OnnxFormatException($"ONNX: attribute '{name}' type expected in [0, 14], got {v}.");
                    type = (OnnxAttributeType)v;
                    break;
                }
                case 21: ProtoReader.Expect(wire, WireType.LengthDelimited, "AttributeProto.ref_attr_name", field); refName = r.ReadString(); break;
                default: r.Skip(wire); break;
            }
        }
        return new OnnxAttribute(name, type, f, i, s, t, g, [.. floats], [.. ints], [.. strings], refName);
    }

    /// <summary>Decodes a ValueInfoProto (tensor type and shape; other types are marked non-tensor).</summary>
    public static OnnxValueInfo ParseValueInfo(ReadOnlyMemory<byte> data)
    {
        var r = new ProtoReader(data);
        string name = "";
        var elem = OnnxDataType.Undefined;
        long?[]? shape = null;
        var isTensor = false;
        while (r.HasMore)
        {
            var (field, wire) = r.ReadKey();
            if (field == 1) { ProtoReader.Expect(wire, WireType.LengthDelimited, "ValueInfoProto.name", field); name = r.ReadString(); }
            else if (field == 2)
            {
                ProtoReader.Expect(wire, WireType.LengthDelimited, "ValueInfoProto.type", field);
                var tr = new ProtoReader(r.ReadBytes());
                while (tr.HasMore)
                {
                    var (tf, tw) = tr.ReadKey();
                    if (tf != 1) { tr.Skip(tw); continue; }
                    ProtoReader.Expect(tw, WireType.LengthDelimited, "TypeProto.tensor_type", tf);
                    isTensor = true;
                    (elem, shape) = ParseTensorType(tr.ReadBytes());
                }
            }
            else r.Skip(wire);
        }
        return new OnnxValueInfo(name, elem, shape, isTensor);
    }

    private static (OnnxDataType, long?[]?) ParseTensorType(ReadOnlyMemory<byte> data)
    {
        var r = new ProtoReader(data);
        var elem = OnnxDataType.Undefined;
        long?[]? shape = null;
        while (r.HasMore)
        {
            var (field, wire) = r.ReadKey();
            if (field == 1) { ProtoReader.Expect(wire, WireType.Varint, "TypeProto.Tensor.elem_type", field); elem = (OnnxDataType)r.ReadInt32(); }
            else if (field == 2)
            {
                ProtoReader.Expect(wire, WireType.LengthDelimited, "TypeProto.Tensor.shape", field);
                var sr = new ProtoReader(r.ReadBytes());
                List<long?> dims = [];
                while (sr.HasMore)
                {
                    var (sf, sw) = sr.ReadKey();
                    if (sf != 1) { sr.Skip(sw); continue; }
                    ProtoReader.Expect(sw, WireType.LengthDelimited, "TensorShapeProto.dim", sf);
                    var dr = new ProtoReader(sr.ReadBytes());
                    long? value = null;
                    while (dr.HasMore)
                    {
                        var (df, dw) = dr.ReadKey();
                        if (df == 1) { ProtoReader.Expect(dw, WireType.Varint, "Dimension.dim_value", df); value = dr.ReadInt64(); }
                        else dr.Skip(dw);
                    }
                    dims.Add(value);
                }
                shape = [.. dims];
            }
            else r.Skip(wire);
        }
        return (elem, shape);
    }

    /// <summary>Decodes a TensorProto (payload kept undecoded; see <see cref="OnnxTensors.ToTensor"/>).</summary>
    public static OnnxTensorProto ParseTensor(ReadOnlyMemory<byte> data)
    {
        var r = new ProtoReader(data);
        string name = "";
        List<long> dims = [], i32 = [], i64 = [], u64 = [];
        List<float> floats = [];
        List<double> doubles = [];
        var dtype = OnnxDataType.Undefined;
        ReadOnlyMemory<byte> raw = default;
        var strings = 0;
        var external = false;
        while (r.HasMore)
        {
            var (field, wire) = r.ReadKey();
            switch (field)
            {
                case 1: r.ReadRepeatedVarint(wire, dims); break;
                case 2:
                {
                    ProtoReader.Expect(wire, WireType.Varint, "TensorProto.data_type", field);
                    var v = r.ReadInt64();
                    if (v is < 0 or > 16) throw new OnnxFormatException($"ONNX: tensor data_type expected in [0, 16], got {v}.");
                    dtype = (OnnxDataType)v;
                    break;
                }
                case 4: r.ReadRepeatedFloat(wire, floats); break;
                case 5: r.ReadRepeatedVarint(wire, i32); break;
                case 6: ProtoReader.Expect(wire, WireType.LengthDelimited, "TensorProto.string_data", field); r.ReadBytes(); strings++; break;
                case 7: r.ReadRepeatedVarint(wire, i64); break;
                case 8: ProtoReader.Expect(wire, WireType.LengthDelimited, "TensorProto.name", field); name = r.ReadString(); break;
                case 9: ProtoReader.Expect(wire, WireType.LengthDelimited, "TensorProto.raw_data", field); raw = r.ReadBytes(); break;
                case 10: r.ReadRepeatedDouble(wire, doubles); break;
                case 11: r.ReadRepeatedVarint(wire, u64); break;
                case 13: ProtoReader.Expect(wire, WireType.LengthDelimited, "TensorProto.external_data", field); r.ReadBytes(); external = true; break;
                case 14:
                    ProtoReader.Expect(wire, WireType.Varint, "TensorProto.data_location", field);
                    if (r.ReadInt64() == 1) external = true;
                    break;
                default: r.Skip(wire); break;
            }
        }
        return new OnnxTensorProto(name, [.. dims], dtype, raw, [.. floats], [.. i32], [.. i64], [.. doubles], [.. u64],
            strings, external);
    }
}
