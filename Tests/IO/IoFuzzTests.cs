using Scratch.IO;
using Xunit;
using Xunit.Abstractions;

namespace Scratch.Tests.IO;

/// <summary>Mutation fuzzing of the readers over the committed fixtures: every mutated file must either load or
/// fail with a controlled exception (InvalidDataException, UnsafePickleException), never crash, hang or allocate
/// far beyond the file's size.</summary>
[Trait("Category", "Long")]
public class IoFuzzTests(ITestOutputHelper output)
{
    /// <summary>Mutations per fixture: 10k, or $SCRATCH_FUZZ_MUTATIONS for a longer run.</summary>
    private static readonly int Mutations =
        int.TryParse(Environment.GetEnvironmentVariable("SCRATCH_FUZZ_MUTATIONS"), out var n) && n > 0 ? n : 10_000;
    private const long AllocationBound = 64L << 20;

    private static byte[] Mutate(byte[] src, Random rng)
    {
        var b = (byte[])src.Clone();
        switch (rng.Next(6))
        {
            case 0: // bit flips
                for (int i = 0, n = rng.Next(1, 9); i < n; i++) b[rng.Next(b.Length)] ^= (byte)(1 << rng.Next(8));
                return b;
            case 1: // interesting bytes
                byte[] pick = [0, 0xff, 0x7f, 0x80, 0x01, (byte)'(', (byte)'.', (byte)'}'];
                for (int i = 0, n = rng.Next(1, 5); i < n; i++) b[rng.Next(b.Length)] = pick[rng.Next(pick.Length)];
                return b;
            case 2: // truncation
                return b[..rng.Next(b.Length)];
            case 3: // a run of random bytes
                var at = rng.Next(b.Length);
                var run = b.AsSpan(at, Math.Min(b.Length - at, rng.Next(1, 16)));
                rng.NextBytes(run);
                return b;
            case 4: // delete a chunk
                var d = rng.Next(b.Length);
                var len = Math.Min(b.Length - d, rng.Next(1, 32));
                return [.. b.AsSpan(0, d), .. b.AsSpan(d + len)];
            default: // duplicate a chunk
                var s = rng.Next(b.Length);
                var l = Math.Min(b.Length - s, rng.Next(1, 32));
                return [.. b.AsSpan(0, s + l), .. b.AsSpan(s, l), .. b.AsSpan(s + l)];
        }
    }

    private (int Loaded, int Rejected) Run(string fixture, Action<byte[]> read, int seed)
    {
        var src = File.ReadAllBytes(IoFixtures.File_(fixture));
        var rng = new Random(seed * 1_000_003 + Mutations);
        int loaded = 0, rejected = 0;
        for (var i = 0; i < Mutations; i++)
        {
            var bytes = Mutate(src, rng);
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                read(bytes);
                loaded++;
            }
            catch (Exception e) when (e is InvalidDataException or UnsafePickleException)
            {
                rejected++;
            }
            catch (Exception e)
            {
                File.WriteAllBytes(Path.Combine(Path.GetTempPath(), $"fuzz-{fixture}-{i}.bin"), bytes);
                Assert.Fail($"{fixture} mutation {i} (seed {seed}): uncontrolled {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < AllocationBound, $"{fixture} mutation {i} (seed {seed}) allocated {allocated} bytes");
        }
        output.WriteLine($"{fixture}: {Mutations} mutations, {loaded} loaded, {rejected} rejected with a controlled exception");
        return (loaded, rejected);
    }

    [Theory]
    [InlineData("plain.safetensors", 1)]
    [InlineData("dtypes.safetensors", 2)]
    public void Safetensors_mutations_fail_cleanly(string fixture, int seed)
    {
        using var tmp = new IoFixtures.TempDir();
        var path = tmp.File("m.safetensors");
        var n = 0;
        var (_, rejected) = Run(fixture, b =>
        {
            // every 10th case goes through the memory-mapped file path, the rest through Parse
            if (n++ % 10 == 0)
            {
                File.WriteAllBytes(path, b);
                Safetensors.Read(path);
            }
            else
            {
                Safetensors.Parse(b, "m.safetensors");
            }
        }, seed);
        Assert.True(rejected > Mutations / 2);
    }

    [Theory]
    [InlineData("plain.pth", 3)]
    [InlineData("nested.pth", 4)]
    [InlineData("shared.pth", 5)]
    [InlineData("dtypes.pth", 6)]
    public void Torch_mutations_fail_cleanly(string fixture, int seed)
    {
        var (_, rejected) = Run(fixture, b =>
        {
            using var ms = new MemoryStream(b, writable: false);
            TorchLoad.Read(ms, "m.pth");
        }, seed);
        Assert.True(rejected > Mutations / 2);
    }

    [Fact]
    public void Pickle_mutations_inside_a_valid_zip_fail_cleanly()
    {
        // mutate only data.pkl (the zip layer's CRC check would otherwise reject most cases before the unpickler)
        using var zip = new System.IO.Compression.ZipArchive(File.OpenRead(IoFixtures.File_("nested.pth")));
        var pklEntry = zip.Entries.Single(e => e.FullName.EndsWith("data.pkl", StringComparison.Ordinal));
        var pkl = new byte[pklEntry.Length];
        using (var s = pklEntry.Open()) s.ReadExactly(pkl);
        var storages = zip.Entries.Where(e => e.FullName.Contains("/data/", StringComparison.Ordinal)).Select(e =>
        {
            var b = new byte[e.Length];
            using var s = e.Open();
            s.ReadExactly(b);
            return (e.FullName[(e.FullName.IndexOf('/') + 1)..], b);
        }).ToArray();
        var rng = new Random(7);
        int loaded = 0, rejected = 0;
        for (var i = 0; i < Mutations; i++)
        {
            var bytes = TorchLoadTests.Zip(Mutate(pkl, rng), storages);
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                using var ms = new MemoryStream(bytes, writable: false);
                TorchLoad.Read(ms, "p.pth");
                loaded++;
            }
            catch (Exception e) when (e is InvalidDataException or UnsafePickleException)
            {
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"pickle mutation {i}: uncontrolled {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < AllocationBound, $"pickle mutation {i} allocated too much");
        }
        output.WriteLine($"data.pkl of nested.pth: {Mutations} mutations, {loaded} loaded, {rejected} rejected with a controlled exception");
    }
}
