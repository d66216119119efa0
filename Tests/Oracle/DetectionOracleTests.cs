using Xunit;

namespace Scratch.Tests.Oracle;

/// <summary>Scratch against PyTorch 1.13 on the "detection" fixtures (Tests/Fixtures/ops/detection.safetensors, written by
/// Tests/Fixtures/make_fixtures.py): outputs and input gradients, each case on Device.Cpu and Device.Reference.</summary>
public class DetectionOracleTests
{
    private const string Family = "detection";

    /// <summary>Cases that disagree with PyTorch; each has a skipped test below stating why.</summary>
    private static readonly string[] Skipped = [];

    /// <summary>(case, device) pairs.</summary>
    public static TheoryData<string, string> Cases => Oracle.Cases(Family, Skipped);

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesTorch(string caseName, string device) => Oracle.Run(Family, caseName, device, block: false);

    [Fact]
    public void SkipListNamesFixtureCases() => Assert.All(Skipped, s => Assert.Contains(s, Oracle.Names(Family)));
}
