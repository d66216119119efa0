using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Scratch.NN;

namespace Scratch.IO;

/// <summary>Writes a state dict as a PyTorch zip checkpoint that <c>torch.load(path, weights_only=True)</c> reads as
/// an OrderedDict of tensors.</summary>
/// <remarks>Layout as torch.save: stored (uncompressed) entries <c>archive/data.pkl</c> (a protocol-2 pickle using only
/// <c>collections.OrderedDict</c>, <c>torch._utils._rebuild_tensor_v2</c> and <c>torch.*Storage</c>),
/// <c>archive/data/N</c> (one per distinct storage, little-endian) and <c>archive/version</c>. Tensors that share a
/// Scratch storage share one torch storage, with their offsets and strides, so views stay views.</remarks>
public static class TorchSave
{
    /// <summary>Writes <paramref name="stateDict"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, StateDict stateDict)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(stateDict);
        var storages = new List<Storage>();
        var index = new Dictionary<Storage, int>(ReferenceEqualityComparer.Instance);
        var views = new List<(string Key, Tensor View, int Storage)>();
        foreach (var (key, t0) in stateDict)
        {
            var t = t0.Device.IsHost ? t0 : t0.To(Device.Cpu);
            if (!index.TryGetValue(t.Storage, out var id))
            {
                id = storages.Count;
                index[t.Storage] = id;
                storages.Add(t.Storage);
            }
            views.Add((key, t, id));
        }
        var pkl = Pickle(views, storages);
        AtomicFile.Write(path, s =>
        {
            using var zip = new ZipArchive(s, ZipArchiveMode.Create, leaveOpen: true);
            Add(zip, "archive/data.pkl", pkl);
            for (var i = 0; i < storages.Count; i++) Add(zip, $"archive/data/{i}", StorageBytes(storages[i]));
            Add(zip, "archive/version", "3\n"u8.ToArray());
        });
    }

    private static void Add(ZipArchive zip, string name, byte[] bytes)
    {
        var e = zip.CreateEntry(name, CompressionLevel.NoCompression);
        e.LastWriteTime = new DateTimeOffset(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var s = e.Open();
        s.Write(bytes);
    }

    private static byte[] StorageBytes(Storage s)
    {
        var whole = new Tensor(s, new Shape(checked((int)s.Length)));
        return TensorBytes.Of(whole);
    }

    private static byte[] Pickle(List<(string Key, Tensor View, int Storage)> views, List<Storage> storages)
    {
        var p = new PickleWriter();
        p.Op(0x80).Op(2); // PROTO 2
        p.Global("collections", "OrderedDict").Op(')').Op('R');
        if (views.Count > 0)
        {
            p.Op('(');
            foreach (var (key, t, id) in views)
            {
                p.Unicode(key);
                p.Global("torch._utils", "_rebuild_tensor_v2");
                p.Op('(');
                p.Op('(').Unicode("storage").Global("torch", StorageType(t.DType)).Unicode(id.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    .Unicode("cpu").Int(storages[id].Length).Op('t').Op('Q');
                p.Int(t.Offset);
                p.Op('(');
                foreach (var d in t.Shape.Dims) p.Int(d);
                p.Op('t');
                p.Op('(');
                foreach (var st in t.Strides) p.Int(st);
                p.Op('t');
                p.Op(0x89); // requires_grad False
                p.Global("collections", "OrderedDict").Op(')').Op('R'); // backward hooks
                p.Op('t').Op('R');
            }
            p.Op('u');
        }
        p.Op('.');
        return p.ToArray();
    }

    private static string StorageType(DType d) => d switch
    {
        DType.F32 => "FloatStorage", DType.F64 => "DoubleStorage", DType.I32 => "IntStorage", DType.I64 => "LongStorage",
        DType.U8 => "ByteStorage", _ => "BoolStorage",
    };

    private sealed class PickleWriter
    {
        private readonly MemoryStream _s = new();

        public PickleWriter Op(char c) => Op((byte)c);

        public PickleWriter Op(byte b)
        {
            _s.WriteByte(b);
            return this;
        }

        public PickleWriter Global(string module, string name)
        {
            _s.WriteByte((byte)'c');
            _s.Write(Encoding.UTF8.GetBytes($"{module}\n{name}\n"));
            return this;
        }

        public PickleWriter Unicode(string s)
        {
            var b = Encoding.UTF8.GetBytes(s);
            Span<byte> len = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(len, (uint)b.Length);
            _s.WriteByte((byte)'X');
            _s.Write(len);
            _s.Write(b);
            return this;
        }

        public PickleWriter Int(long v)
        {
            Span<byte> b = stackalloc byte[8];
            if (v is >= int.MinValue and <= int.MaxValue)
            {
                BinaryPrimitives.WriteInt32LittleEndian(b, (int)v);
                _s.WriteByte((byte)'J');
                _s.Write(b[..4]);
            }
            else
            {
                BinaryPrimitives.WriteInt64LittleEndian(b, v);
                _s.WriteByte(0x8a); // LONG1, 8 bytes two's complement
                _s.WriteByte(8);
                _s.Write(b);
            }
            return this;
        }

        public byte[] ToArray() => _s.ToArray();
    }
}
