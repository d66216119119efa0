using System.IO.Compression;
using System.Runtime.InteropServices;
using Scratch.NN;

namespace Scratch.IO;

/// <summary>A PyTorch checkpoint read by <see cref="TorchLoad.Read(string)"/>: the unpickled object tree.</summary>
/// <remarks>Values are <c>null</c> (None), <see cref="bool"/>, <see cref="long"/>, <see cref="System.Numerics.BigInteger"/>,
/// <see cref="double"/>, <see cref="string"/>, <c>byte[]</c>, <see cref="PickleDict"/> (dict and OrderedDict),
/// <c>List&lt;object?&gt;</c> (list and set), <see cref="PickleTuple"/> and <see cref="Tensor"/> (Cpu; float16 and
/// bfloat16 widened to F32, int16 and int8 to I32; tensors that shared a torch storage share one Scratch storage).</remarks>
public sealed class TorchCheckpoint(object? root, string source)
{
    /// <summary>The unpickled top-level object.</summary>
    public object? Root { get; } = root;

    /// <summary>The file it came from.</summary>
    public string Source { get; } = source;

    /// <summary>The state dict in the checkpoint: the root itself when it maps strings to tensors, otherwise the
    /// entry under <c>"state_dict"</c>, <c>"model"</c>, <c>"model_state_dict"</c> or <c>"module"</c> (first found).
    /// Non-tensor values in the dict (rare) are skipped.</summary>
    /// <exception cref="InvalidDataException">No such dict is found.</exception>
    public StateDict ToStateDict()
    {
        if (Root is PickleDict d)
        {
            if (IsTensorDict(d)) return Convert(d);
            foreach (var key in new[] { "state_dict", "model", "model_state_dict", "module" })
                if (d.TryGetValue(key, out var inner) && inner is PickleDict sd && IsTensorDict(sd)) return Convert(sd);
        }
        throw new InvalidDataException($"{Source}: no state dict found: expected a dict of tensors at the top level or " +
            $"under 'state_dict' / 'model' / 'model_state_dict' / 'module'; the root is {PickleKey.Show(Root)}.");
    }

    private static bool IsTensorDict(PickleDict d) => d.Count > 0 && d.All(kv => kv.Key is string) && d.Any(kv => kv.Value is Tensor);

    private static StateDict Convert(PickleDict d)
    {
        var sd = new StateDict();
        foreach (var (k, v) in d)
            if (v is Tensor t) sd.Add((string)k!, t);
        return sd;
    }
}

/// <summary>Reads PyTorch <c>.pth</c>/<c>.pt</c> files written by <c>torch.save</c> (the zip format, torch ≥ 1.6)
/// with a restricted unpickler: only an allowlist of globals (OrderedDict, the tensor rebuild functions, storage
/// types, set/frozenset) is accepted, anything else raises <see cref="UnsafePickleException"/> naming it. Nothing
/// is executed.</summary>
public static class TorchLoad
{
    private static readonly Dictionary<string, DType> StorageTypes = new(StringComparer.Ordinal)
    {
        ["FloatStorage"] = DType.F32, ["DoubleStorage"] = DType.F64, ["HalfStorage"] = DType.F32,
        ["BFloat16Storage"] = DType.F32, ["LongStorage"] = DType.I64, ["IntStorage"] = DType.I32,
        ["ShortStorage"] = DType.I32, ["CharStorage"] = DType.I32, ["ByteStorage"] = DType.U8, ["BoolStorage"] = DType.Bool,
    };

    private static readonly HashSet<string> Allowed = new(StringComparer.Ordinal)
    {
        "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor",
        "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state", "builtins.set", "builtins.frozenset", "__builtin__.set", "__builtin__.frozenset", "torch.Size",
        "_codecs.encode",
    };

    /// <summary>Reads the checkpoint at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">Not a zip torch file (the legacy pre-1.6 format included), a corrupt
    /// archive, a malformed pickle, a storage entry shorter than declared, a tensor view outside its storage; the
    /// message names the file and the problem.</exception>
    /// <exception cref="UnsafePickleException">The pickle names a global outside the allowlist.</exception>
    public static TorchCheckpoint Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = File.OpenRead(path);
        return Read(file, Path.GetFileName(path));
    }

    /// <summary>Reads a checkpoint from a seekable <paramref name="stream"/>; <paramref name="name"/> is used in
    /// messages. Same checks as <see cref="Read(string)"/>.</summary>
    public static TorchCheckpoint Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        if (!stream.CanSeek) throw new ArgumentException("TorchLoad.Read: stream must be seekable.", nameof(stream));
        var start = stream.Position;
        Span<byte> magic = stackalloc byte[4];
        var got = stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        if (got < 4 || magic[0] != (byte)'P' || magic[1] != (byte)'K')
        {
            if (got >= 2 && magic[0] == 0x80 && magic[1] <= 5)
                throw new InvalidDataException($"{name}: legacy (non-zip) torch.save format is not supported; " +
                    "re-save it with torch >= 1.6 (the default zip format) or convert it to safetensors.");
            throw new InvalidDataException($"{name}: not a PyTorch zip checkpoint (expected the zip magic 'PK', got {Convert.ToHexString(magic[..got])}).");
        }
        stream.Position = start;
        ZipArchive zip;
        try { zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true); }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or NotSupportedException)
        {
            throw new InvalidDataException($"{name}: corrupt zip archive: {e.Message}", e);
        }
        using (zip)
        {
            try { return new TorchCheckpoint(Load(zip, name, stream.Length - start), name); }
            catch (InvalidDataException e) when (!e.Message.StartsWith(name + ":", StringComparison.Ordinal))
            {
                throw new InvalidDataException($"{name}: corrupt zip archive: {e.Message}", e); // from the zip reader
            }
            catch (InvalidDataException) { throw; }
            catch (Exception e) when (e is IOException or ArgumentException or NotSupportedException)
            {
                throw new InvalidDataException($"{name}: corrupt checkpoint: {e.Message}", e);
            }
        }
    }

    /// <summary>Reads the checkpoint and returns its state dict (see <see cref="TorchCheckpoint.ToStateDict"/>).</summary>
    public static StateDict ReadStateDict(string path) => Read(path).ToStateDict();

    private static object? Load(ZipArchive zip, string name, long fileLength)
    {
        var pkl = zip.Entries.FirstOrDefault(e => e.FullName.EndsWith("data.pkl", StringComparison.Ordinal) &&
                                                  e.FullName.Count(c => c == '/') == 1)
                  ?? throw new InvalidDataException($"{name}: no '<archive>/data.pkl' entry; not a torch.save zip file.");
        var prefix = pkl.FullName[..(pkl.FullName.IndexOf('/') + 1)];
        if (zip.GetEntry(prefix + "constants.pkl") is not null)
            throw new InvalidDataException($"{name}: a TorchScript archive (torch.jit.save) is not supported; save the model's state_dict() with torch.save.");
        if (zip.GetEntry(prefix + "byteorder") is { } order) // written by torch >= 2.1
        {
            var text = System.Text.Encoding.ASCII.GetString(ReadEntry(order, Math.Min(order.Length, 16), name, fileLength)).Trim();
            if (text != "little") throw new InvalidDataException($"{name}: byteorder '{text}' is not supported (little-endian only).");
        }
        var pickle = ReadEntry(pkl, pkl.Length, name, fileLength);
        var storages = new Dictionary<string, (Storage, string)>(StringComparer.Ordinal);
        var vm = new Unpickler(pickle, name)
        {
            ResolveGlobal = (module, n) => ResolveGlobal(module, n, name),
            Call = (f, args) => Call(f, args, name),
            Build = (target, state) => Build(target, state, name),
            PersistentLoad = pid => LoadStorage(pid, zip, prefix, storages, name, fileLength),
        };
        return vm.Load();
    }

    private static object ResolveGlobal(string module, string n, string name)
    {
        var full = $"{module}.{n}";
        if (module == "torch" && StorageTypes.ContainsKey(n)) return new PickleGlobal(module, n);
        if (Allowed.Contains(full)) return new PickleGlobal(module, n);
        throw new UnsafePickleException($"{name}: global '{full}' is not allowed (only tensors, storages and plain containers " +
            "are unpickled; save model.state_dict() rather than the model object).");
    }

    private static object? Call(object f, PickleTuple args, string name)
    {
        if (f is not PickleGlobal g) throw new InvalidDataException($"{name}: pickle calls a non-callable {PickleKey.Show(f)}.");
        switch (g.ToString())
        {
            case "collections.OrderedDict":
                if (args.Count != 0) throw new InvalidDataException($"{name}: OrderedDict called with {args.Count} arguments (expected 0).");
                return new PickleDict();
            case "torch._utils._rebuild_tensor_v2" or "torch._utils._rebuild_tensor":
                return TorchRebuild.Tensor(args, name);
            case "torch._utils._rebuild_parameter" or "torch._utils._rebuild_parameter_with_state":
                if (args.Count < 1 || args[0] is not Tensor data) throw new InvalidDataException($"{name}: _rebuild_parameter expects a tensor first.");
                return data;
            case "builtins.set" or "builtins.frozenset" or "__builtin__.set" or "__builtin__.frozenset":
                return args.Count == 0 ? new List<object?>() : args[0] is List<object?> l ? new List<object?>(l)
                    : throw new InvalidDataException($"{name}: set() expects a list.");
            case "torch.Size":
                return args.Count == 1 && args[0] is PickleTuple t ? t : throw new InvalidDataException($"{name}: torch.Size expects a tuple.");
            case "_codecs.encode":
                if (args.Count == 2 && args[0] is string text && args[1] is "latin1" or "latin-1")
                    return System.Text.Encoding.Latin1.GetBytes(text);
                throw new InvalidDataException($"{name}: _codecs.encode expects (str, 'latin1').");
            default:
                throw new InvalidDataException($"{name}: '{g}' is not callable here.");
        }
    }

    private static void Build(object? target, object? state, string name)
    {
        switch (target)
        {
            case PickleDict d when state is PickleDict attrs:
                foreach (var (k, v) in attrs)
                    if (k is string s) d.Attributes[s] = v;
                break;
            case PickleDict or Tensor when state is null:
                break;
            case Tensor:
                break; // parameter/tensor python attributes: ignored
            default:
                throw new InvalidDataException($"{name}: BUILD on {PickleKey.Show(target)} is not supported.");
        }
    }

    private static Storage LoadStorage(object? pid, ZipArchive zip, string prefix, Dictionary<string, (Storage Storage, string Type)> cache,
        string name, long fileLength)
    {
        if (pid is not PickleTuple { Count: 5 } t || t[0] is not "storage" || t[1] is not PickleGlobal type ||
            t[2] is not string key || t[4] is not long numel)
            throw new InvalidDataException($"{name}: persistent id {PickleKey.Show(pid)} is not ('storage', type, key, location, numel).");
        if (type.Module != "torch" || !StorageTypes.ContainsKey(type.Name))
            throw new InvalidDataException($"{name}: storage {key}: unknown storage type '{type}'.");
        if (cache.TryGetValue(key, out var cached))
        {
            if (cached.Type != type.Name)
                throw new InvalidDataException($"{name}: storage {key} is referenced as both {cached.Type} and {type.Name}; reinterpreting a storage is not supported.");
            return cached.Storage;
        }
        if (numel < 0) throw new InvalidDataException($"{name}: storage {key}: negative element count {numel}.");
        var entry = zip.GetEntry(prefix + "data/" + key)
                    ?? throw new InvalidDataException($"{name}: storage {key}: entry '{prefix}data/{key}' is missing.");
        var elem = type.Name switch
        {
            "DoubleStorage" or "LongStorage" => 8,
            "FloatStorage" or "IntStorage" => 4,
            "HalfStorage" or "BFloat16Storage" or "ShortStorage" => 2,
            _ => 1,
        };
        if (numel > entry.Length / elem)
            throw new InvalidDataException($"{name}: storage {key}: declares {numel} elements of {elem} bytes but the entry holds {entry.Length} bytes.");
        var bytes = ReadEntry(entry, numel * elem, name, fileLength);
        var storage = TorchRebuild.Storage(bytes, type.Name, numel);
        cache[key] = (storage, type.Name);
        return storage;
    }

    private static byte[] ReadEntry(ZipArchiveEntry entry, long count, string name, long fileLength)
    {
        // A stored entry cannot be longer than the file; a compressed one is bounded by deflate's ratio (~1032:1).
        if (entry.CompressedLength > fileLength || entry.Length > Math.Max(entry.CompressedLength, 1) * 1100 || entry.Length > Array.MaxLength)
            throw new InvalidDataException($"{name}: entry '{entry.FullName}' declares {entry.Length} bytes, more than the archive can hold.");
        if (count > entry.Length) throw new InvalidDataException($"{name}: entry '{entry.FullName}' holds {entry.Length} bytes, {count} needed.");
        var buffer = new byte[entry.Length];
        using var s = entry.Open();
        var read = s.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (read < buffer.Length) throw new InvalidDataException($"{name}: entry '{entry.FullName}' is truncated ({read} of {buffer.Length} bytes).");
        Span<byte> probe = stackalloc byte[1];
        if (s.Read(probe) != 0) throw new InvalidDataException($"{name}: entry '{entry.FullName}' is longer than its declared {entry.Length} bytes.");
        var crc = Crc32.Of(buffer);
        if (crc != entry.Crc32)
            throw new InvalidDataException($"{name}: entry '{entry.FullName}' fails its CRC-32 check (0x{crc:x8}, expected 0x{entry.Crc32:x8}).");
        return buffer;
    }
}

/// <summary>Converts torch storage bytes and rebuild arguments into Scratch storages and views.</summary>
internal static class TorchRebuild
{
    public static Storage Storage(byte[] b, string type, long numel)
    {
        var n = (int)numel;
        switch (type)
        {
            case "FloatStorage": return new HostStorage<float>(MemoryMarshal.Cast<byte, float>(b.AsSpan(0, n * 4)).ToArray(), DType.F32, Device.Cpu);
            case "DoubleStorage": return new HostStorage<double>(MemoryMarshal.Cast<byte, double>(b.AsSpan(0, n * 8)).ToArray(), DType.F64, Device.Cpu);
            case "LongStorage": return new HostStorage<long>(MemoryMarshal.Cast<byte, long>(b.AsSpan(0, n * 8)).ToArray(), DType.I64, Device.Cpu);
            case "IntStorage": return new HostStorage<int>(MemoryMarshal.Cast<byte, int>(b.AsSpan(0, n * 4)).ToArray(), DType.I32, Device.Cpu);
            case "HalfStorage": return new HostStorage<float>(Widen.Half(b.AsSpan(0, n * 2)), DType.F32, Device.Cpu);
            case "BFloat16Storage": return new HostStorage<float>(Widen.BFloat16(b.AsSpan(0, n * 2)), DType.F32, Device.Cpu);
            case "ShortStorage": return new HostStorage<int>(Widen.Int16(b.AsSpan(0, n * 2)), DType.I32, Device.Cpu);
            case "CharStorage": return new HostStorage<int>(Widen.Int8(b.AsSpan(0, n)), DType.I32, Device.Cpu);
            case "ByteStorage": return new HostStorage<byte>(b.AsSpan(0, n).ToArray(), DType.U8, Device.Cpu);
            default:
                var bools = b.AsSpan(0, n).ToArray();
                for (var i = 0; i < bools.Length; i++) bools[i] = bools[i] != 0 ? (byte)1 : (byte)0;
                return new HostStorage<byte>(bools, DType.Bool, Device.Cpu);
        }
    }

    /// <summary>_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks, ...) and
    /// _rebuild_tensor(storage, storage_offset, size, stride): a view of the storage, checked to lie inside it.</summary>
    public static Tensor Tensor(PickleTuple args, string name)
    {
        if (args.Count < 4 || args[0] is not Storage storage || args[1] is not long offset ||
            args[2] is not PickleTuple size || args[3] is not PickleTuple stride)
            throw new InvalidDataException($"{name}: _rebuild_tensor arguments {args} are not (storage, offset, size, stride, ...).");
        if (size.Count != stride.Count)
            throw new InvalidDataException($"{name}: tensor size {size} and stride {stride} differ in rank.");
        if (size.Count > 64) throw new InvalidDataException($"{name}: tensor rank {size.Count} is too large.");
        var dims = new int[size.Count];
        var strides = new long[size.Count];
        long numel = 1, last = offset;
        for (var i = 0; i < dims.Length; i++)
        {
            if (size[i] is not long d || d < 0 || d > int.MaxValue)
                throw new InvalidDataException($"{name}: tensor size {size}: dimension {i} is {PickleKey.Show(size[i])}, expected an int in [0, 2^31).");
            if (stride[i] is not long s || s < 0)
                throw new InvalidDataException($"{name}: tensor stride {stride}: entry {i} is {PickleKey.Show(stride[i])}, expected a non-negative int.");
            dims[i] = (int)d;
            strides[i] = s;
            numel = d == 0 || numel == 0 ? 0 : numel > long.MaxValue / d ? throw new InvalidDataException($"{name}: tensor size {size} overflows.") : numel * d;
        }
        if (offset < 0 || offset > storage.Length)
            throw new InvalidDataException($"{name}: storage offset {offset} outside the storage of {storage.Length} elements.");
        if (numel > 0)
        {
            for (var i = 0; i < dims.Length; i++)
            {
                var reach = (Int128)(dims[i] - 1) * strides[i];
                if (reach > long.MaxValue - last) throw new InvalidDataException($"{name}: tensor view {size}/{stride} overflows.");
                last += (long)reach;
            }
            if (last >= storage.Length)
                throw new InvalidDataException($"{name}: tensor view size {size} stride {stride} offset {offset} reaches element {last} " +
                    $"of a storage of {storage.Length} elements.");
        }
        return new Tensor(storage, new Shape(dims), strides, offset);
    }
}

/// <summary>CRC-32 (IEEE 802.3, as zip uses).</summary>
internal static class Crc32
{
    private static readonly uint[] Table = Enumerable.Range(0, 256).Select(n =>
    {
        var c = (uint)n;
        for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    public static uint Of(ReadOnlySpan<byte> data)
    {
        var c = 0xFFFFFFFFu;
        foreach (var b in data) c = Table[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }
}
