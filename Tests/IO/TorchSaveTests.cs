using Scratch.IO;
using Scratch.NN;
using Xunit;

namespace Scratch.Tests.IO;

public class TorchSaveTests
{
    /// <summary>Where the round-trip files go: $SCRATCH_IO_EXPORT when set (Tests/Fixtures/verify_torchsave.py then
    /// loads them with torch.load(weights_only=True)), otherwise a temporary folder.</summary>
    private static (string Dir, IDisposable? Cleanup) OutDir()
    {
        var export = Environment.GetEnvironmentVariable("SCRATCH_IO_EXPORT");
        if (!string.IsNullOrEmpty(export))
        {
            Directory.CreateDirectory(export);
            return (export, null);
        }
        var tmp = new IoFixtures.TempDir();
        return (tmp.Path, tmp);
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("dtypes")]
    [InlineData("shared")]
    [InlineData("param")]
    [InlineData("nested")]
    public void Fixture_state_dicts_round_trip_through_TorchSave(string fixture)
    {
        var (dir, cleanup) = OutDir();
        using var _ = cleanup;
        var sd = TorchLoad.ReadStateDict(IoFixtures.File_(fixture + ".pth"));
        var path = Path.Combine(dir, fixture + ".scratch.pth");
        TorchSave.Write(path, sd);
        var back = TorchLoad.ReadStateDict(path);
        Assert.Equal(sd.Keys.ToArray(), back.Keys.ToArray());
        foreach (var (k, t) in sd)
        {
            Assert.Equal(t.DType, back[k].DType);
            Assert.Equal(t.Shape, back[k].Shape);
            Assert.Equal(t.Offset, back[k].Offset);
            Assert.Equal(t.Strides.ToArray(), back[k].Strides.ToArray());
            Assert.Equal(t.ToDoubleArray(), back[k].ToDoubleArray());
        }
        if (fixture == "shared") Assert.All(back, kv => Assert.Same(back["base"].Storage, kv.Value.Storage));
    }

    [Fact]
    public void Module_state_with_views_and_large_ints_round_trips()
    {
        var (dir, cleanup) = OutDir();
        using var _ = cleanup;
        var m = new Sequential(new Linear(3, 2, generator: new Generator(5)), new BatchNorm1d(2));
        var sd = m.StateDict();
        sd.Add("extra.t", Tensor.Arange(0, 6, 1, DType.F64).Reshape(2, 3).Transpose(0, 1));
        sd.Add("extra.big", Tensor.From([long.MaxValue, long.MinValue, 1L << 40]));
        sd.Add("extra.mask", Tensor.From([true, false]));
        sd.Add("extra.u8", Tensor.From(new byte[] { 7, 255 }));
        sd.Add("extra.i32", Tensor.From([-3, 4]));
        sd.Add("extra.empty", Tensor.Zeros(new Shape(0)));
        var path = Path.Combine(dir, "module.scratch.pth");
        TorchSave.Write(path, sd);
        var back = TorchLoad.ReadStateDict(path);
        foreach (var (k, t) in sd)
        {
            Assert.Equal(t.DType, back[k].DType);
            Assert.Equal(t.ToDoubleArray(), back[k].ToDoubleArray());
        }
        Safetensors.Write(Path.Combine(dir, "module.scratch.safetensors"), sd, new Dictionary<string, string> { ["format"] = "pt" });
        var fresh = new Sequential(new Linear(3, 2), new BatchNorm1d(2));
        Assert.Equal(6, fresh.LoadTorch(path, strict: false).UnexpectedKeys.Count);
        Assert.Equal(m.StateDict()["0.weight"].ToDoubleArray(), fresh.StateDict()["0.weight"].ToDoubleArray());
    }
}
