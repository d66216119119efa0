using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Scratch.NN;

namespace Scratch.IO;

/// <summary>The contents of a safetensors file: tensors in header order and the optional string metadata.</summary>
public sealed record SafetensorsFile(StateDict StateDict, IReadOnlyDictionary<string, string> Metadata);

/// <summary>Reads and writes the safetensors format: an 8-byte little-endian header length N, N bytes of JSON
/// (<c>{"key": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ..., "__metadata__": {str: str}}</c>,
/// padded with spaces to a multiple of 8), then the tensor bytes, little-endian, row-major, offsets relative to the
/// end of the header.</summary>
public static class Safetensors
{
    /// <summary>The largest header accepted (the reference implementation's limit).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private static readonly Dictionary<string, int> ElementSize = new(StringComparer.Ordinal)
    {
        ["F64"] = 8, ["F32"] = 4, ["F16"] = 2, ["BF16"] = 2, ["I64"] = 8, ["I32"] = 4, ["I16"] = 2, ["I8"] = 1,
        ["U8"] = 1, ["BOOL"] = 1,
    };

    /// <summary>Reads <paramref name="path"/> through a memory map. F16/BF16 widen to F32, I16/I8 to I32; tensors
    /// land on Device.Cpu in header order.</summary>
    /// <exception cref="InvalidDataException">A header length beyond the file or over <see cref="MaxHeaderBytes"/>,
    /// malformed JSON, an unknown dtype, a negative or overflowing shape, offsets out of range, overlapping, leaving
    /// gaps or not matching dtype × shape; the message names the file, the tensor key and the problem.</exception>
    public static SafetensorsFile Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var name = Path.GetFileName(path);
        var length = new FileInfo(path).Length;
        if (length < 8) throw Bad(name, null, $"file is {length} bytes, shorter than the 8-byte header length");
        using var mmf = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        using var view = mmf.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
        unsafe
        {
            byte* p = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
            try
            {
                return Parse(p + view.PointerOffset, length, name);
            }
            finally
            {
                view.SafeMemoryMappedViewHandle.ReleasePointer();
            }
        }
    }

    /// <summary>Parses safetensors bytes (the same checks as <see cref="Read"/>); <paramref name="name"/> is used in
    /// messages.</summary>
    public static unsafe SafetensorsFile Parse(ReadOnlySpan<byte> file, string name = "<bytes>")
    {
        fixed (byte* p = file) return Parse(p, file.Length, name);
    }

    private static unsafe SafetensorsFile Parse(byte* file, long length, string name)
    {
        if (length < 8) throw Bad(name, null, $"file is {length} bytes, shorter than the 8-byte header length");
        var n = BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(file, 8));
        if (n > MaxHeaderBytes) throw Bad(name, null, $"header length {n} exceeds the limit of {MaxHeaderBytes} bytes");
        if (n > (ulong)(length - 8)) throw Bad(name, null, $"header length {n} is larger than the file ({length} bytes)");
        var header = new ReadOnlySpan<byte>(file + 8, (int)n);
        var data = file + 8 + (long)n;
        var dataLength = length - 8 - (long)n;
        var entries = new List<(string Key, string DType, int[] Shape, long Begin, long End)>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(header.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Bad(name, null, "header is not a JSON object");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(prop.Name)) throw Bad(name, prop.Name, "duplicate key in the header");
                if (prop.Name == "__metadata__")
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object) throw Bad(name, prop.Name, "__metadata__ is not an object");
                    foreach (var m in prop.Value.EnumerateObject())
                        metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()!
                            : throw Bad(name, "__metadata__", $"value of '{m.Name}' is not a string");
                    continue;
                }
                entries.Add(Entry(prop, name, dataLength));
            }
        }
        catch (JsonException e)
        {
            throw Bad(name, null, $"malformed JSON header: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            throw Bad(name, null, $"malformed JSON header (invalid UTF-8 text): {e.Message}", e);
        }
        var order = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();
        long expect = 0;
        string? previous = null;
        foreach (var e in order)
        {
            if (e.Begin < expect) throw Bad(name, e.Key, $"data_offsets [{e.Begin}, {e.End}] overlap tensor '{previous}'");
            if (e.Begin > expect) throw Bad(name, e.Key, $"data_offsets [{e.Begin}, {e.End}] leave a gap after byte {expect}");
            expect = e.End;
            previous = e.Key;
        }
        if (expect != dataLength) throw Bad(name, null, $"the tensors cover {expect} bytes but the data section holds {dataLength}");
        var sd = new StateDict();
        foreach (var e in entries)
        {
            if ((e.End - e.Begin) / ElementSize[e.DType] > Array.MaxLength)
                throw Bad(name, e.Key, $"{(e.End - e.Begin) / ElementSize[e.DType]} elements exceed the largest Scratch tensor ({Array.MaxLength})");
            sd.Add(e.Key, Decode(data + e.Begin, e.End - e.Begin, e.DType, e.Shape));
        }
        return new SafetensorsFile(sd, metadata);
    }

    private static (string, string, int[], long, long) Entry(JsonProperty prop, string name, long dataLength)
    {
        var key = prop.Name;
        var v = prop.Value;
        if (v.ValueKind != JsonValueKind.Object) throw Bad(name, key, "entry is not an object");
        if (!v.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String) throw Bad(name, key, "missing string 'dtype'");
        var dtype = dt.GetString()!;
        if (!ElementSize.TryGetValue(dtype, out var elem)) throw Bad(name, key, $"unknown dtype '{dtype}'");
        if (!v.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array) throw Bad(name, key, "missing array 'shape'");
        if (sh.GetArrayLength() > 64) throw Bad(name, key, $"rank {sh.GetArrayLength()} is too large");
        var shape = new int[sh.GetArrayLength()];
        long bytes = elem;
        var i = 0;
        foreach (var d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out var size) || size < 0 || size > int.MaxValue)
                throw Bad(name, key, $"shape {sh.GetRawText()}: dimension {i} is not an integer in [0, 2^31)");
            shape[i++] = (int)size;
            if (bytes != 0 && size > long.MaxValue / bytes) throw Bad(name, key, $"shape {sh.GetRawText()} overflows");
            bytes *= size;
        }
        if (!v.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw Bad(name, key, "missing 'data_offsets' [begin, end]");
        if (!off[0].TryGetInt64(out var begin) || !off[1].TryGetInt64(out var end) || begin < 0 || end < begin)
            throw Bad(name, key, $"data_offsets {off.GetRawText()} are not 0 <= begin <= end");
        if (end > dataLength) throw Bad(name, key, $"data_offsets {off.GetRawText()} run past the data section of {dataLength} bytes");
        if (end - begin != bytes)
            throw Bad(name, key, $"data_offsets {off.GetRawText()} span {end - begin} bytes but {dtype} × {sh.GetRawText()} needs {bytes}");
        return (key, dtype, shape, begin, end);
    }

    private static unsafe Tensor Decode(byte* src, long bytes, string dtype, int[] shape)
    {
        Storage s = dtype switch
        {
            "F64" => new HostStorage<double>(Copy<double>(src, bytes), DType.F64, Device.Cpu),
            "F32" => new HostStorage<float>(Copy<float>(src, bytes), DType.F32, Device.Cpu),
            "I64" => new HostStorage<long>(Copy<long>(src, bytes), DType.I64, Device.Cpu),
            "I32" => new HostStorage<int>(Copy<int>(src, bytes), DType.I32, Device.Cpu),
            "U8" => new HostStorage<byte>(Copy<byte>(src, bytes), DType.U8, Device.Cpu),
            "BOOL" => new HostStorage<byte>(Bools(Copy<byte>(src, bytes)), DType.Bool, Device.Cpu),
            // narrow types: 2-byte elements, at most Array.MaxLength of them, in chunks that fit a span
            "F16" => new HostStorage<float>(Chunked(src, bytes, 2, Widen.Half), DType.F32, Device.Cpu),
            "BF16" => new HostStorage<float>(Chunked(src, bytes, 2, Widen.BFloat16), DType.F32, Device.Cpu),
            "I16" => new HostStorage<int>(Chunked(src, bytes, 2, Widen.Int16), DType.I32, Device.Cpu),
            _ => new HostStorage<int>(Chunked(src, bytes, 1, Widen.Int8), DType.I32, Device.Cpu),
        };
        return new Tensor(s, new Shape(shape));
    }

    private delegate T[] Widener<T>(ReadOnlySpan<byte> b);

    private static unsafe T[] Copy<T>(byte* src, long bytes) where T : unmanaged
    {
        var r = new T[bytes / sizeof(T)];
        fixed (T* dst = r) Buffer.MemoryCopy(src, dst, bytes, bytes);
        return r;
    }

    private static unsafe T[] Chunked<T>(byte* src, long bytes, int elem, Widener<T> widen)
    {
        var r = new T[bytes / elem];
        const int chunk = 1 << 26;
        for (long at = 0; at < r.LongLength; at += chunk)
        {
            var n = (int)Math.Min(chunk, r.LongLength - at);
            widen(new ReadOnlySpan<byte>(src + at * elem, n * elem)).CopyTo(r.AsSpan((int)at, n));
        }
        return r;
    }

    private static byte[] Bools(byte[] r)
    {
        for (var i = 0; i < r.Length; i++) r[i] = r[i] != 0 ? (byte)1 : (byte)0;
        return r;
    }

    /// <summary>Writes <paramref name="stateDict"/> to <paramref name="path"/> atomically (a temporary file in the same
    /// folder, then a rename): keys in order, each tensor contiguous, header padded with spaces to a multiple of 8.
    /// F32, F64, I32, I64, U8 and Bool map to F32, F64, I32, I64, U8 and BOOL.</summary>
    public static void Write(string path, StateDict stateDict, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(stateDict);
        if (stateDict.Keys.Contains("__metadata__"))
            throw new ArgumentException("Safetensors.Write: stateDict key '__metadata__' is reserved by the format.", nameof(stateDict));
        var json = new MemoryStream();
        using (var w = new Utf8JsonWriter(json))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata) w.WriteString(k, v);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var (key, t) in stateDict)
            {
                var bytes = t.Numel * t.DType.SizeOf();
                w.WriteStartObject(key);
                w.WriteString("dtype", t.DType switch
                {
                    DType.F32 => "F32", DType.F64 => "F64", DType.I32 => "I32", DType.I64 => "I64", DType.U8 => "U8", _ => "BOOL",
                });
                w.WriteStartArray("shape");
                foreach (var d in t.Shape.Dims) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + bytes);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += bytes;
            }
            w.WriteEndObject();
        }
        var header = json.ToArray().ToList();
        while (header.Count % 8 != 0) header.Add((byte)' ');
        AtomicFile.Write(path, s =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Count);
            s.Write(len);
            s.Write(header.ToArray());
            foreach (var (_, t) in stateDict) s.Write(TensorBytes.Of(t)); // one tensor in memory at a time
        });
    }

    private static InvalidDataException Bad(string file, string? key, string problem, Exception? inner = null) =>
        new(key is null ? $"{file}: safetensors: {problem}." : $"{file}: safetensors tensor '{key}': {problem}.", inner);
}

/// <summary>Row-major little-endian bytes of a tensor, and atomic file replacement.</summary>
internal static class TensorBytes
{
    public static byte[] Of(Tensor t)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Scratch.IO writes little-endian data only.");
        return t.DType switch
        {
            DType.F32 => MemoryMarshal.AsBytes(t.ToArray<float>().AsSpan()).ToArray(),
            DType.F64 => MemoryMarshal.AsBytes(t.ToArray<double>().AsSpan()).ToArray(),
            DType.I32 => MemoryMarshal.AsBytes(t.ToArray<int>().AsSpan()).ToArray(),
            DType.I64 => MemoryMarshal.AsBytes(t.ToArray<long>().AsSpan()).ToArray(),
            _ => t.ToArray<byte>(),
        };
    }
}

internal static class AtomicFile
{
    /// <summary>Writes through <paramref name="fill"/> to a temporary file beside <paramref name="path"/> and renames it
    /// over <paramref name="path"/>; the temporary file is removed on failure.</summary>
    public static void Write(string path, Action<Stream> fill)
    {
        var full = Path.GetFullPath(path);
        var tmp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var s = new FileStream(tmp, FileMode.CreateNew, FileAccess.ReadWrite))
            {
                fill(s);
                s.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }
}
