using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using Scratch.Backends.Gpu;
using Xunit;

namespace Scratch.Tests.Backends.Gpu;

/// <summary>The GEMM, tensor-core and convolution kernels compile to PTX for sm_80, and the tensor-core kernel's PTX
/// holds each format's inline <c>mma.sync</c> and <c>cvt</c> instructions. No GPU needed.</summary>
[Trait("Backend", "Ptx")]
public sealed class GemmPtxTests : IDisposable
{
    private readonly Context _context;
    private readonly PTXBackend _ptx;

    public GemmPtxTests()
    {
        _ = GpuRuntime.Context;
        _context = Context.Create(b => b.Math(MathMode.Default).EnableAlgorithms());
        _ptx = new PTXBackend(_context, new CudaCapabilityContext(CudaArchitecture.SM_80), CudaArchitecture.SM_80,
            CudaInstructionSet.ISA_80, null);
    }

    public void Dispose()
    {
        _ptx.Dispose();
        _context.Dispose();
    }

    private string Ptx(Type owner, string kernel, bool explicitGroups, params Type[] generic)
    {
        var method = owner.GetMethod(kernel)!;
        var m = method.IsGenericMethodDefinition ? method.MakeGenericMethod(generic) : method;
        var entry = explicitGroups
            ? EntryPointDescription.FromExplicitlyGroupedKernel(m)
            : EntryPointDescription.FromImplicitlyGroupedKernel(m);
        var ptx = ((PTXCompiledKernel)_ptx.Compile(entry, KernelSpecialization.Empty)).PTXAssembly;
        Assert.Contains(".entry", ptx, StringComparison.Ordinal);
        return ptx;
    }

    [Fact]
    public void RegisterBlockedGemmCompilesForMatmulAndImplicitConv()
    {
        foreach (var t in new[] { typeof(float), typeof(double) })
        {
            Ptx(typeof(GemmGpuKernels), "Gemm", true, t, typeof(StridedOperand), typeof(StridedOperand),
                typeof(DenseOutput));
            Ptx(typeof(GemmGpuKernels), "Gemm", true, t, typeof(StridedOperand), typeof(Im2ColOperand),
                typeof(ConvOutput));
            // The conv gradients: weight (gy by transposed im2col), stride-1 input (flipped filters by im2col of gy).
            Ptx(typeof(GemmGpuKernels), "Gemm", true, t, typeof(ConvGradOperand), typeof(Im2ColTransposedOperand),
                typeof(DenseOutput));
            Ptx(typeof(GemmGpuKernels), "Gemm", true, t, typeof(FlippedFilterOperand), typeof(Im2ColOperand),
                typeof(ConvOutput));
            Ptx(typeof(DepthwiseGpuKernels), "Forward", false, t);
        }
    }

    [Theory]
    [InlineData(typeof(Tf32Core), "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32", "cvt.rna.tf32.f32")]
    [InlineData(typeof(Bf16Core), "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32", "cvt.rn.bf16x2.f32")]
    [InlineData(typeof(F16Core), "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32", "cvt.rn.f16x2.f32")]
    public void TensorCoreKernelEmitsItsMmaAndRounding(Type core, string mma, string cvt)
    {
        var ptx = Ptx(typeof(TensorCoreGpuKernels), "GemmMma", true, typeof(StridedOperand), typeof(StridedOperand),
            typeof(DenseOutput), core);
        // One mma per 16×8 tile of the warp's 64×32 tile, with no barrier among them; A and B are rounded by the
        // format's cvt when staged (once each per staging step, however far the compiler unrolls it).
        Assert.Equal(16, Count(ptx, mma));
        var cvts = Count(ptx, cvt);
        Assert.True(cvts >= 2 && cvts % 2 == 0, $"{cvts} {cvt}");
        Assert.DoesNotContain("bar.sync", string.Concat(ptx.Split(mma)[1..^1]), StringComparison.Ordinal);
        Ptx(typeof(TensorCoreGpuKernels), "GemmMma", true, typeof(StridedOperand), typeof(Im2ColOperand),
            typeof(ConvOutput), core);
        Ptx(typeof(TensorCoreGpuKernels), "GemmMma", true, typeof(ConvGradOperand), typeof(Im2ColTransposedOperand),
            typeof(DenseOutput), core);
        Ptx(typeof(TensorCoreGpuKernels), "GemmMma", true, typeof(FlippedFilterOperand), typeof(Im2ColOperand),
            typeof(ConvOutput), core);
    }

    private static int Count(string text, string what) =>
        (text.Length - text.Replace(what, "", StringComparison.Ordinal).Length) / what.Length;
}
