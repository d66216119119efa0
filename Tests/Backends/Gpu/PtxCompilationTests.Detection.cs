using Scratch.Backends.Gpu;
using Xunit;

namespace Scratch.Tests.Backends.Gpu;

public sealed partial class PtxCompilationTests
{
    [Fact]
    public void DetectionAndLossKernelsCompile()
    {
        var failures = new List<string>();
        foreach (var t in Floats)
        {
            failures.Add(CompileIn(typeof(DetectionGpuKernels), "MaxForward", false, t));
            failures.Add(CompileIn(typeof(DetectionGpuKernels), "NmsMask", true, t));
            foreach (var k in new[]
                     { "Pick", "WeightedRowSum", "CrossEntropyBackward", "RowScatter", "SmoothL1", "SmoothL1Backward" })
                failures.Add(CompileIn(typeof(LossGpuKernels), k, false, t));
        }
        failures.Add(CompileIn(typeof(DetectionGpuKernels), "MaxBackwardF32", false));
        failures.Add(CompileIn(typeof(DetectionGpuKernels), "MaxBackwardF64", false));
        failures.RemoveAll(f => f == "");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
