using System.IO.Compression;
using Scratch.Data;
using Xunit;

namespace Scratch.Tests.Data;

public sealed class IdxTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("scratch-idx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteBytes(string name, byte[] bytes, bool gzip = false)
    {
        var path = Path.Combine(_dir, name);
        if (!gzip)
        {
            File.WriteAllBytes(path, bytes);
            return path;
        }
        using var fs = File.Create(path);
        using var gz = new GZipStream(fs, CompressionLevel.Fastest);
        gz.Write(bytes);
        return path;
    }

    private static byte[] Header(byte rank, params int[] dims)
    {
        var h = new byte[4 + 4 * dims.Length];
        h[2] = 8;
        h[3] = rank;
        for (var i = 0; i < dims.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(h.AsSpan(4 + 4 * i), dims[i]);
        return h;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Round_trip_through_a_written_file(bool gzip)
    {
        var values = Enumerable.Range(0, 2 * 3 * 4).Select(i => (byte)(i * 11)).ToArray();
        var t = Tensor.From(values, new Shape(2, 3, 4));
        var path = Path.Combine(_dir, gzip ? "x.gz" : "x.idx");
        Idx.Write(path, t, gzip);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(gzip, bytes[0] == 0x1f && bytes[1] == 0x8b);
        var back = Idx.Read(path);
        Assert.Equal(DType.U8, back.DType);
        Assert.Equal(new Shape(2, 3, 4), back.Shape);
        Assert.Equal(values, back.ToArray<byte>());
    }

    [Fact]
    public void Reads_a_hand_written_label_file_in_gzip()
    {
        var path = WriteBytes("labels.bin", [.. Header(1, 3), 7, 0, 9], gzip: true);
        var t = Idx.Read(path);
        Assert.Equal(new Shape(3), t.Shape);
        Assert.Equal([7, 0, 9], t.ToArray<byte>());
    }

    [Fact]
    public void Wrong_magic_names_the_file()
    {
        var path = WriteBytes("bad-magic.idx", [0, 0, 0x0D, 1, 0, 0, 0, 1, 5]);
        var e = Assert.Throws<InvalidDataException>(() => Idx.Read(path));
        Assert.Contains("bad-magic.idx", e.Message, StringComparison.Ordinal);
        Assert.Contains("magic", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_payload_and_header_are_rejected()
    {
        var path = WriteBytes("short.gz", [.. Header(3, 2, 28, 28), .. new byte[28 * 28]], gzip: true);
        var e = Assert.Throws<InvalidDataException>(() => Idx.Read(path));
        Assert.Contains("short.gz", e.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        var header = WriteBytes("header.idx", [0, 0, 8, 3, 0, 0, 0, 1]);
        Assert.Contains("header truncated", Assert.Throws<InvalidDataException>(() => Idx.Read(header)).Message, StringComparison.Ordinal);
        var tiny = WriteBytes("tiny.idx", [0, 0]);
        Assert.Contains("tiny.idx", Assert.Throws<InvalidDataException>(() => Idx.Read(tiny)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Huge_dims_are_rejected_before_allocating()
    {
        var path = WriteBytes("huge.idx", [.. Header(3, int.MaxValue, int.MaxValue, 28), 1, 2, 3]);
        var e = Assert.Throws<InvalidDataException>(() => Idx.Read(path));
        Assert.Contains("huge.idx", e.Message, StringComparison.Ordinal);
        Assert.Contains("too large", e.Message, StringComparison.Ordinal);
        var negative = WriteBytes("neg.idx", [.. Header(1, -5)]);
        Assert.Contains("negative", Assert.Throws<InvalidDataException>(() => Idx.Read(negative)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Trailing_bytes_and_corrupt_gzip_are_rejected()
    {
        var trailing = WriteBytes("trailing.idx", [.. Header(1, 1), 4, 5]);
        Assert.Contains("trailing", Assert.Throws<InvalidDataException>(() => Idx.Read(trailing)).Message, StringComparison.Ordinal);
        var corrupt = WriteBytes("corrupt.gz", [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff]);
        Assert.Contains("corrupt.gz", Assert.Throws<InvalidDataException>(() => Idx.Read(corrupt)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_rejects_non_byte_tensors()
    {
        var e = Assert.Throws<DTypeMismatchException>(() => Idx.Write(Path.Combine(_dir, "f.idx"), Tensor.Zeros(new Shape(2))));
        Assert.Contains("tensor", e.Message, StringComparison.Ordinal);
    }
}
