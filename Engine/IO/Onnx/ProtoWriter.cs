namespace Scratch.IO.Onnx;

/// <summary>A minimal protobuf wire-format writer (varint, fixed and length-delimited fields), the inverse of
/// <see cref="ProtoReader"/>; used to write TensorProtos and to build small models.</summary>
public sealed class ProtoWriter
{
    private readonly MemoryStream _out = new();

    /// <summary>Writes a raw base-128 varint.</summary>
    public ProtoWriter WriteVarint(ulong v)
    {
        while (v >= 0x80)
        {
            _out.WriteByte((byte)(v | 0x80));
            v >>= 7;
        }
        _out.WriteByte((byte)v);
        return this;
    }

    /// <summary>Writes a field key.</summary>
    public ProtoWriter WriteKey(int field, WireType wire) => WriteVarint(((ulong)field << 3) | (ulong)wire);

    /// <summary>A varint field (negative int64 values as 10-byte two's complement).</summary>
    public ProtoWriter WriteVarintField(int field, ulong v) => WriteKey(field, WireType.Varint).WriteVarint(v);

    /// <summary>An int64 varint field.</summary>
    public ProtoWriter WriteInt64Field(int field, long v) => WriteVarintField(field, (ulong)v);

    /// <summary>A float (fixed32) field.</summary>
    public ProtoWriter WriteFloatField(int field, float v)
    {
        WriteKey(field, WireType.Fixed32);
        Span<byte> b = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(b, v);
        _out.Write(b);
        return this;
    }

    /// <summary>A length-delimited field.</summary>
    public ProtoWriter WriteBytesField(int field, ReadOnlySpan<byte> bytes)
    {
        WriteKey(field, WireType.LengthDelimited).WriteVarint((ulong)bytes.Length);
        _out.Write(bytes);
        return this;
    }

    /// <summary>A UTF-8 string field.</summary>
    public ProtoWriter WriteStringField(int field, string s) => WriteBytesField(field, System.Text.Encoding.UTF8.GetBytes(s));

    /// <summary>A packed repeated varint field.</summary>
    public ProtoWriter WritePackedField(int field, IEnumerable<long> values)
    {
        var inner = new ProtoWriter();
        foreach (var v in values) inner.WriteVarint((ulong)v);
        return WriteBytesField(field, inner.ToArray());
    }

    /// <summary>The bytes written so far.</summary>
    public byte[] ToArray() => _out.ToArray();
}
