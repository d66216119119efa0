using System.IO.Compression;
using System.Text;
using Scratch.IO;
using Scratch.NN;
using Xunit;

namespace Scratch.Tests.IO;

public class TorchLoadTests
{
    [Fact]
    public void Reads_a_plain_state_dict_exactly()
    {
        // torch 1.13: torch.save(Sequential(Linear(4,3), BatchNorm1d(3), Linear(3,2)).state_dict()), make_io_fixtures.py
        var ck = TorchLoad.Read(IoFixtures.File_("plain.pth"));
        var root = Assert.IsType<PickleDict>(ck.Root);
        Assert.True(root.Attributes.ContainsKey("_metadata"));
        IoFixtures.AssertStateDict(IoFixtures.Expected("plain"), ck.ToStateDict());
    }

    [Fact]
    public void Reads_a_nested_checkpoint_into_the_object_model()
    {
        // torch 1.13: {"model": sd, "optimizer": SGD(momentum=0.9).state_dict(), "epoch": 3, ...}, make_io_fixtures.py
        var ck = TorchLoad.Read(IoFixtures.File_("nested.pth"));
        var root = Assert.IsType<PickleDict>(ck.Root);
        Assert.Equal(3L, root["epoch"]);
        Assert.Equal(0.125, root["best"]);
        Assert.Equal("run-\u00e9", root["name"]);
        Assert.Equal(new List<object?> { "a", "b" }, root["tags"]);
        Assert.Equal(new PickleTuple([1L, 2.5]), root["pair"]);
        Assert.Equal(true, root["flag"]);
        Assert.Null(root["none"]);
        Assert.Equal(1L << 40, root["big"]);
        Assert.Equal(-5L, root["neg"]);
        IoFixtures.AssertStateDict(IoFixtures.Expected("nested_model"), ck.ToStateDict());
        var opt = Assert.IsType<PickleDict>(root["optimizer"]);
        var state = Assert.IsType<PickleDict>(opt["state"]);
        var momentum = Assert.IsType<Tensor>(Assert.IsType<PickleDict>(state[0L])["momentum_buffer"]);
        IoFixtures.AssertTensor(IoFixtures.Expected("nested_momentum0"), momentum, "momentum_buffer");
        var group = Assert.IsType<PickleDict>(Assert.Single(Assert.IsType<List<object?>>(opt["param_groups"])));
        Assert.Equal(0.1, group["lr"]);
        Assert.Equal(0.9, group["momentum"]);
        Assert.Equal(new List<object?> { 0L, 1L, 2L, 3L, 4L, 5L }, group["params"]);
    }

    [Fact]
    public void Shared_storage_gives_views_of_one_storage_with_torch_offsets_and_strides()
    {
        // torch 1.13: base = arange(20).reshape(4,5)*0.5-3; base[1:3,1:4].t(), base[2], base[:, ::2] saved together
        var sd = TorchLoad.ReadStateDict(IoFixtures.File_("shared.pth"));
        IoFixtures.AssertStateDict(IoFixtures.Expected("shared"), sd);
        var layout = IoFixtures.Expected("shared_layout");
        foreach (var (k, t) in sd)
        {
            Assert.Same(sd["base"].Storage, t.Storage);
            Assert.Equal(layout.GetProperty(k).GetProperty("offset").GetInt64(), t.Offset);
            Assert.Equal(layout.GetProperty(k).GetProperty("stride").EnumerateArray().Select(s => s.GetInt64()).ToArray(), t.Strides.ToArray());
        }
    }

    [Fact]
    public void Reads_every_dtype_widening_narrow_types()
    {
        // torch 1.13: the "dtypes" dict of make_io_fixtures.py
        IoFixtures.AssertStateDict(IoFixtures.Expected("dtypes"), TorchLoad.ReadStateDict(IoFixtures.File_("dtypes.pth")));
    }

    [Fact]
    public void Parameters_load_as_tensors()
    {
        // torch 1.13: OrderedDict(w=nn.Parameter(randn(2,2)))
        IoFixtures.AssertStateDict(IoFixtures.Expected("param"), TorchLoad.ReadStateDict(IoFixtures.File_("param.pth")));
    }

    [Fact]
    public void Legacy_non_zip_files_are_rejected_clearly()
    {
        var e = Assert.Throws<InvalidDataException>(() => TorchLoad.Read(IoFixtures.File_("legacy.pth")));
        Assert.Contains("legacy.pth", e.Message);
        Assert.Contains("legacy (non-zip)", e.Message);
    }

    [Fact]
    public void Module_LoadTorch_reads_bare_and_nested_checkpoints()
    {
        var m = new Sequential(new Linear(4, 3), new BatchNorm1d(3), new Linear(3, 2));
        Assert.True(m.LoadTorch(IoFixtures.File_("plain.pth")).IsExact);
        IoFixtures.AssertTensor(IoFixtures.Expected("plain").GetProperty("1.num_batches_tracked"), m.StateDict()["1.num_batches_tracked"], "nbt");
        Assert.True(m.LoadTorch(IoFixtures.File_("nested.pth")).IsExact);
        IoFixtures.AssertTensor(IoFixtures.Expected("nested_model").GetProperty("0.weight"), m.StateDict()["0.weight"], "0.weight");
        Assert.Throws<FileNotFoundException>(() => new Linear(2, 2).LoadTorch(IoFixtures.File_("nope.pth")));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Plain_data_pickles_of_protocols_2_to_5_load(int protocol)
    {
        // python 3.11: pickle.dumps(plain_data, protocol) from make_io_fixtures.py, stored as proto<N>.pth
        var root = Assert.IsType<PickleDict>(TorchLoad.Read(IoFixtures.File_($"proto{protocol}.pth")).Root);
        Assert.Equal(new List<object?> { 1L, 2.5, null, true, false, -1L, 300L, 70000L, -(1L << 40) }, root["a"]);
        Assert.Equal("\u00e9\u4e2d", root[new PickleTuple([1L, "x"])]);
        Assert.Equal(System.Numerics.BigInteger.Pow(2, 70), root[null]);
        Assert.Equal(-System.Numerics.BigInteger.Pow(2, 70), root["neg_big"]);
        Assert.Equal(new List<object?> { 3L }, root["s"]);
        Assert.Equal(new List<object?> { 4L }, root["fs"]);
        Assert.Equal(new PickleTuple([1L]), Assert.IsType<PickleDict>(root["od"])["k"]);
        Assert.Equal(new byte[] { 0, 255 }, root["b"]);
        Assert.Equal(new PickleTuple([]), root["t0"]);
        Assert.Equal(new PickleTuple([1L, 2L, 3L, 4L]), root["t4"]);
        Assert.Equal(-0.1, root["f"]);
        Assert.Contains("no state dict", Assert.Throws<InvalidDataException>(() => TorchLoad.ReadStateDict(IoFixtures.File_($"proto{protocol}.pth"))).Message);
    }

    [Fact]
    public void ToStateDict_without_a_state_dict_names_the_root()
    {
        using var tmp = new IoFixtures.TempDir();
        var path = tmp.File("int.pth");
        File.WriteAllBytes(path, Zip(Pickle("\u0080\u0002K\u0007.")));
        var ck = TorchLoad.Read(path);
        Assert.Equal(7L, ck.Root);
        Assert.Contains("no state dict", Assert.Throws<InvalidDataException>(ck.ToStateDict).Message);
    }

    // ---- bad input -------------------------------------------------------------------------------------------

    internal static byte[] Pickle(string latin1) => Encoding.Latin1.GetBytes(latin1);

    internal static byte[] Zip(byte[] pkl, params (string Name, byte[] Bytes)[] more)
    {
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (n, b) in more.Prepend(("data.pkl", pkl)))
            {
                using var s = zip.CreateEntry("ck/" + n, CompressionLevel.NoCompression).Open();
                s.Write(b);
            }
        }
        return ms.ToArray();
    }

    public static TheoryData<string, string> UnsafePickles => new()
    {
        { "\u0080\u0002cos\nsystem\nX\u0002\u0000\u0000\u0000ls\u0085R.", "'os.system' is not allowed" },
        { "\u0080\u0004\u008c\u0008builtins\u008c\u0004eval\u0093\u008c\u00041+1\u0085R.", "'builtins.eval' is not allowed" },
        { "\u0080\u0002csubprocess\nPopen\n]\u0085R.", "'subprocess.Popen' is not allowed" },
        { "\u0080\u0002cposix\nsystem\nX\u0002\u0000\u0000\u0000ls\u0085R.", "'posix.system' is not allowed" },
        { "\u0080\u0002ctorch\nload\n.", "'torch.load' is not allowed" },
        { "\u0080\u0002(cos\nsystem\nX\u0002\u0000\u0000\u0000lsi.", "not allowed" },
        { "\u0080\u0002(X\u0002\u0000\u0000\u0000lsios\nsystem\n.", "INST" },
    };

    [Theory]
    [MemberData(nameof(UnsafePickles))]
    public void Pickles_naming_forbidden_globals_are_refused(string pickle, string message)
    {
        using var tmp = new IoFixtures.TempDir();
        var path = tmp.File("evil.pth");
        File.WriteAllBytes(path, Zip(Pickle(pickle)));
        var e = Assert.Throws<UnsafePickleException>(() => TorchLoad.Read(path));
        Assert.Contains(message, e.Message);
        Assert.Contains("evil.pth", e.Message);
    }

    private const string Storage4 = "(X\u0007\u0000\u0000\u0000storagectorch\nFloatStorage\nX\u0001\u0000\u0000\u00000X\u0003\u0000\u0000\u0000cpu";

    private static string Rebuild(string numel, string offset, string size, string stride) =>
        "\u0080\u0002ctorch._utils\n_rebuild_tensor_v2\n(" + Storage4 + numel + "tQ" + offset + size + stride +
        "\u0089ccollections\nOrderedDict\n)Rt" + "R.";

    public static TheoryData<string, int, string> BadPickles => new()
    {
        // declared numel larger than the 16-byte entry
        { Rebuild("J\u0000\u0000\u0000\u0010", "K\u0000", "K\u0004\u0085", "K\u0001\u0085"), 16, "declares 268435456 elements" },
        // negative shape
        { Rebuild("K\u0004", "K\u0000", "J\u00fe\u00ff\u00ff\u00ff\u0085", "K\u0001\u0085"), 16, "dimension 0 is -2" },
        // view past the end of the storage
        { Rebuild("K\u0004", "K\u0002", "K\u0003\u0085", "K\u0001\u0085"), 16, "reaches element 4" },
        // huge stride overflow
        { Rebuild("K\u0004", "K\u0000", "K\u0003\u0085", "\u008a\u0008\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u007f\u0085"), 16, "overflows" },
        // negative stride
        { Rebuild("K\u0004", "K\u0000", "K\u0002\u0085", "J\u00ff\u00ff\u00ff\u00ff\u0085"), 16, "non-negative" },
        // size/stride rank mismatch
        { Rebuild("K\u0004", "K\u0000", "K\u0002K\u0002\u0086", "K\u0001\u0085"), 16, "differ in rank" },
        // missing storage entry
        { Rebuild("K\u0004", "K\u0000", "K\u0004\u0085", "K\u0001\u0085"), -1, "is missing" },
        // BINUNICODE declaring 4 GB
        { "\u0080\u0002X\u00ff\u00ff\u00ff\u00ff.", 0, "runs past the end" },
        // BINUNICODE8 declaring 2^63
        { "\u0080\u0004\u008d\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0080.", 0, "runs past the end" },
        { "\u0080\u0002h\u0005.", 0, "memo key 5" },
        { "\u0080\u0002s.", 0, "stack underflow" },
        { "\u0080\u0002K\u0001", 0, "without STOP" },
        { "\u0080\u0002K\u0001K\u0002.", 0, "2 items on the stack" },
        { "\u0080\u0002]K\u0001K\u0002s.", 0, "SETITEM target" },
        { "\u0080\u0002}]K\u0001s.", 0, "unhashable" },
        { "\u0080\u0002\u00ff.", 0, "unsupported pickle opcode 0xff" },
        { "\u0080\u0009.", 0, "protocol 9" },
        { "\u0080\u0002ccollections\nOrderedDict\nK\u0001\u0085R.", 0, "OrderedDict called with 1" },
        { "\u0080\u0002X\u0001\u0000\u0000\u0000aQ.", 0, "persistent id" },
    };

    [Theory]
    [MemberData(nameof(BadPickles))]
    public void Malformed_pickles_throw_InvalidDataException(string pickle, int storageBytes, string message)
    {
        using var tmp = new IoFixtures.TempDir();
        var path = tmp.File("bad.pth");
        var more = storageBytes >= 0 ? new[] { ("data/0", new byte[storageBytes]) } : [];
        File.WriteAllBytes(path, Zip(Pickle(pickle), more));
        var e = Assert.Throws<InvalidDataException>(() => TorchLoad.Read(path));
        Assert.Contains(message, e.Message);
        Assert.Contains("bad.pth", e.Message);
    }

    [Fact]
    public void One_storage_under_two_types_is_refused()
    {
        using var tmp = new IoFixtures.TempDir();
        var path = tmp.File("twotypes.pth");
        var t = Rebuild("K\u0004", "K\u0000", "K\u0004\u0085", "K\u0001\u0085")[2..^1]; // the tensor, without PROTO and STOP
        var p = "\u0080\u0002" + t + t.Replace("FloatStorage", "IntStorage", StringComparison.Ordinal) + "\u0086.";
        File.WriteAllBytes(path, Zip(Pickle(p), ("data/0", new byte[16])));
        Assert.Contains("both FloatStorage and IntStorage", Assert.Throws<InvalidDataException>(() => TorchLoad.Read(path)).Message);
    }

    [Fact]
    public void A_large_tuple_key_reused_many_times_is_hashed_once()
    {
        var p = new List<byte> { 0x80, 2, (byte)'}', (byte)'(' };
        for (var i = 0; i < 100_000; i++) p.AddRange([(byte)'J', (byte)i, (byte)(i >> 8), (byte)(i >> 16), 0]);
        p.AddRange("tq\u0000Ns"u8.ToArray());
        for (var i = 0; i < 100_000; i++) p.AddRange("h\u0000Ns"u8.ToArray());
        p.Add((byte)'.');
        using var tmp = new IoFixtures.TempDir();
        var path = tmp.File("keys.pth");
        File.WriteAllBytes(path, Zip([.. p]));
        var d = Assert.IsType<PickleDict>(TorchLoad.Read(path).Root);
        Assert.Equal(100_000, Assert.IsType<PickleTuple>(Assert.Single(d.Keys)).Count);
    }

    [Fact]
    public void Deeply_nested_keys_and_values_fail_cleanly_without_overflowing_the_stack()
    {
        // 200k nested 1-tuples used as a dict key, then as the argument of a rejected call
        var nested = new List<byte> { 0x80, 2, (byte)'}', (byte)'K', 1 };
        for (var i = 0; i < 200_000; i++) nested.Add(0x85);
        using var tmp = new IoFixtures.TempDir();
        var path = tmp.File("deep.pth");
        File.WriteAllBytes(path, Zip([.. nested, (byte)'N', (byte)'s', (byte)'.']));
        Assert.Contains("nested too deeply", Assert.Throws<InvalidDataException>(() => TorchLoad.Read(path)).Message);
        var call = new List<byte> { 0x80, 2 };
        call.AddRange("ccollections\nOrderedDict\n"u8.ToArray());
        call.AddRange([(byte)'K', 1]);
        for (var i = 0; i < 200_000; i++) call.Add(0x85);
        call.AddRange([0x85, (byte)'R', (byte)'.']);
        File.WriteAllBytes(path, Zip([.. call]));
        var e = Assert.Throws<InvalidDataException>(() => TorchLoad.Read(path));
        Assert.True(e.Message.Length < 500, e.Message);
    }

    [Fact]
    public void A_well_formed_hand_pickle_rebuilds_the_view()
    {
        using var tmp = new IoFixtures.TempDir();
        var path = tmp.File("ok.pth");
        var data = new byte[16];
        for (var i = 0; i < 4; i++) BitConverter.GetBytes((float)(i + 1)).CopyTo(data, 4 * i);
        File.WriteAllBytes(path, Zip(Pickle(Rebuild("K\u0004", "K\u0001", "K\u0002\u0085", "K\u0002\u0085")), ("data/0", data)));
        var t = Assert.IsType<Tensor>(TorchLoad.Read(path).Root);
        Assert.Equal([2.0, 4.0], t.ToDoubleArray());
    }

    [Theory]
    [InlineData("little", null)]
    [InlineData("big", "byteorder 'big'")]
    public void The_byteorder_record_of_newer_torch_is_honoured(string order, string? error)
    {
        using var tmp = new IoFixtures.TempDir();
        var path = tmp.File("order.pth");
        File.WriteAllBytes(path, Zip(Pickle("\u0080\u0002K\u0007."), ("byteorder", Encoding.ASCII.GetBytes(order))));
        if (error is null) Assert.Equal(7L, TorchLoad.Read(path).Root);
        else Assert.Contains(error, Assert.Throws<InvalidDataException>(() => TorchLoad.Read(path)).Message);
    }

    [Fact]
    public void TorchScript_archives_are_rejected_clearly()
    {
        using var tmp = new IoFixtures.TempDir();
        var path = tmp.File("script.pt");
        File.WriteAllBytes(path, Zip(Pickle("\u0080\u0002N."), ("constants.pkl", Pickle("\u0080\u0002).")), ("code/m.py", [])));
        Assert.Contains("TorchScript", Assert.Throws<InvalidDataException>(() => TorchLoad.Read(path)).Message);
    }

    [Fact]
    public void A_corrupted_storage_byte_fails_the_zip_checksum()
    {
        var bytes = File.ReadAllBytes(IoFixtures.File_("plain.pth"));
        var first = (float)IoFixtures.Expected("plain").GetProperty("0.weight").GetProperty("values")[0].GetDouble();
        var at = bytes.AsSpan().IndexOf(BitConverter.GetBytes(first));
        Assert.True(at > 0);
        bytes[at] ^= 0x10;
        using var tmp = new IoFixtures.TempDir();
        var path = tmp.File("flip.pth");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => TorchLoad.Read(path));
        Assert.Contains("flip.pth", e.Message);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(100)]
    [InlineData(1000)]
    [InlineData(2800)]
    public void Truncated_zips_throw_InvalidDataException(int keep)
    {
        using var tmp = new IoFixtures.TempDir();
        var path = tmp.File("trunc.pth");
        File.WriteAllBytes(path, File.ReadAllBytes(IoFixtures.File_("plain.pth"))[..keep]);
        var e = Assert.Throws<InvalidDataException>(() => TorchLoad.Read(path));
        Assert.Contains("trunc.pth", e.Message);
    }

    [Theory]
    [InlineData(new byte[] { 0x7f, 0x45, 0x4c, 0x46, 1, 2 }, "not a PyTorch zip")]
    [InlineData(new byte[] { }, "not a PyTorch zip")]
    [InlineData(new byte[] { (byte)'P', (byte)'K', 5, 6, 0, 0 }, "corrupt zip")]
    public void Wrong_magic_throws(byte[] bytes, string message)
    {
        using var tmp = new IoFixtures.TempDir();
        var path = tmp.File("magic.pth");
        File.WriteAllBytes(path, bytes);
        Assert.Contains(message, Assert.Throws<InvalidDataException>(() => TorchLoad.Read(path)).Message);
    }

    [Fact]
    public void A_zip_without_data_pkl_throws()
    {
        using var tmp = new IoFixtures.TempDir();
        var path = tmp.File("nopkl.pth");
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true)) zip.CreateEntry("x/other");
        File.WriteAllBytes(path, ms.ToArray());
        Assert.Contains("data.pkl", Assert.Throws<InvalidDataException>(() => TorchLoad.Read(path)).Message);
    }
}
