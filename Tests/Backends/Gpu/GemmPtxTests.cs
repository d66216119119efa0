using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using Scratch.Backends.Gpu;
using Xunit;

namespace Scratch.Tests.Backends.Gpu;

/// <summary>The GEMM, tensor-core and convolution kernels compile to PTX for sm_80, and the TF32 kernel's PTX holds
/// the inline <c>mma.sync</c> and <c>cvt.rna.tf32</c> instructions. No GPU needed.</summary>
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

    [Fact]
    public void Tf32KernelEmitsTensorCoreMma()
    {
        var ptx = Ptx(typeof(TensorCoreGpuKernels), "GemmTf32", true, typeof(StridedOperand), typeof(StridedOperand),
            typeof(DenseOutput));
        Assert.Contains("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32", ptx, StringComparison.Ordinal);
        Assert.Contains("cvt.rna.tf32.f32", ptx, StringComparison.Ordinal);
        Ptx(typeof(TensorCoreGpuKernels), "GemmTf32", true, typeof(StridedOperand), typeof(Im2ColOperand),
            typeof(ConvOutput));
        Ptx(typeof(TensorCoreGpuKernels), "GemmTf32", true, typeof(ConvGradOperand), typeof(Im2ColTransposedOperand),
            typeof(DenseOutput));
        Ptx(typeof(TensorCoreGpuKernels), "GemmTf32", true, typeof(FlippedFilterOperand), typeof(Im2ColOperand),
            typeof(ConvOutput));
    }
}
