using System.Reflection;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using Scratch.Backends.Gpu;
using Scratch.Ops;
using Xunit;

namespace Scratch.Tests.Backends.Gpu;

/// <summary>Compiles every GPU kernel, instantiated for every op struct and element type, to PTX with ILGPU's PTX
/// backend. No GPU is needed, so the CUDA code path is checked on every machine.</summary>
[Trait("Backend", "Ptx")]
public sealed partial class PtxCompilationTests : IDisposable
{
    private static readonly Type[] Floats = [typeof(float), typeof(double)];
    private static readonly Type[] Numbers = [typeof(float), typeof(double), typeof(int), typeof(long), typeof(byte)];

    private readonly Context _context;
    private readonly PTXBackend _ptx;

    public PtxCompilationTests()
    {
        _ = GpuRuntime.Context; // registers the CreateTruncating remappings
        _context = Context.Create(b => b.Math(MathMode.Default).EnableAlgorithms());
        _ptx = new PTXBackend(_context, new CudaCapabilityContext(CudaArchitecture.SM_80), CudaArchitecture.SM_80,
            CudaInstructionSet.ISA_80, null);
    }

    public void Dispose()
    {
        _ptx.Dispose();
        _context.Dispose();
    }

    private static IEnumerable<Type> Ops<TInterface>() =>
        typeof(ExpOp).Assembly.GetTypes().Where(t => t is { IsValueType: true, IsPublic: true } &&
                                                     typeof(TInterface).IsAssignableFrom(t));

    private string Compile(string kernel, bool explicitGroups, params Type[] generic) =>
        CompileIn(typeof(GpuKernels), kernel, explicitGroups, generic);

    private string CompileIn(Type owner, string kernel, bool explicitGroups, params Type[] generic)
    {
        var method = owner.GetMethod(kernel)!;
        var m = method.IsGenericMethodDefinition ? method.MakeGenericMethod(generic) : method;
        var entry = explicitGroups
            ? EntryPointDescription.FromExplicitlyGroupedKernel(m)
            : EntryPointDescription.FromImplicitlyGroupedKernel(m);
        try
        {
            var ptx = ((PTXCompiledKernel)_ptx.Compile(entry, KernelSpecialization.Empty)).PTXAssembly;
            return ptx.Contains(".entry", StringComparison.Ordinal) ? "" : $"{m}: no .entry in the PTX";
        }
        catch (Exception e)
        {
            _context.ClearCache(ClearCacheMode.Everything);
            return $"{m}: {e.InnerException?.Message ?? e.Message}";
        }
    }

    [Fact]
    public void UnaryKernelsCompileForEveryOp()
    {
        var ops = Ops<IUnaryOp>().ToArray();
        Assert.Contains(typeof(ErfOp), ops);
        Assert.Contains(typeof(GeluOp), ops);
        Assert.True(ops.Length >= 15, $"found {ops.Length} unary ops");
        var failures = (from op in ops
            from t in Floats
            from k in new[] { "Map", "MapBackward", "MapQuad", "MapBackwardQuad" }
            select k.EndsWith("Quad", StringComparison.Ordinal)
                ? CompileIn(typeof(VectorGpuKernels), k, false, op, t)
                : Compile(k, false, op, t)).Where(f => f != "").ToArray();
        Assert.True(failures.Length == 0, string.Join("\n", failures));
    }

    [Fact]
    public void ContiguousFp32ElementwiseMovesFourFloatsPerAccess()
    {
        var add = Ptx(typeof(VectorGpuKernels).GetMethod("ZipQuad")!.MakeGenericMethod(typeof(AddOp), typeof(float)));
        Assert.Equal(2, Count(add, "ld.v4.f32"));
        Assert.Equal(1, Count(add, "st.v4.f32"));
        var exp = Ptx(typeof(VectorGpuKernels).GetMethod("MapQuad")!.MakeGenericMethod(typeof(ExpOp), typeof(float)));
        Assert.Equal(1, Count(exp, "ld.v4.f32"));
    }

    private string Ptx(System.Reflection.MethodInfo kernel) => ((PTXCompiledKernel)_ptx.Compile(
        EntryPointDescription.FromImplicitlyGroupedKernel(kernel), KernelSpecialization.Empty)).PTXAssembly;

    private static int Count(string text, string what) =>
        (text.Length - text.Replace(what, "", StringComparison.Ordinal).Length) / what.Length;

    [Fact]
    public void OpTestingTypeofFailsToCompile()
    {
        Assert.NotEqual("", Compile("Map", false, typeof(TypeTestingOp), typeof(float)));
        Assert.Equal("", Compile("Map", false, typeof(ExpOp), typeof(float)));
    }

    [Fact]
    public void BinaryCompareAndReduceKernelsCompileForEveryOpAndType()
    {
        var failures = new List<string>();
        foreach (var t in Numbers)
        {
            failures.AddRange(Ops<IBinaryOp>().Select(op => Compile("Zip", false, op, t)));
            failures.AddRange(Ops<IBinaryOp>().Select(op => CompileIn(typeof(VectorGpuKernels), "ZipQuad", false, op, t)));
            failures.AddRange(Ops<IBinaryOp>().Select(op => CompileIn(typeof(VectorGpuKernels), "ZipDense", false, op, t)));
            failures.AddRange(Ops<ICompareOp>().Select(op => Compile("Compare", false, op, t)));
            failures.AddRange(Ops<IReduceOp>().Select(op => Compile("Reduce", true, op, t)));
        }
        failures.RemoveAll(f => f == "");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void DataMovementArgReduceAndMatmulKernelsCompile()
    {
        var failures = new List<string>();
        foreach (var t in Numbers)
        {
            failures.Add(Compile("Fill", false, t));
            failures.Add(Compile("Copy", false, t));
            failures.Add(Compile("ToBool", false, t));
            failures.Add(Compile("ArgReduce", true, t));
            failures.AddRange(Numbers.Select(d => Compile("Cast", false, t, d)));
        }
        failures.AddRange(Floats.Select(t => Compile("Matmul", true, t)));
        failures.RemoveAll(f => f == "");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void OpKernelsCompile()
    {
        var failures = new List<string>();
        foreach (var t in Floats)
        {
            failures.Add(CompileIn(typeof(RowGpuKernels), "Softmax", true, t));
            failures.Add(CompileIn(typeof(RowGpuKernels), "SoftmaxBackward", true, t));
            failures.Add(CompileIn(typeof(ConvGpuKernels), "Col2Im", false, t));
            failures.Add(CompileIn(typeof(ConvGpuKernels), "AddBias", false, t));
            failures.Add(CompileIn(typeof(PoolGpuKernels), "MaxForward", false, t));
            failures.Add(CompileIn(typeof(PoolGpuKernels), "AvgForward", false, t));
            failures.Add(CompileIn(typeof(InterpGpuKernels), "Forward", false, t));
            failures.Add(CompileIn(typeof(NormGpuKernels), "Forward", true, t));
            failures.Add(CompileIn(typeof(RoIGpuKernels), "Forward", false, t));
            failures.Add(CompileIn(typeof(NormGpuKernels), "Backward", true, t));
        }
        foreach (var k in new[] { "MaxBackwardF32", "MaxBackwardF64", "AvgBackwardF32", "AvgBackwardF64" })
            failures.Add(CompileIn(typeof(PoolGpuKernels), k, false));
        failures.Add(CompileIn(typeof(InterpGpuKernels), "BackwardF32", false));
        failures.Add(CompileIn(typeof(InterpGpuKernels), "BackwardF64", false));
        failures.Add(CompileIn(typeof(RoIGpuKernels), "BackwardF32", false));
        failures.Add(CompileIn(typeof(RoIGpuKernels), "BackwardF64", false));
        failures.RemoveAll(f => f == "");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
