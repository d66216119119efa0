using Scratch.IO.Onnx;
using Xunit;

namespace Scratch.Tests.IO.Onnx;

public class ProtoReaderTests
{
    private static ProtoReader R(params byte[] b) => new(b);

    [Theory]
    [InlineData(new byte[] { 0x00 }, 0UL)]
    [InlineData(new byte[] { 0x01 }, 1UL)]
    [InlineData(new byte[] { 0x7F }, 127UL)]
    [InlineData(new byte[] { 0x80, 0x01 }, 128UL)]
    [InlineData(new byte[] { 0xAC, 0x02 }, 300UL)]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F }, 0xFFFFFFFFUL)]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, ulong.MaxValue)]
    public void Varints_decode_little_endian_base_128(byte[] bytes, ulong expected)
    {
        var r = R(bytes);
        Assert.Equal(expected, r.ReadVarint());
        Assert.False(r.HasMore);
    }

    [Fact]
    public void Negative_int64_is_a_ten_byte_twos_complement_varint()
    {
        var bytes = new ProtoWriter().WriteVarint(unchecked((ulong)-2L)).ToArray();
        Assert.Equal(10, bytes.Length);
        Assert.Equal(-2L, R(bytes).ReadInt64());
        Assert.Equal(-2, R(bytes).ReadInt32());
    }

    [Theory]
    [InlineData(new byte[] { 0x80 })]
    [InlineData(new byte[] { 0xFF, 0xFF })]
    [InlineData(new byte[] { })]
    public void Truncated_varint_throws(byte[] bytes)
    {
        var e = Assert.Throws<OnnxFormatException>(() => R(bytes).ReadVarint());
        Assert.Contains("truncated varint", e.Message);
    }

    [Fact]
    public void Varints_longer_than_64_bits_throw()
    {
        byte[] eleven = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01];
        Assert.Throws<OnnxFormatException>(() => R(eleven).ReadVarint());
        byte[] overflow = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02];
        Assert.Contains("overflows", Assert.Throws<OnnxFormatException>(() => R(overflow).ReadVarint()).Message);
    }

    [Fact]
    public void Int32_field_out_of_range_throws()
    {
        var bytes = new ProtoWriter().WriteVarint(1UL << 40).ToArray();
        Assert.Contains("int32", Assert.Throws<OnnxFormatException>(() => R(bytes).ReadInt32()).Message);
    }

    [Theory]
    [InlineData(0UL, 0L)]
    [InlineData(1UL, -1L)]
    [InlineData(2UL, 1L)]
    [InlineData(3UL, -2L)]
    [InlineData(4294967294UL, 2147483647L)]
    [InlineData(4294967295UL, -2147483648L)]
    [InlineData(ulong.MaxValue - 1, long.MaxValue)]
    [InlineData(ulong.MaxValue, long.MinValue)]
    public void Zigzag_maps_unsigned_to_signed(ulong encoded, long expected) =>
        Assert.Equal(expected, ProtoReader.ZigZag(encoded));

    [Fact]
    public void Keys_split_field_number_and_wire_type()
    {
        var r = R(0x08, 0x96, 0x01, 0x12, 0x02, 0x68, 0x69, 0x1D, 0, 0, 0x80, 0x3F, 0x21, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F);
        Assert.Equal((1, WireType.Varint), r.ReadKey());
        Assert.Equal(150UL, r.ReadVarint());
        Assert.Equal((2, WireType.LengthDelimited), r.ReadKey());
        Assert.Equal("hi", r.ReadString());
        Assert.Equal((3, WireType.Fixed32), r.ReadKey());
        Assert.Equal(1f, r.ReadFloat());
        Assert.Equal((4, WireType.Fixed64), r.ReadKey());
        Assert.Equal(1.0, r.ReadDouble());
        Assert.False(r.HasMore);
    }

    [Theory]
    [InlineData(new byte[] { 0x00 }, "field number")]
    [InlineData(new byte[] { 0x0B }, "wire type")] // field 1, start group
    [InlineData(new byte[] { 0x0C }, "wire type")] // field 1, end group
    [InlineData(new byte[] { 0x0E }, "wire type")] // wire type 6
    public void Bad_keys_throw(byte[] bytes, string fragment) =>
        Assert.Contains(fragment, Assert.Throws<OnnxFormatException>(() => R(bytes).ReadKey()).Message);

    [Fact]
    public void Packed_and_unpacked_repeated_varints_both_decode()
    {
        var packed = new ProtoWriter().WritePackedField(1, [1, 300, -1]).ToArray();
        var r = R(packed);
        var (_, wire) = r.ReadKey();
        List<long> values = [];
        r.ReadRepeatedVarint(wire, values);
        Assert.Equal([1L, 300L, -1L], values);

        var unpacked = new ProtoWriter().WriteInt64Field(1, 7).WriteInt64Field(1, -3).ToArray();
        var u = R(unpacked);
        List<long> uv = [];
        while (u.HasMore) u.ReadRepeatedVarint(u.ReadKey().Wire, uv);
        Assert.Equal([7L, -3L], uv);

        var zig = R(0x0A, 0x03, 0x01, 0x02, 0x03); // packed sint64 [-1, 1, -2]
        List<long> zv = [];
        zig.ReadRepeatedVarint(zig.ReadKey().Wire, zv, zigzag: true);
        Assert.Equal([-1L, 1L, -2L], zv);
    }

    [Fact]
    public void Packed_floats_decode_and_bad_lengths_throw()
    {
        var r = R(0x0A, 0x08, 0, 0, 0x80, 0x3F, 0, 0, 0, 0x40);
        List<float> f = [];
        r.ReadRepeatedFloat(r.ReadKey().Wire, f);
        Assert.Equal([1f, 2f], f);

        var bad = R(0x0A, 0x03, 0, 0, 0x80);
        List<float> g = [];
        Assert.Contains("multiple of 4", Assert.Throws<OnnxFormatException>(() => bad.ReadRepeatedFloat(bad.ReadKey().Wire, g)).Message);

        var badD = R(0x0A, 0x04, 0, 0, 0, 0);
        List<double> h = [];
        Assert.Contains("multiple of 8", Assert.Throws<OnnxFormatException>(() => badD.ReadRepeatedDouble(badD.ReadKey().Wire, h)).Message);
    }

    [Fact]
    public void Nested_messages_read_within_their_length()
    {
        var inner = new ProtoWriter().WriteStringField(1, "name").WriteInt64Field(2, 42).ToArray();
        var outer = new ProtoWriter().WriteBytesField(3, inner).WriteInt64Field(4, 5).ToArray();
        var r = R(outer);
        Assert.Equal((3, WireType.LengthDelimited), r.ReadKey());
        var sub = new ProtoReader(r.ReadBytes());
        Assert.Equal((1, WireType.LengthDelimited), sub.ReadKey());
        Assert.Equal("name", sub.ReadString());
        Assert.Equal((2, WireType.Varint), sub.ReadKey());
        Assert.Equal(42, sub.ReadInt64());
        Assert.False(sub.HasMore);
        Assert.Equal((4, WireType.Varint), r.ReadKey());
        Assert.Equal(5, r.ReadInt64());
    }

    [Fact]
    public void Length_beyond_the_buffer_throws_without_allocating_it()
    {
        var r = R(0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x01);
        r.ReadKey();
        var e = Assert.Throws<OnnxFormatException>(() => r.ReadBytes());
        Assert.Contains("remaining", e.Message);
    }

    [Fact]
    public void Skip_consumes_each_wire_type_and_rejects_truncation()
    {
        var r = R(0x96, 0x01, 1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 7, 8, 0x02, 0xAA, 0xBB);
        r.Skip(WireType.Varint);
        r.Skip(WireType.Fixed32);
        r.Skip(WireType.Fixed64);
        r.Skip(WireType.LengthDelimited);
        Assert.False(r.HasMore);
        Assert.Throws<OnnxFormatException>(() => R(1, 2, 3).Skip(WireType.Fixed32));
    }
}
