using Scratch.Backends.Gpu;
using Xunit;

namespace Scratch.Tests.Backends.Gpu;

public sealed partial class PtxCompilationTests
{
    [Fact]
    public void IndexAndSortKernelsCompile()
    {
        var failures = new List<string>();
        foreach (var t in Numbers)
        {
            failures.Add(CompileIn(typeof(IndexGpuKernels), "Take", false, t));
            failures.Add(CompileIn(typeof(IndexGpuKernels), "PutClaimed", false, t));
            failures.Add(CompileIn(typeof(IndexGpuKernels), "Where", false, t));
        }
        foreach (var k in new[] { "PutAddF32", "PutAddF64", "PutAddI32", "PutAddI64", "Claim", "AlongDim", "Range" })
            failures.Add(CompileIn(typeof(IndexGpuKernels), k, false));
        (Type T, Type Key)[] keys =
        [
            (typeof(float), typeof(F32SortKey)), (typeof(double), typeof(F64SortKey)),
            (typeof(int), typeof(I32SortKey)), (typeof(long), typeof(I64SortKey)), (typeof(byte), typeof(U8SortKey)),
        ];
        failures.AddRange(keys.Select(k => CompileIn(typeof(SortGpuKernels), "Keys", false, k.T, k.Key)));
        failures.AddRange(keys.Where(k => k.T != typeof(long) && k.T != typeof(double))
            .Select(k => CompileIn(typeof(SortGpuKernels), "PackedKeys", false, k.T, k.Key)));
        failures.Add(CompileIn(typeof(SortGpuKernels), "UnpackPositions", false));
        failures.Add(CompileIn(typeof(SortGpuKernels), "Step", false));
        failures.Add(CompileIn(typeof(SortGpuKernels), "Emit", false));
        failures.RemoveAll(f => f == "");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void ReduceRowAndOptimizerKernelsCompile()
    {
        var failures = new List<string>();
        foreach (var t in Floats)
        {
            failures.Add(CompileIn(typeof(ReduceRowGpuKernels), "LogSumExp", true, t));
            failures.Add(CompileIn(typeof(ReduceRowGpuKernels), "Norm", true, t));
            failures.Add(CompileIn(typeof(ReduceRowGpuKernels), "NormGrad", false, t));
            failures.Add(CompileIn(typeof(OptimGpuKernels), "Sgd", false, t));
            failures.Add(CompileIn(typeof(OptimGpuKernels), "Adam", false, t));
        }
        foreach (var t in new[] { typeof(float), typeof(double), typeof(int), typeof(long) })
            failures.Add(CompileIn(typeof(ReduceRowGpuKernels), "Scan", false, t));
        failures.RemoveAll(f => f == "");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
