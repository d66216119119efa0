using System.Buffers.Binary;
using System.IO.Compression;

namespace Scratch.Data;

/// <summary>Reads and writes IDX files (the MNIST / Fashion-MNIST format) of unsigned bytes, raw or gzip-compressed.
/// </summary>
/// <remarks>Layout: a 4-byte magic <c>00 00 08 r</c> (0x08 = unsigned byte, r = rank 1..4; 0x0801 labels, 0x0803
/// images), then r big-endian int32 dimension sizes, then the Π dims payload bytes in row-major order. Gzip is
/// detected by the magic bytes 1f 8b, not by the file name. Every length is checked against the bytes actually
/// present before anything is allocated from it.</remarks>
public static class Idx
{
    /// <summary>Largest accepted decompressed file (2 GiB − 1): larger inputs are rejected as corrupt.</summary>
    public const long MaxBytes = int.MaxValue;

    /// <summary>Reads the IDX file at <paramref name="path"/> as a U8 tensor of its dims.</summary>
    /// <exception cref="InvalidDataException">Wrong magic, truncated header or payload, dims that do not fit the
    /// file, or trailing bytes; the message names the file.</exception>
    public static Tensor Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var fs = File.OpenRead(path);
        return Read(fs, path);
    }

    /// <summary>Reads IDX data from <paramref name="stream"/>; <paramref name="name"/> names it in errors.</summary>
    public static Tensor Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var bytes = ReadAllBytes(stream, name);
        if (bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
        {
            try
            {
                using var gz = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
                bytes = ReadAllBytes(gz, name);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"IDX '{name}': corrupt gzip data ({e.Message}).", e);
            }
        }
        return Parse(bytes, name);
    }

    /// <summary>Writes a U8 tensor of rank 1..4 as an IDX file, gzip-compressed (deterministically: no name or time
    /// in the header) when <paramref name="gzip"/>. The file is written atomically (a temporary file beside it,
    /// then renamed over <paramref name="path"/>).</summary>
    public static void Write(string path, Tensor tensor, bool gzip = true)
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = Path.GetFullPath(path);
        var tmp = $"{full}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var fs = File.Create(tmp)) Write(fs, tensor, gzip);
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    /// <summary>Writes a U8 tensor of rank 1..4 to <paramref name="stream"/> in IDX format.</summary>
    public static void Write(Stream stream, Tensor tensor, bool gzip = true)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.DType != DType.U8) throw new DTypeMismatchException("Idx.Write", "tensor", "uint8", tensor.DType.Name());
        if (tensor.Rank is < 1 or > 4) throw new ShapeMismatchException("Idx.Write", "tensor", "rank 1 to 4", tensor.Shape.ToString());
        var header = new byte[4 + 4 * tensor.Rank];
        header[2] = 0x08;
        header[3] = (byte)tensor.Rank;
        for (var i = 0; i < tensor.Rank; i++) BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * i), tensor.Size(i));
        var payload = tensor.ToArray<byte>();
        if (gzip)
        {
            using var gz = new GZipStream(stream, CompressionLevel.SmallestSize, leaveOpen: true);
            gz.Write(header);
            gz.Write(payload);
        }
        else
        {
            stream.Write(header);
            stream.Write(payload);
        }
    }

    private static Tensor Parse(byte[] bytes, string name)
    {
        if (bytes.Length < 4)
            throw new InvalidDataException($"IDX '{name}': file too short for the magic number ({bytes.Length} bytes, need 4).");
        if (bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08 || bytes[3] is < 1 or > 4)
            throw new InvalidDataException($"IDX '{name}': wrong magic 0x{bytes[0]:x2}{bytes[1]:x2}{bytes[2]:x2}{bytes[3]:x2}, expected 0x00000801..0x00000804 (unsigned bytes, rank 1 to 4).");
        var rank = bytes[3];
        var headerLen = 4 + 4 * rank;
        if (bytes.Length < headerLen)
            throw new InvalidDataException($"IDX '{name}': header truncated: rank {rank} needs {headerLen} bytes, file has {bytes.Length}.");
        var dims = new int[rank];
        for (var i = 0; i < rank; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * i));
            if (dims[i] < 0) throw new InvalidDataException($"IDX '{name}': dimension {i} is negative ({dims[i]}).");
        }
        var available = (long)bytes.Length - headerLen;
        // Saturating product: stop as soon as it exceeds what any file could hold.
        long numel = dims.Contains(0) ? 0 : 1;
        foreach (var d in dims)
        {
            if (numel == 0) break;
            numel *= d;
            if (numel > MaxBytes) break;
        }
        if (numel > MaxBytes)
            throw new InvalidDataException($"IDX '{name}': dims [{string.Join(", ", dims)}] are too large for the file: more than {MaxBytes} elements, the file has {available} payload bytes.");
        if (available < numel)
            throw new InvalidDataException($"IDX '{name}': payload truncated: dims [{string.Join(", ", dims)}] need {numel} bytes, the file has {available}.");
        if (available > numel)
            throw new InvalidDataException($"IDX '{name}': {available - numel} unexpected trailing bytes after the {numel}-byte payload of dims [{string.Join(", ", dims)}].");
        var data = bytes.AsSpan(headerLen).ToArray();
        return new Tensor(new HostStorage<byte>(data, DType.U8, Device.Cpu), new Shape(dims));
    }

    private static byte[] ReadAllBytes(Stream s, string name)
    {
        using var ms = new MemoryStream();
        var buf = new byte[1 << 16];
        int n;
        while ((n = s.Read(buf, 0, buf.Length)) > 0)
        {
            if (ms.Length + n > MaxBytes)
                throw new InvalidDataException($"IDX '{name}': data exceeds the {MaxBytes}-byte limit.");
            ms.Write(buf, 0, n);
        }
        return ms.ToArray();
    }
}
