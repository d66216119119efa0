using System.Text.Json;
using Xunit;

namespace Scratch.Tests.Cli;

/// <summary><c>scratch bench gemm|conv --device ilgpu-cpu</c> at toy sizes, the path <c>Benchmarks/gpu-compare.sh</c>
/// takes on a GPU: one JSON line naming the kernel, and the spot check of the result against the host.</summary>
public class GpuBenchTests
{
    private static JsonElement Bench(params string[] args)
    {
        var run = CliProcess.Run(CliProcess.RepoRoot(), [CliProcess.Dll, "bench", .. args, "--device", "ilgpu-cpu",
            "--runs", "1", "--json"]);
        Assert.True(run.Code == 0, run.Stdout + run.Stderr);
        using var doc = JsonDocument.Parse(run.Stdout.Trim().Split('\n')[^1]);
        return doc.RootElement.Clone();
    }

    [Theory]
    [InlineData("", "gemm_float32_70x40x50")]
    [InlineData("--tf32", "gemm_tf32_70x40x50")]
    [InlineData("--bf16", "gemm_bf16_70x40x50")]
    [InlineData("--f16", "gemm_f16_70x40x50")]
    public void GemmReportsItsKernelAndAPassingCheck(string precision, string name)
    {
        string[] args = ["gemm", "--m", "70", "--n", "40", "--k", "50"];
        var r = Bench(precision == "" ? args : [.. args, precision]);
        Assert.Equal(name, r.GetProperty("name").GetString());
        Assert.Equal("ok", r.GetProperty("check").GetString());
        Assert.InRange(r.GetProperty("check_err").GetDouble(), 0, 1e-5);
    }

    [Fact]
    public void ConvChecksItsOutputAndBothGradients()
    {
        var r = Bench("conv", "--batch", "2", "--cin", "3", "--cout", "5", "--size", "6");
        Assert.Equal("conv3x3_3_5_b2_6", r.GetProperty("name").GetString());
        Assert.Equal("ok", r.GetProperty("check").GetString());
        Assert.True(r.GetProperty("ms_fwdbwd").GetDouble() > 0);
    }
}
