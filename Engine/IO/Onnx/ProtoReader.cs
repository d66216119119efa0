namespace Scratch.IO.Onnx;

/// <summary>Protobuf wire types (the low 3 bits of a field key).</summary>
public enum WireType
{
    /// <summary>Base-128 varint (int32, int64, uint*, sint*, bool, enum).</summary>
    Varint = 0,
    /// <summary>8 little-endian bytes (fixed64, sfixed64, double).</summary>
    Fixed64 = 1,
    /// <summary>Varint length then that many bytes (string, bytes, message, packed repeated).</summary>
    LengthDelimited = 2,
    /// <summary>4 little-endian bytes (fixed32, sfixed32, float).</summary>
    Fixed32 = 5,
}

/// <summary>A strict reader of the protobuf wire format over a byte buffer: keys, varints, zigzag, fixed-width
/// values, length-delimited fields and packed repeated fields. Every read checks the remaining length, so truncated
/// or corrupt input throws <see cref="OnnxFormatException"/> instead of reading past the end; groups (wire types 3
/// and 4) are rejected, varints longer than 10 bytes are rejected, and field number 0 is rejected.</summary>
public struct ProtoReader
{
    private readonly ReadOnlyMemory<byte> _data;
    private int _pos;

    /// <summary>Reads the whole of <paramref name="data"/>.</summary>
    public ProtoReader(ReadOnlyMemory<byte> data)
    {
        _data = data;
        _pos = 0;
    }

    /// <summary>True while unread bytes remain.</summary>
    public readonly bool HasMore => _pos < _data.Length;

    /// <summary>Byte offset of the next read.</summary>
    public readonly int Position => _pos;

    /// <summary>Reads a field key: (field number ≥ 1, wire type).</summary>
    public (int Field, WireType Wire) ReadKey()
    {
        var key = ReadVarint();
        var wire = (int)(key & 7);
        var field = key >> 3;
        if (field == 0 || field > int.MaxValue)
            throw new OnnxFormatException($"protobuf: field number expected in [1, {int.MaxValue}], got {field} at byte {_pos}.");
        if (wire is not (0 or 1 or 2 or 5))
            throw new OnnxFormatException($"protobuf: wire type expected 0, 1, 2 or 5, got {wire} (field {field}) at byte {_pos}.");
        return ((int)field, (WireType)wire);
    }

    /// <summary>Reads a base-128 varint (at most 10 bytes) as an unsigned 64-bit value.</summary>
    public ulong ReadVarint()
    {
        var span = _data.Span;
        ulong result = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (_pos >= span.Length)
                throw new OnnxFormatException($"protobuf: truncated varint at byte {_pos} of {span.Length}.");
            var b = span[_pos++];
            if (shift == 63 && b > 1)
                throw new OnnxFormatException($"protobuf: varint overflows 64 bits at byte {_pos - 1}.");
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new OnnxFormatException($"protobuf: varint longer than 10 bytes at byte {_pos}.");
    }

    /// <summary>A varint as int64 (two's complement, as protobuf's int64 and int32).</summary>
    public long ReadInt64() => (long)ReadVarint();

    /// <summary>A varint that must fit in int32 (negative int32 values are sign-extended to 10 bytes).</summary>
    public int ReadInt32()
    {
        var v = (long)ReadVarint();
        if (v is < int.MinValue or > int.MaxValue)
            throw new OnnxFormatException($"protobuf: int32 field expected in [{int.MinValue}, {int.MaxValue}], got {v}.");
        return (int)v;
    }

    /// <summary>Zigzag decoding of sint64: 0 → 0, 1 → −1, 2 → 1, 3 → −2 ...</summary>
    public static long ZigZag(ulong v) => (long)(v >> 1) ^ -(long)(v & 1);

    /// <summary>A zigzag-encoded sint64.</summary>
    public long ReadSInt64() => ZigZag(ReadVarint());

    /// <summary>4 little-endian bytes.</summary>
    public uint ReadFixed32()
    {
        var s = Take(4);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(s.Span);
    }

    /// <summary>8 little-endian bytes.</summary>
    public ulong ReadFixed64()
    {
        var s = Take(8);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(s.Span);
    }

    /// <summary>A little-endian IEEE float.</summary>
    public float ReadFloat() => BitConverter.UInt32BitsToSingle(ReadFixed32());

    /// <summary>A little-endian IEEE double.</summary>
    public double ReadDouble() => BitConverter.UInt64BitsToDouble(ReadFixed64());

    /// <summary>A length-delimited payload (string, bytes, sub-message, packed run); the length must fit in the
    /// remaining bytes.</summary>
    public ReadOnlyMemory<byte> ReadBytes()
    {
        var len = ReadVarint();
        if (len > (ulong)(_data.Length - _pos))
            throw new OnnxFormatException(
                $"protobuf: length-delimited field of {len} bytes expected to fit in the {_data.Length - _pos} remaining at byte {_pos}.");
        return Take((int)len);
    }

    /// <summary>A UTF-8 string.</summary>
    public string ReadString() => System.Text.Encoding.UTF8.GetString(ReadBytes().Span);

    /// <summary>Skips one field's value of the given wire type.</summary>
    public void Skip(WireType wire)
    {
        switch (wire)
        {
            case WireType.Varint: ReadVarint(); break;
            case WireType.Fixed64: Take(8); break;
            case WireType.Fixed32: Take(4); break;
            case WireType.LengthDelimited: ReadBytes(); break;
            default: throw new OnnxFormatException($"protobuf: cannot skip wire type {(int)wire}.");
        }
    }

    /// <summary>Appends a repeated varint field to <paramref name="into"/>, accepting both the packed
    /// (length-delimited) and the unpacked (one varint) encoding. <paramref name="zigzag"/> decodes sint values.
    /// </summary>
    public void ReadRepeatedVarint(WireType wire, List<long> into, bool zigzag = false)
    {
        if (wire == WireType.Varint)
        {
            var v = ReadVarint();
            into.Add(zigzag ? ZigZag(v) : (long)v);
            return;
        }
        if (wire != WireType.LengthDelimited)
            throw new OnnxFormatException($"protobuf: repeated varint expected wire type 0 or 2, got {(int)wire}.");
        var inner = new ProtoReader(ReadBytes());
        while (inner.HasMore)
        {
            var v = inner.ReadVarint();
            into.Add(zigzag ? ZigZag(v) : (long)v);
        }
    }

    /// <summary>Appends a repeated float field (packed or unpacked).</summary>
    public void ReadRepeatedFloat(WireType wire, List<float> into)
    {
        if (wire == WireType.Fixed32) { into.Add(ReadFloat()); return; }
        if (wire != WireType.LengthDelimited)
            throw new OnnxFormatException($"protobuf: repeated float expected wire type 5 or 2, got {(int)wire}.");
        var bytes = ReadBytes();
        if (bytes.Length % 4 != 0)
            throw new OnnxFormatException($"protobuf: packed float run expected a multiple of 4 bytes, got {bytes.Length}.");
        var inner = new ProtoReader(bytes);
        while (inner.HasMore) into.Add(inner.ReadFloat());
    }

    /// <summary>Appends a repeated double field (packed or unpacked).</summary>
    public void ReadRepeatedDouble(WireType wire, List<double> into)
    {
        if (wire == WireType.Fixed64) { into.Add(ReadDouble()); return; }
        if (wire != WireType.LengthDelimited)
            throw new OnnxFormatException($"protobuf: repeated double expected wire type 1 or 2, got {(int)wire}.");
        var bytes = ReadBytes();
        if (bytes.Length % 8 != 0)
            throw new OnnxFormatException($"protobuf: packed double run expected a multiple of 8 bytes, got {bytes.Length}.");
        var inner = new ProtoReader(bytes);
        while (inner.HasMore) into.Add(inner.ReadDouble());
    }

    /// <summary>Throws unless the field has the expected wire type.</summary>
    public static void Expect(WireType actual, WireType expected, string message, int field)
    {
        if (actual != expected)
            throw new OnnxFormatException($"protobuf: {message} field {field} expected wire type {(int)expected}, got {(int)actual}.");
    }

    private ReadOnlyMemory<byte> Take(int n)
    {
        if (n > _data.Length - _pos)
            throw new OnnxFormatException($"protobuf: truncated: {n} bytes expected at byte {_pos}, {_data.Length - _pos} remain.");
        var s = _data.Slice(_pos, n);
        _pos += n;
        return s;
    }
}
