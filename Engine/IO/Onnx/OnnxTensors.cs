using System.Buffers.Binary;

namespace Scratch.IO.Onnx;

/// <summary>Conversions between ONNX TensorProtos and Scratch tensors.</summary>
/// <remarks>float, double, int32, int64, uint8 and bool map to F32, F64, I32, I64, U8 and Bool; every other element
/// type throws <see cref="OnnxUnsupportedException"/>. The payload is raw_data (little-endian) or the typed repeated
/// field; its element count must equal the product of the dims exactly, so a declared size larger than the data is
/// rejected before anything is allocated.</remarks>
public static class OnnxTensors
{
    /// <summary>Largest element count a tensor may declare (2³¹ − 1).</summary>
    public const long MaxElements = int.MaxValue;

    /// <summary>Product of <paramref name="dims"/>; throws for a negative dim or a product above
    /// <see cref="MaxElements"/>.</summary>
    public static long CheckedNumel(IReadOnlyList<long> dims, string what)
    {
        long n = 1;
        foreach (var d in dims)
        {
            if (d < 0) throw new OnnxFormatException($"ONNX: tensor '{what}' dims expected ≥ 0, got [{string.Join(", ", dims)}].");
            if (d > int.MaxValue) throw new OnnxFormatException($"ONNX: tensor '{what}' dim expected ≤ {int.MaxValue}, got {d}.");
            if (d != 0 && n > MaxElements / d)
                throw new OnnxFormatException($"ONNX: tensor '{what}' dims [{string.Join(", ", dims)}] expected at most {MaxElements} elements.");
            n *= d;
        }
        return n;
    }

    /// <summary>The Scratch dtype for an ONNX element type, or null when Scratch has none.</summary>
    public static DType? ToDType(OnnxDataType t) => t switch
    {
        OnnxDataType.Float => DType.F32,
        OnnxDataType.Double => DType.F64,
        OnnxDataType.Int32 => DType.I32,
        OnnxDataType.Int64 => DType.I64,
        OnnxDataType.UInt8 => DType.U8,
        OnnxDataType.Bool => DType.Bool,
        _ => null,
    };

    /// <summary>The ONNX element type of a Scratch dtype.</summary>
    public static OnnxDataType FromDType(DType t) => t switch
    {
        DType.F32 => OnnxDataType.Float,
        DType.F64 => OnnxDataType.Double,
        DType.I32 => OnnxDataType.Int32,
        DType.I64 => OnnxDataType.Int64,
        DType.U8 => OnnxDataType.UInt8,
        _ => OnnxDataType.Bool,
    };

    /// <summary>Decodes a TensorProto into a Cpu tensor.</summary>
    /// <exception cref="OnnxUnsupportedException">Element type without a Scratch dtype, or external data.</exception>
    /// <exception cref="OnnxFormatException">Bad dims or a payload whose size does not match them.</exception>
    public static Tensor ToTensor(OnnxTensorProto p)
    {
        if (p.External) throw new OnnxUnsupportedException($"external tensor data (tensor '{p.Name}')");
        var dtype = ToDType(p.DataType) ?? throw new OnnxUnsupportedException($"element type {p.DataType} (tensor '{p.Name}')");
        var n = CheckedNumel(p.Dims, p.Name);
        var shape = new Shape(Array.ConvertAll(p.Dims, d => (int)d));
        var size = dtype.SizeOf();
        if (!p.RawData.IsEmpty)
        {
            if (p.RawData.Length != n * size)
                throw new OnnxFormatException(
                    $"ONNX: tensor '{p.Name}' raw_data expected {n * size} bytes for dims [{string.Join(", ", p.Dims)}] of {p.DataType}, got {p.RawData.Length}.");
            var s = p.RawData.Span;
            return dtype switch
            {
                DType.F32 => Tensor.From(Read(s, n, 4, b => BinaryPrimitives.ReadSingleLittleEndian(b)), shape),
                DType.F64 => Tensor.From(Read(s, n, 8, b => BinaryPrimitives.ReadDoubleLittleEndian(b)), shape),
                DType.I32 => Tensor.From(Read(s, n, 4, b => BinaryPrimitives.ReadInt32LittleEndian(b)), shape),
                DType.I64 => Tensor.From(Read(s, n, 8, b => BinaryPrimitives.ReadInt64LittleEndian(b)), shape),
                DType.U8 => Tensor.From(s.ToArray(), shape),
                _ => Tensor.From(Array.ConvertAll(s.ToArray(), b => b != 0), shape),
            };
        }
        var count = FieldCount(p, dtype);
        if (count != n)
            throw new OnnxFormatException(
                $"ONNX: tensor '{p.Name}' expected {n} values for dims [{string.Join(", ", p.Dims)}] of {p.DataType}, got {count}.");
        return dtype switch
        {
            DType.F32 => Tensor.From(p.FloatData, shape),
            DType.F64 => Tensor.From(p.DoubleData, shape),
            DType.I32 => Tensor.From(Array.ConvertAll(p.Int32Data, v => (int)v), shape),
            DType.I64 => Tensor.From(p.Int64Data, shape),
            DType.U8 => Tensor.From(Array.ConvertAll(p.Int32Data, v => (byte)v), shape),
            _ => Tensor.From(Array.ConvertAll(p.Int32Data, v => v != 0), shape),
        };
    }

    private static long FieldCount(OnnxTensorProto p, DType dtype) => dtype switch
    {
        DType.F32 => p.FloatData.Length,
        DType.F64 => p.DoubleData.Length,
        DType.I64 => p.Int64Data.Length,
        _ => p.Int32Data.Length,
    };

    private delegate T Decode<T>(ReadOnlySpan<byte> b);

    private static T[] Read<T>(ReadOnlySpan<byte> s, long n, int size, Decode<T> decode)
    {
        var a = new T[n];
        for (var i = 0; i < a.Length; i++) a[i] = decode(s.Slice(i * size, size));
        return a;
    }

    /// <summary>Encodes a tensor as TensorProto bytes (dims, data_type, name, raw_data).</summary>
    public static byte[] Encode(Tensor t, string name = "")
    {
        var c = t.Contiguous();
        var w = new ProtoWriter();
        foreach (var d in c.Shape.Dims) w.WriteVarintField(1, (ulong)d);
        w.WriteVarintField(2, (ulong)FromDType(c.DType));
        if (name.Length > 0) w.WriteBytesField(8, System.Text.Encoding.UTF8.GetBytes(name));
        w.WriteBytesField(9, RawBytes(c));
        return w.ToArray();
    }

    /// <summary>Little-endian element bytes of a tensor (row-major).</summary>
    public static byte[] RawBytes(Tensor t)
    {
        var bytes = new byte[t.Numel * t.DType.SizeOf()];
        switch (t.DType)
        {
            case DType.F32: { var a = t.ToArray<float>(); for (var i = 0; i < a.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), a[i]); break; }
            case DType.F64: { var a = t.ToArray<double>(); for (var i = 0; i < a.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(8 * i), a[i]); break; }
            case DType.I32: { var a = t.ToArray<int>(); for (var i = 0; i < a.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4 * i), a[i]); break; }
            case DType.I64: { var a = t.ToArray<long>(); for (var i = 0; i < a.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8 * i), a[i]); break; }
            default: { var a = t.ToDoubleArray(); for (var i = 0; i < a.Length; i++) bytes[i] = (byte)a[i]; break; }
        }
        return bytes;
    }
}
