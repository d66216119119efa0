using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Scratch.IO;
using Scratch.NN;
using Xunit;

namespace Scratch.Tests.IO;

public class SafetensorsTests
{
    [Fact]
    public void Reads_the_plain_fixture_exactly_with_metadata()
    {
        // torch 1.13: Sequential(Linear(4,3), BatchNorm1d(3), Linear(3,2)).state_dict(), written by make_io_fixtures.py
        var f = Safetensors.Read(IoFixtures.File_("plain.safetensors"));
        IoFixtures.AssertStateDict(IoFixtures.Expected("plain"), f.StateDict);
        Assert.Equal("pt", f.Metadata["format"]);
        Assert.Equal("plain", f.Metadata["note"]);
    }

    [Fact]
    public void Reads_every_dtype_and_widens_narrow_types()
    {
        // torch 1.13: the "dtypes" dict of make_io_fixtures.py (f16/bf16 -> F32, i16/i8 -> I32, scalar, empty)
        var f = Safetensors.Read(IoFixtures.File_("dtypes.safetensors"));
        IoFixtures.AssertStateDict(IoFixtures.Expected("dtypes"), f.StateDict);
        Assert.Empty(f.Metadata);
    }

    [Fact]
    public void Write_then_read_round_trips_every_dtype_views_and_order()
    {
        var baseT = Tensor.Arange(0, 12, 1, DType.F32).Reshape(3, 4);
        var sd = new StateDict
        {
            { "z.first", Tensor.FromDoubles([1.5, -2, 3e-8], new Shape(3), DType.F64) },
            { "a.view", baseT.Transpose(0, 1) },
            { "i32", Tensor.From([int.MinValue, 0, int.MaxValue]) },
            { "i64", Tensor.From([long.MinValue, 1L << 40]) },
            { "u8", Tensor.From(new byte[] { 0, 255 }) },
            { "mask", Tensor.From([true, false, true]) },
            { "scalar", Tensor.Scalar(4.25) },
            { "empty", Tensor.Zeros(new Shape(0, 2)) },
        };
        using var tmp = new IoFixtures.TempDir();
        var path = tmp.File("w.safetensors");
        Safetensors.Write(path, sd, new Dictionary<string, string> { ["k"] = "v" });
        var back = Safetensors.Read(path);
        Assert.Equal(sd.Keys.ToArray(), back.StateDict.Keys.ToArray());
        foreach (var (k, t) in sd)
        {
            Assert.Equal(t.DType, back.StateDict[k].DType);
            Assert.Equal(t.Shape, back.StateDict[k].Shape);
            Assert.Equal(t.ToDoubleArray(), back.StateDict[k].ToDoubleArray());
        }
        Assert.Equal("v", back.Metadata["k"]);
        var bytes = File.ReadAllBytes(path);
        var n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, n % 8);
        Assert.Single(Directory.GetFiles(tmp.Path));
    }

    [Fact]
    public void Write_replaces_an_existing_file()
    {
        using var tmp = new IoFixtures.TempDir();
        var path = tmp.File("x.safetensors");
        File.WriteAllText(path, "old");
        Safetensors.Write(path, new StateDict { { "w", Tensor.Ones(new Shape(2)) } });
        Assert.Equal([1.0, 1.0], Safetensors.Read(path).StateDict["w"].ToDoubleArray());
        Assert.Single(Directory.GetFiles(tmp.Path));
    }

    [Fact]
    public void Module_save_and_load_round_trip()
    {
        var a = new Sequential(new Linear(4, 3, generator: new Generator(1)), new BatchNorm1d(3), new Linear(3, 2, generator: new Generator(2)));
        var b = new Sequential(new Linear(4, 3, generator: new Generator(3)), new BatchNorm1d(3), new Linear(3, 2, generator: new Generator(4)));
        using var tmp = new IoFixtures.TempDir();
        var path = tmp.File("m.safetensors");
        a.SaveSafetensors(path);
        Assert.True(b.LoadSafetensors(path).IsExact);
        foreach (var (k, t) in a.StateDict()) Assert.Equal(t.ToDoubleArray(), b.StateDict()[k].ToDoubleArray());
        var c = new Sequential(new Linear(4, 3), new BatchNorm1d(3), new Linear(3, 2));
        Assert.True(c.LoadStateDict(Safetensors.Read(path).StateDict).IsExact);
    }

    [Fact]
    public void Reference_device_modules_save_and_load()
    {
        var a = new Linear(3, 2, generator: new Generator(9));
        a.To(Device.Reference);
        using var tmp = new IoFixtures.TempDir();
        var path = tmp.File("ref.safetensors");
        a.SaveSafetensors(path);
        var b = new Linear(3, 2);
        b.To(Device.Reference);
        Assert.True(b.LoadSafetensors(path).IsExact);
        Assert.Equal(DeviceKind.Reference, b.Weight.Device.Kind);
        Assert.Equal(a.Weight.ToDoubleArray(), b.Weight.ToDoubleArray());
        var pth = tmp.File("ref.pth");
        TorchSave.Write(pth, a.StateDict());
        var c = new Linear(3, 2);
        Assert.True(c.LoadTorch(pth).IsExact);
        Assert.Equal(a.Bias!.ToDoubleArray(), c.Bias!.ToDoubleArray());
    }

    [Fact]
    public void Module_loads_the_torch_written_fixture()
    {
        var m = new Sequential(new Linear(4, 3), new BatchNorm1d(3), new Linear(3, 2));
        Assert.True(m.LoadSafetensors(IoFixtures.File_("plain.safetensors")).IsExact);
        IoFixtures.AssertTensor(IoFixtures.Expected("plain").GetProperty("2.weight"), m.StateDict()["2.weight"], "2.weight");
        var wrong = new Sequential(new Linear(4, 3), new BatchNorm1d(3), new Linear(3, 5));
        Assert.Throws<StateDictMismatchException>(() => wrong.LoadSafetensors(IoFixtures.File_("plain.safetensors")));
        Assert.Equal(["2.weight", "2.bias"], wrong.LoadSafetensors(IoFixtures.File_("plain.safetensors"), strict: false).ShapeMismatchedKeys);
    }

    private static byte[] Build(string json, int dataBytes, ulong? declared = null)
    {
        var h = Encoding.UTF8.GetBytes(json);
        var b = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(b, declared ?? (ulong)h.Length);
        h.CopyTo(b, 8);
        return b;
    }

    public static TheoryData<string, int, string> BadHeaders => new()
    {
        { """{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}""", 8, "malformed JSON" },
        { """{"w":{"dtype":"Q7","shape":[2],"data_offsets":[0,8]}}""", 8, "unknown dtype 'Q7'" },
        { """{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", 8, "dimension 0" },
        { """{"w":{"dtype":"F32","shape":[2147483647,2147483647,2147483647],"data_offsets":[0,8]}}""", 8, "overflows" },
        { """{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,800]}}""", 8, "run past the data section" },
        { """{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8, "needs 12" },
        { """{"w":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}""", 8, "begin <= end" },
        { """{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"v":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12, "overlap" },
        { """{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, "gap" },
        { """{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 8, "data section holds 8" },
        { """{"w":{"dtype":"F32","shape":[1]}}""", 4, "data_offsets" },
        { """[1,2]""", 0, "not a JSON object" },
        { """{"__metadata__":{"a":1}}""", 0, "not a string" },
    };

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public void Bad_headers_throw_InvalidDataException_naming_file_key_and_problem(string json, int dataBytes, string problem)
    {
        using var tmp = new IoFixtures.TempDir();
        var path = tmp.File("bad.safetensors");
        File.WriteAllBytes(path, Build(json, dataBytes));
        var e = Assert.Throws<InvalidDataException>(() => Safetensors.Read(path));
        Assert.Contains("bad.safetensors", e.Message);
        Assert.Contains(problem, e.Message);
        if (json.Contains("\"w\"", StringComparison.Ordinal) && !problem.Contains("JSON", StringComparison.Ordinal) &&
            !problem.StartsWith("data section", StringComparison.Ordinal))
            Assert.Contains("'w'", e.Message);
    }

    [Theory]
    [InlineData(0, "shorter than the 8-byte")]
    [InlineData(5, "shorter than the 8-byte")]
    public void Short_files_throw(int length, string problem)
    {
        using var tmp = new IoFixtures.TempDir();
        var path = tmp.File("short.safetensors");
        File.WriteAllBytes(path, new byte[length]);
        Assert.Contains(problem, Assert.Throws<InvalidDataException>(() => Safetensors.Read(path)).Message);
    }

    [Theory]
    [InlineData(1000UL)]
    [InlineData(ulong.MaxValue)]
    [InlineData(200_000_000UL)]
    public void Header_length_beyond_the_file_throws_without_allocating(ulong declared)
    {
        using var tmp = new IoFixtures.TempDir();
        var path = tmp.File("long.safetensors");
        File.WriteAllBytes(path, Build("{}", 0, declared));
        var e = Assert.Throws<InvalidDataException>(() => Safetensors.Read(path));
        Assert.Contains("header length", e.Message);
        Assert.Contains("long.safetensors", e.Message);
    }

    [Fact]
    public void Write_rejects_the_reserved_metadata_key()
    {
        using var tmp = new IoFixtures.TempDir();
        var e = Assert.Throws<ArgumentException>(() =>
            Safetensors.Write(tmp.File("m.safetensors"), new StateDict { { "__metadata__", Tensor.Ones(new Shape(1)) } }));
        Assert.Equal("stateDict", e.ParamName);
    }

    [Fact]
    public void Written_header_is_the_reference_layout()
    {
        using var tmp = new IoFixtures.TempDir();
        var path = tmp.File("h.safetensors");
        Safetensors.Write(path, new StateDict { { "b", Tensor.Ones(new Shape(1, 2)) }, { "a", Tensor.Zeros(new Shape(3), DType.I64) } });
        var bytes = File.ReadAllBytes(path);
        var n = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        using var doc = JsonDocument.Parse(bytes.AsMemory(8, n));
        Assert.Equal(["b", "a"], doc.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("[0,8]", doc.RootElement.GetProperty("b").GetProperty("data_offsets").GetRawText());
        Assert.Equal("[8,32]", doc.RootElement.GetProperty("a").GetProperty("data_offsets").GetRawText());
        Assert.Equal(8 + n + 32, bytes.Length);
    }
}
