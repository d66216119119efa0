using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Backends.Gpu;

/// <summary>The GPU backend against the Reference backend, op by op; subclassed once per GPU device kind.</summary>
public abstract class GpuBackendTests : GpuSuite
{
    private static readonly DType[] Floats = [DType.F32, DType.F64];

    [GpuFact]
    public void RoundTripKeepsValuesOfEveryDType()
    {
        foreach (var dtype in new[] { DType.F32, DType.F64, DType.I32, DType.I64, DType.U8, DType.Bool })
        {
            var x = Tensor.FromDoubles([0, 1, 2, 3, 250, 7], new Shape(2, 3), dtype);
            var g = x.To(Device);
            Assert.Equal(Device, g.Device);
            Assert.Equal(x.ToDoubleArray(), g.ToDoubleArray());
            Assert.Equal(x.ToDoubleArray(), g.To(Device.Reference).ToDoubleArray());
        }
    }

    [GpuFact]
    public void ArithmeticMatchesReferenceWithBroadcasting()
    {
        var r = new Random(1);
        Func<Tensor[], Tensor>[] ops = [t => F.Add(t[0], t[1]), t => F.Sub(t[0], t[1]), t => F.Mul(t[0], t[1]),
            t => F.Div(t[0], t[1])];
        for (var c = 0; c < Cases; c++)
        {
            var dims = RandomDims(r);
            var bDims = dims.Select(d => r.Next(3) == 0 ? 1 : d).ToArray();
            var dtype = Floats[c % 2];
            var a = Values.Uniform(new Shape(dims), (ulong)c, dtype, -2, 2);
            var b = Values.AwayFromZero(new Shape(bDims), (ulong)c + 100, dtype);
            var (atol, rtol) = Tol(dtype);
            foreach (var op in ops) Same(op, [a, b], atol, rtol, $"case {c} [{string.Join(",", dims)}] {dtype}");
        }
    }

    [GpuFact]
    public void IntegerArithmeticMatchesReference()
    {
        var a = Tensor.FromDoubles([1, -2, 3, 40, 5, -6], new Shape(2, 3), DType.I64);
        var b = Tensor.FromDoubles([7, 8, -9], new Shape(3), DType.I64);
        Same(t => F.Add(t[0], t[1]), [a, b], 0, 0, "add i64");
        Same(t => F.Mul(t[0], t[1]), [a.To(DType.I32), b.To(DType.I32)], 0, 0, "mul i32");
    }

    [GpuFact]
    public void UnaryOpsMatchReference()
    {
        var r = new Random(2);
        Func<Tensor, Tensor>[] ops = [F.Exp, F.Abs, F.Cos, F.Sin, F.Tanh, F.Sigmoid, F.Silu, F.Relu, F.Neg,
            t => F.Clamp(t, -0.5, 0.75), t => F.LeakyRelu(t, 0.1), t => F.Softplus(t, 2, 3)];
        Func<Tensor, Tensor>[] positive = [F.Log, F.Sqrt, F.Rsqrt, F.Log1p, t => F.Pow(t, 1.5)];
        for (var c = 0; c < Cases; c++)
        {
            var dims = RandomDims(r);
            var dtype = Floats[c % 2];
            var (atol, rtol) = Tol(dtype);
            var x = Values.Uniform(new Shape(dims), (ulong)c, dtype, -3, 3);
            var p = Values.Uniform(new Shape(dims), (ulong)c, dtype, 0.1, 4);
            for (var i = 0; i < ops.Length; i++) Same(t => ops[i](t[0]), [x], atol, rtol, $"case {c} op {i} {dtype}");
            for (var i = 0; i < positive.Length; i++)
                Same(t => positive[i](t[0]), [p], atol, rtol, $"case {c} positive op {i} {dtype}");
        }
    }

    [GpuFact]
    public void ElementwiseOfContiguousOperandsMatchesReferenceAtEveryOffsetAndTail()
    {
        // Contiguous operands of the output's shape take the four-per-thread kernels when every storage offset is a
        // multiple of four, with a scalar tail; other offsets take the scalar dense kernels. Narrowing a device
        // buffer gives views at offsets 0..3, lengths 1..13 cover every tail, and 67 crosses several groups.
        foreach (var dtype in new[] { DType.F32, DType.F64, DType.I32, DType.I64, DType.U8 })
        {
            var floating = dtype is DType.F32 or DType.F64;
            var (atol, rtol) = floating ? Tol(dtype) : (0, 0);
            foreach (var n in new[] { 1, 3, 4, 5, 8, 13, 67 })
            {
                for (var off = 0; off < 4; off++)
                {
                    var seed = (ulong)(n * 10 + off);
                    var a = Values.Uniform(new Shape(n + 5), seed, DType.F64, 1, 9).To(dtype);
                    var b = Values.Uniform(new Shape(n + 5), seed + 1, DType.F64, 1, 9).To(dtype);
                    var offB = (off + 2) % 4;
                    var what = $"{dtype} n {n} offsets {off}/{offB}";
                    Same(t => F.Add(t[0].Narrow(0, off, n), t[1].Narrow(0, offB, n)), [a, b], atol, rtol, what);
                    Same(t => F.Mul(t[0].Narrow(0, off, n), t[1].Narrow(0, off, n)), [a, b], atol, rtol, what);
                    if (!floating) continue;
                    Same(t => F.Exp(t[0].Narrow(0, off, n) * 0.1), [a], atol, rtol, what + " exp");
                    Same(t => Graph(t[0].Narrow(0, off, n), t[1].Narrow(0, off, n), F.Tanh), [a, b], atol, rtol,
                        what + " tanh backward");
                }
            }
        }
    }

    [GpuFact]
    public void UnaryBackwardMatchesReference()
    {
        foreach (var dtype in Floats)
        {
            var (atol, rtol) = Tol(dtype);
            var x = Values.Uniform(new Shape(3, 5), 3, dtype, -2, 2);
            var dy = Values.Uniform(new Shape(3, 5), 4, dtype, -1, 1);
            Same(t => Graph(t[0], t[1], F.Tanh), [x, dy], atol, rtol, $"tanh backward {dtype}");
            Same(t => Graph(t[0], t[1], F.Exp), [x, dy], atol, rtol, $"exp backward {dtype}");
            Same(t => Graph(t[0], t[1], F.Sigmoid), [x, dy], atol, rtol, $"sigmoid backward {dtype}");
        }
    }

    [GpuFact]
    public void GradientFlowsBackToTheHostThroughTo()
    {
        var x = Values.Uniform(new Shape(2, 3), 12, DType.F64, -1, 1);
        x.RequiresGrad = true;
        var w = Values.Uniform(new Shape(3), 13, DType.F64, -1, 1);
        F.Sum(F.Mul(F.Tanh(x.To(Device)), w.To(Device))).Backward();
        var wv = w.ToDoubleArray();
        var expected = x.Detach().ToDoubleArray().Select((v, i) => (1 - Math.Tanh(v) * Math.Tanh(v)) * wv[i % 3]);
        Assert.Equal(Device.Cpu, x.Grad!.Device);
        Verify.Close(expected.ToArray(), x.Grad.ToDoubleArray(), 1e-12, 1e-10, "dx");
    }

    private static Tensor Graph(Tensor x, Tensor dy, Func<Tensor, Tensor> f)
    {
        var leaf = x.Detach();
        leaf.RequiresGrad = true;
        var y = f(leaf);
        y.Backward(dy);
        return leaf.Grad!;
    }

    [GpuFact]
    public void ComparisonsMatchReference()
    {
        var r = new Random(3);
        Func<Tensor[], Tensor>[] ops = [t => F.Gt(t[0], t[1]), t => F.Lt(t[0], t[1]), t => F.Ge(t[0], t[1]),
            t => F.Le(t[0], t[1]), t => F.Eq(t[0], t[1]), t => F.Ne(t[0], t[1])];
        for (var c = 0; c < Cases; c++)
        {
            var dims = RandomDims(r);
            var dtype = new[] { DType.F32, DType.F64, DType.I32, DType.I64 }[c % 4];
            // Small integers so that ties (Eq, Ge, Le) actually occur.
            var a = Values.Uniform(new Shape(dims), (ulong)c, DType.F64, -2, 2).To(DType.I64).To(dtype);
            var b = Values.Uniform(new Shape(dims[^1]), (ulong)c + 7, DType.F64, -2, 2).To(DType.I64).To(dtype);
            foreach (var op in ops) Same(op, [a, b], 0, 0, $"case {c} {dtype}");
        }
    }

    [GpuFact]
    public void SumAndMeanOverDimsMatchReference()
    {
        var r = new Random(4);
        for (var c = 0; c < Cases; c++)
        {
            var dims = RandomDims(r);
            var dtype = Floats[c % 2];
            var (atol, rtol) = Tol(dtype);
            var x = Values.Uniform(new Shape(dims), (ulong)c, dtype, -2, 2);
            var dim = r.Next(dims.Length);
            Same(t => F.Sum(t[0]), [x], atol, rtol, $"case {c} sum all");
            Same(t => F.Sum(t[0], [dim]), [x], atol, rtol, $"case {c} sum dim {dim}");
            Same(t => F.Mean(t[0], [dim], keepDim: true), [x], atol, rtol, $"case {c} mean dim {dim}");
        }
    }

    [GpuFact]
    public void ReduceIsCorrectForRowsLongerThanAGroup()
    {
        // 3 rows of 150: every thread of the 64-thread group folds two or three elements before the tree.
        var x = Values.Uniform(new Shape(3, 150), 5, DType.F64, -1, 1);
        Same(t => F.Sum(t[0], [1]), [x], 1e-12, 1e-10, "sum rows of 150");
        Same(t => F.Max(t[0], 1).Values, [x], 0, 0, "max rows of 150");
        Same(t => F.Max(t[0], 1).Indices, [x], 0, 0, "argmax rows of 150");
    }

    [GpuFact]
    public void MaxOverDimMatchesReferenceWithTiesAndNaN()
    {
        var r = new Random(5);
        for (var c = 0; c < Cases; c++)
        {
            var dims = RandomDims(r);
            var dtype = Floats[c % 2];
            // Rounded values make ties common; the first extreme must win, as must a NaN.
            var v = Values.Uniform(new Shape(dims), (ulong)c, DType.F64, -2, 2).ToDoubleArray()
                .Select(d => Math.Round(d)).ToArray();
            if (c % 3 == 0) v[r.Next(v.Length)] = double.NaN;
            var x = Tensor.FromDoubles(v, new Shape(dims), dtype);
            var dim = r.Next(dims.Length);
            Same(t => F.Max(t[0], dim).Values, [x], 0, 0, $"case {c} max values dim {dim}");
            Same(t => F.Max(t[0], dim).Indices, [x], 0, 0, $"case {c} max indices dim {dim}");
            Same(t => F.Argmin(t[0], dim), [x], 0, 0, $"case {c} argmin dim {dim}");
            Same(t => F.Amax(t[0], [dim]), [x], 0, 0, $"case {c} amax dim {dim}");
        }
    }

    [GpuFact]
    public void MatmulMatchesReference()
    {
        var r = new Random(6);
        for (var c = 0; c < Cases; c++)
        {
            // Sizes up to 20 cross the 16-wide tile edge.
            int m = r.Next(1, 21), k = r.Next(1, 21), n = r.Next(1, 4), batch = r.Next(1, 3);
            var dtype = Floats[c % 2];
            var (atol, rtol) = Tol(dtype);
            var a = Values.Uniform(new Shape(batch, m, k), (ulong)c, dtype, -1, 1);
            var b = Values.Uniform(new Shape(k, n), (ulong)c + 50, dtype, -1, 1);
            Same(t => F.Matmul(t[0], t[1]), [a, b], atol * 10, rtol, $"case {c} [{batch},{m},{k}]@[{k},{n}]");
            Same(t => F.Matmul(t[1].MT, t[0].MT), [a, b], atol * 10, rtol, $"case {c} transposed");
        }
    }

    [GpuFact]
    public void ContiguousOfPermutedAndSteppedViewsMatchesReference()
    {
        var r = new Random(7);
        for (var c = 0; c < Cases; c++)
        {
            int d0 = r.Next(1, 5), d1 = r.Next(2, 5), d2 = r.Next(1, 4);
            var dtype = new[] { DType.F32, DType.F64, DType.I64 }[c % 3];
            var x = Values.Uniform(new Shape(d0, d1, d2), (ulong)c, DType.F64, -5, 5).To(dtype);
            Same(t => t[0].Permute(2, 0, 1).Contiguous(), [x], 0, 0, $"case {c} permute");
            Same(t => t[0].Slice(1, 0, null, 2).Contiguous(), [x], 0, 0, $"case {c} step 2");
            Same(t => t[0].Select(1, 1).MT.Contiguous(), [x], 0, 0, $"case {c} select+transpose (offset)");
            Same(t => t[0].Slice(0, 0, 1).Expand(3, d1, d2).Contiguous(), [x], 0, 0, $"case {c} expand");
        }
    }

    [GpuFact]
    public void ToDTypeMatchesReference()
    {
        DType[] all = [DType.F32, DType.F64, DType.I32, DType.I64, DType.U8, DType.Bool];
        var x = Tensor.FromDoubles([-2.75, -1, 0, 0.5, 1.25, 3, 7.9, 100], new Shape(2, 4), DType.F64);
        foreach (var from in all)
        foreach (var to in all)
        {
            // Negative values to U8 wrap on every backend in the same way only for integer sources; keep them >= 0.
            var src = from == DType.U8 || to == DType.U8 ? F.Abs(x).To(from) : x.To(from);
            Same(t => t[0].To(to), [src], 0, 0, $"{from} -> {to}");
        }
    }

    [GpuFact]
    public void FillAndFactoriesLiveOnTheDevice()
    {
        var x = Tensor.Full(new Shape(2, 3), 2.5, DType.F32, Device);
        Assert.Equal(Device, x.Device);
        Assert.Equal(Enumerable.Repeat(2.5, 6), x.ToDoubleArray());
        Assert.Equal(new double[6], Tensor.Zeros(new Shape(2, 3), DType.I64, Device).ToDoubleArray());
    }

    [GpuFact]
    public void OpsWithoutGpuKernelsRaiseNotSupportedNamingTheDevice()
    {
        // Host kernels reach device tensors only through HostArray, which refuses them.
        var x = Values.Uniform(new Shape(1, 1, 4, 4), 8, DType.F32, -1, 1).To(Device);
        var e = Assert.Throws<NotSupportedException>(() => x.HostArray<float>("HostOnlyOp"));
        Assert.Contains("HostOnlyOp", e.Message);
        Assert.Contains(Device.ToString(), e.Message);
    }

    [GpuFact]
    public void KernelIlgpuCannotCompileRaisesNotSupportedAndLeavesTheDeviceUsable()
    {
        var x = Values.Uniform(new Shape(4), 10, DType.F32, -1, 1).To(Device);
        var e = Assert.Throws<NotSupportedException>(() => F.Map(x, new TypeTestingOp()));
        Assert.Contains("TypeTesting", e.Message);
        Assert.Contains(Device.ToString(), e.Message);
        Same(t => F.Exp(t[0]), [x], 1e-6, 1e-5, "exp after a failed compilation");
    }
}

/// <summary>The GPU backend on ILGPU's CPU accelerator (runs everywhere).</summary>
[Trait("Backend", "IlgpuCpu")]
public sealed class IlgpuCpuBackendTests : GpuBackendTests
{
    /// <inheritdoc/>
    protected override Device Device => Device.IlgpuCpu;

    [Fact]
    public void MissingCudaDeviceRaisesNotSupportedNamingIt()
    {
        const int index = 63;
        var e = Assert.Throws<NotSupportedException>(() => Tensor.Zeros(new Shape(2), DType.F32, Device.Cuda(index)));
        Assert.Contains("cuda:63", e.Message);
    }

    [Fact]
    public void KernelsAreCompiledOnceAndStorageCanBeFreed()
    {
        var backend = Scratch.Backends.Gpu.GpuRuntime.BackendFor(Device.IlgpuCpu);
        var x = Values.Uniform(new Shape(5), 11, DType.F64, -1, 1).To(Device);
        _ = F.Exp(x);
        Assert.True(backend.CompiledKernels > 0);
        // A per-thread count: tests running in parallel compile their own kernels into the shared cache.
        var compiled = Scratch.Backends.Gpu.IlgpuBackend.CompiledOnThisThread;
        var y = F.Exp(x);
        Assert.Equal(compiled, Scratch.Backends.Gpu.IlgpuBackend.CompiledOnThisThread);
        var storage = Assert.IsType<Scratch.Backends.Gpu.GpuStorage<double>>(y.Storage);
        Assert.Equal(5, storage.Length);
        storage.Dispose();
        Assert.True(storage.IsReleased);
        Assert.Throws<ObjectDisposedException>(() => y.ToArray<double>());
    }

    [Fact]
    public void FreedBuffersAreReusedAndComeBackZeroed()
    {
        var allocator = Scratch.Backends.Gpu.GpuRuntime.BackendFor(Device.IlgpuCpu).Allocator;
        // An odd size whose bucket (44 544 bytes) no other test uses, so the cached buffer is this one. (Other
        // tests use the allocator concurrently, so its counters are compared by direction only.)
        var shape = new Shape(3, 37, 100);
        var x = Tensor.Full(shape, 5, DType.I32, Device);
        var buffer = ((Scratch.Backends.Gpu.GpuStorage<int>)x.Storage).Buffer;
        Assert.Equal(Scratch.Backends.Gpu.GpuAllocator.BucketBytes(shape.Numel * sizeof(int)), buffer.LengthInBytes);
        var before = allocator.Stats;
        ((IDisposable)x.Storage).Dispose();
        var z = Tensor.Zeros(shape, DType.I32, Device);
        Assert.Same(buffer, ((Scratch.Backends.Gpu.GpuStorage<int>)z.Storage).Buffer);
        Assert.True(allocator.Stats.CacheHits > before.CacheHits);
        Assert.Equal(new double[shape.Numel], z.ToDoubleArray());
    }

    [Fact]
    public void CpuAcceleratorHasCudaLikeWarps()
    {
        var backend = Scratch.Backends.Gpu.GpuRuntime.BackendFor(Device.IlgpuCpu);
        Assert.Equal(32, backend.Accelerator.WarpSize);
        Assert.True(backend.Accelerator.MaxNumThreadsPerGroup >= 256);
    }
}

/// <summary>The GPU backend on CUDA device 0; every test is skipped, with the reason, when there is none.</summary>
[Trait("Backend", "Cuda")]
public sealed class CudaBackendTests : GpuBackendTests
{
    /// <inheritdoc/>
    protected override Device Device => Device.Cuda(0);
}
