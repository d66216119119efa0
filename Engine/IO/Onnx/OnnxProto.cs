namespace Scratch.IO.Onnx;

/// <summary>ONNX TensorProto.DataType codes.</summary>
public enum OnnxDataType
{
    /// <summary>Not set.</summary>
    Undefined = 0,
    /// <summary>float32.</summary>
    Float = 1,
    /// <summary>uint8.</summary>
    UInt8 = 2,
    /// <summary>int8.</summary>
    Int8 = 3,
    /// <summary>uint16.</summary>
    UInt16 = 4,
    /// <summary>int16.</summary>
    Int16 = 5,
    /// <summary>int32.</summary>
    Int32 = 6,
    /// <summary>int64.</summary>
    Int64 = 7,
    /// <summary>UTF-8 string.</summary>
    String = 8,
    /// <summary>bool.</summary>
    Bool = 9,
    /// <summary>IEEE half.</summary>
    Float16 = 10,
    /// <summary>float64.</summary>
    Double = 11,
    /// <summary>uint32.</summary>
    UInt32 = 12,
    /// <summary>uint64.</summary>
    UInt64 = 13,
    /// <summary>complex64.</summary>
    Complex64 = 14,
    /// <summary>complex128.</summary>
    Complex128 = 15,
    /// <summary>bfloat16.</summary>
    BFloat16 = 16,
}

/// <summary>ONNX AttributeProto.AttributeType codes.</summary>
public enum OnnxAttributeType
{
    /// <summary>Not set.</summary>
    Undefined = 0,
    /// <summary>f.</summary>
    Float = 1,
    /// <summary>i.</summary>
    Int = 2,
    /// <summary>s.</summary>
    String = 3,
    /// <summary>t.</summary>
    Tensor = 4,
    /// <summary>g.</summary>
    Graph = 5,
    /// <summary>floats.</summary>
    Floats = 6,
    /// <summary>ints.</summary>
    Ints = 7,
    /// <summary>strings.</summary>
    Strings = 8,
    /// <summary>tensors.</summary>
    Tensors = 9,
    /// <summary>graphs.</summary>
    Graphs = 10,
    /// <summary>sparse_tensor.</summary>
    SparseTensor = 11,
    /// <summary>sparse_tensors.</summary>
    SparseTensors = 12,
    /// <summary>tp.</summary>
    TypeProto = 13,
    /// <summary>type_protos.</summary>
    TypeProtos = 14,
}

/// <summary>A decoded TensorProto: dims, element type and the payload in whichever field carried it (decoding to a
/// <see cref="Tensor"/> is <see cref="OnnxTensors.ToTensor"/>).</summary>
public sealed record OnnxTensorProto(string Name, long[] Dims, OnnxDataType DataType, ReadOnlyMemory<byte> RawData,
    float[] FloatData, long[] Int32Data, long[] Int64Data, double[] DoubleData, long[] UInt64Data, int StringCount,
    bool External)
{
    /// <summary>Number of elements: the product of the dims (checked for negatives and overflow).</summary>
    public long Numel => OnnxTensors.CheckedNumel(Dims, Name);
}

/// <summary>A decoded AttributeProto (only the field named by <see cref="Type"/> is meaningful).</summary>
public sealed record OnnxAttribute(string Name, OnnxAttributeType Type, float F, long I, byte[] S,
    OnnxTensorProto? T, OnnxGraphProto? G, float[] Floats, long[] Ints, string[] Strings, string? RefAttrName)
{
    /// <summary>The string value as UTF-8 text.</summary>
    public string Text => System.Text.Encoding.UTF8.GetString(S);
}

/// <summary>A decoded NodeProto.</summary>
public sealed record OnnxNode(string Name, string OpType, string Domain, string[] Inputs, string[] Outputs,
    IReadOnlyDictionary<string, OnnxAttribute> Attributes);

/// <summary>A decoded ValueInfoProto, tensor types only: element type and dims (null for a symbolic or unknown
/// dim; <see cref="Shape"/> null when no shape is given).</summary>
public sealed record OnnxValueInfo(string Name, OnnxDataType ElemType, long?[]? Shape, bool IsTensor);

/// <summary>A decoded GraphProto.</summary>
public sealed record OnnxGraphProto(string Name, OnnxNode[] Nodes, OnnxTensorProto[] Initializers,
    OnnxValueInfo[] Inputs, OnnxValueInfo[] Outputs, OnnxValueInfo[] ValueInfo, int SparseInitializers);

/// <summary>A decoded ModelProto.</summary>
public sealed record OnnxModelProto(long IrVersion, IReadOnlyDictionary<string, long> Opsets, string ProducerName,
    string ProducerVersion, OnnxGraphProto Graph, int Functions);
