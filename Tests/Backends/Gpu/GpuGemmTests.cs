using Scratch.Backends.Gpu;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Backends.Gpu;

/// <summary>The register-blocked GEMM, the opt-in tensor-core paths (TF32, BF16, F16), the implicit-GEMM and
/// depthwise convolutions and the allocator's behaviour under memory pressure, against the Reference backend;
/// subclassed once per GPU device kind.</summary>
public abstract class GpuGemmTests : GpuSuite
{
    private IlgpuBackend Gpu => GpuRuntime.BackendFor(Device);

    /// <summary>Reference result of c = a @ b for [B, M, K] / [B, K, N] operands, as doubles.</summary>
    private static double[] Expected(Tensor a, Tensor b) =>
        F.Matmul(a.To(Device.Reference), b.To(Device.Reference)).ToDoubleArray();

    /// <summary>a [B, M, K] and b [B, K, N] on the device, each stored transposed when asked (strided views).</summary>
    private (Tensor A, Tensor B) Operands(int batch, int m, int n, int k, bool ta, bool tb, DType dtype, ulong seed)
    {
        var a = ta
            ? Values.Uniform(new Shape(batch, k, m), seed, dtype, -1, 1).To(Device).Transpose(1, 2)
            : Values.Uniform(new Shape(batch, m, k), seed, dtype, -1, 1).To(Device);
        var b = tb
            ? Values.Uniform(new Shape(batch, n, k), seed + 1, dtype, -1, 1).To(Device).Transpose(1, 2)
            : Values.Uniform(new Shape(batch, k, n), seed + 1, dtype, -1, 1).To(Device);
        return (a, b);
    }

    private Tensor Run(Tensor a, Tensor b, MatmulPrecision precision, bool tiled)
    {
        var gpu = Gpu;
        var c = Tensor.Empty(new Shape(a.Size(0), a.Size(1), b.Size(2)), a.DType, Device);
        lock (gpu)
        {
            var old = gpu.TiledMatmulMinOutputs;
            gpu.TiledMatmulMinOutputs = tiled ? 0 : int.MaxValue;
            try
            {
                gpu.Matmul(a, b, c, precision);
            }
            finally
            {
                gpu.TiledMatmulMinOutputs = old;
            }
        }
        return c;
    }

    [GpuFact]
    public void TiledMatmulMatchesReferenceOnEdgeTilesTransposesAndBatches()
    {
        var r = new Random(41);
        for (var c = 0; c < 12; c++)
        {
            var dtype = c % 2 == 0 ? DType.F32 : DType.F64;
            // Sizes straddle the 128-wide block tile and the 8-deep k-step (and stay tiny where they can).
            int m = c % 3 == 0 ? r.Next(120, 140) : r.Next(1, 20), n = c % 4 == 1 ? r.Next(125, 137) : r.Next(1, 24);
            int k = r.Next(1, 21), batch = r.Next(1, 3);
            bool ta = (c & 2) != 0, tb = (c & 4) != 0;
            var (a, b) = Operands(batch, m, n, k, ta, tb, dtype, (ulong)c * 7);
            var y = Run(a, b, MatmulPrecision.Default, tiled: true);
            Assert.Equal(Device, y.Device);
            var (atol, rtol) = Tol(dtype);
            Verify.Close(Expected(a, b), y.ToDoubleArray(), atol, rtol,
                $"case {c}: [{batch},{m},{k}]{(ta ? "ᵀ" : "")} @ [{batch},{k},{n}]{(tb ? "ᵀ" : "")} {dtype}");
        }
    }

    [GpuFact]
    public void TiledAndSimpleKernelsAgree()
    {
        var (a, b) = Operands(2, 37, 29, 19, false, true, DType.F64, 5);
        Verify.Close(Run(a, b, MatmulPrecision.Default, tiled: false).ToDoubleArray(),
            Run(a, b, MatmulPrecision.Default, tiled: true).ToDoubleArray(), 1e-12, 1e-12, "tiled vs simple");
    }

    [GpuFact]
    public void ZeroInnerDimensionGivesZeros()
    {
        var (a, b) = Operands(1, 3, 4, 0, false, false, DType.F32, 3);
        Assert.All(Run(a, b, MatmulPrecision.Default, tiled: true).ToDoubleArray(), v => Assert.Equal(0.0, v));
    }

    /// <summary>x with every element rounded to the tensor-core input format of <paramref name="precision"/>, as
    /// F64 on the Reference backend (the products of rounded values are then exact).</summary>
    private static Tensor Rounded(Tensor x, MatmulPrecision precision)
    {
        var v = x.To(Device.Cpu).ToArray<float>();
        var r = new double[v.Length];
        for (var i = 0; i < v.Length; i++) r[i] = IlgpuBackend.TensorCoreInput(precision, v[i]);
        return Tensor.From(r, x.Shape, Device.Reference);
    }

    private static readonly MatmulPrecision[] TensorCorePrecisions =
        [MatmulPrecision.Tf32, MatmulPrecision.Bf16, MatmulPrecision.F16];

    [GpuFact]
    public void TensorCoreMatmulIsTheProductOfRoundedInputs()
    {
        Assert.True(Gpu.SupportsTensorCores || Device.Kind == DeviceKind.Cuda, "the CPU accelerator emulates mma");
        var r = new Random(43);
        foreach (var precision in TensorCorePrecisions)
        {
            for (var c = 0; c < 3; c++)
            {
                // Rows and columns straddle the 128-wide block tile; k the 8- or 16-deep step and its odd tail.
                int m = c == 0 ? 128 : r.Next(1, 150), n = c == 1 ? 128 : r.Next(1, 150), k = r.Next(1, 40);
                var batch = r.Next(1, 3);
                var (a, b) = Operands(batch, m, n, k, c == 1, c == 2, DType.F32, (ulong)c + 100);
                var y = Run(a, b, precision, tiled: true);
                var what = $"{precision} case {c}: [{batch},{m},{k}] @ [{batch},{k},{n}]";
                if (!Gpu.UsesTensorCores(DType.F32, precision))
                {
                    Verify.Close(Expected(a, b), y.ToDoubleArray(), 1e-5, 1e-4, what + " (IEEE fallback)");
                    continue;
                }
                // The inputs' rounding is the whole error but fp32 accumulation (|a|, |b| ≤ 1): an unrounded input
                // would be off by ~2⁻¹¹ or more per product.
                var exact = F.Matmul(Rounded(a, precision), Rounded(b, precision)).ToDoubleArray();
                Verify.Close(exact, y.ToDoubleArray(), 1e-6 * (k + 1), 0, what);
                // And it stays within the format's tolerance of the fp32 product.
                var u = precision == MatmulPrecision.Bf16 ? 1.0 / 256 : 1.0 / 1024;
                Verify.Close(Expected(a, b), y.ToDoubleArray(), 2 * u * k, 0, what + " vs fp32");
            }
        }
    }

    [GpuFact]
    public void ReducedPrecisionOfFp64ComputesInFp64()
    {
        var (a, b) = Operands(1, 20, 30, 17, false, false, DType.F64, 9);
        var ieee = Run(a, b, MatmulPrecision.Default, tiled: true).ToDoubleArray();
        foreach (var precision in TensorCorePrecisions)
        {
            Assert.False(Gpu.UsesTensorCores(DType.F64, precision));
            Assert.Equal(ieee, Run(a, b, precision, tiled: true).ToDoubleArray());
        }
    }

    [GpuFact]
    public void ConvolutionAtBf16PrecisionRoundsItsOperands()
    {
        // Forward (implicit GEMM), weight gradient (gy by transposed im2col), input gradients of a stride-1 conv
        // (flipped filters) and a strided one (Wᵀ·gy then col2im): every product reads rounded operands.
        var gpu = Gpu;
        foreach (var stride in new[] { 1, 2 })
        {
            var x = Values.Uniform(new Shape(2, 3, 7, 6), (ulong)stride, DType.F32, -1, 1);
            var w = Values.Uniform(new Shape(5, 3, 3, 3), (ulong)stride + 10, DType.F32, -1, 1);
            var gy0 = F.Conv2d(x, w, null, stride, 1);
            var gy = Values.Uniform(gy0.Shape, (ulong)stride + 20, DType.F32, -1, 1);
            Tensor y, gx, gw;
            lock (gpu)
            {
                var old = gpu.MatmulPrecision;
                gpu.MatmulPrecision = MatmulPrecision.Bf16;
                try
                {
                    var xd = x.To(Device).RequiresGrad_();
                    var wd = w.To(Device).RequiresGrad_();
                    y = F.Conv2d(xd, wd, null, stride, 1);
                    y.Backward(gy.To(Device));
                    (gx, gw) = (xd.Grad!, wd.Grad!);
                }
                finally
                {
                    gpu.MatmulPrecision = old;
                }
            }
            var xr = Rounded(x, MatmulPrecision.Bf16).RequiresGrad_();
            var wr = Rounded(w, MatmulPrecision.Bf16).RequiresGrad_();
            var yr = F.Conv2d(xr, wr, null, stride, 1);
            yr.Backward(Rounded(gy, MatmulPrecision.Bf16));
            var what = $"bf16 conv stride {stride}";
            Verify.Close(yr.ToDoubleArray(), y.ToDoubleArray(), 1e-5, 0, what + " y");
            Verify.Close(xr.Grad!.ToDoubleArray(), gx.ToDoubleArray(), 1e-5, 0, what + " dx");
            Verify.Close(wr.Grad!.ToDoubleArray(), gw.ToDoubleArray(), 1e-5, 0, what + " dw");
        }
    }

    [GpuFact]
    public void ImplicitGemmAndDepthwiseConvMatchReference()
    {
        var r = new Random(47);
        for (var c = 0; c < 10; c++)
        {
            var dtype = c % 2 == 0 ? DType.F32 : DType.F64;
            var depthwise = c % 3 == 0;
            int groups = depthwise ? r.Next(2, 5) : r.Next(1, 3), n = r.Next(1, 3);
            int cin = depthwise ? groups : groups * r.Next(1, 4), cout = groups * r.Next(1, 3);
            int kh = r.Next(1, 4), kw = r.Next(1, 4), s = r.Next(1, 3), p = r.Next(0, 2), d = r.Next(1, 3);
            int h = d * (kh - 1) + 1 + r.Next(0, 6), w = d * (kw - 1) + 1 + r.Next(0, 6);
            var x = Values.Uniform(new Shape(n, cin, h, w), (ulong)c, dtype, -1, 1);
            var wt = Values.Uniform(new Shape(cout, cin / groups, kh, kw), (ulong)c + 50, dtype, -1, 1);
            var b = Values.Uniform(new Shape(cout), (ulong)c + 80, dtype, -1, 1);
            var (atol, rtol) = dtype == DType.F32 ? (1e-5, 1e-4) : Tol(dtype);
            Same(t => F.Conv2d(t[0], t[1], t[2], s, p, d, groups), [x, wt, b], atol, rtol,
                $"conv case {c} x {x.Shape} w {wt.Shape} s {s} p {p} d {d} g {groups} {dtype}");
        }
    }

    [GpuFact]
    public void ConvWithManyOutputPixelsCrossesGemmTiles()
    {
        // N·L = 2·12·12 = 288 columns: three 128-wide tiles, the last partial; Cout 130 crosses a row tile.
        var x = Values.Uniform(new Shape(2, 3, 12, 12), 1, DType.F32, -1, 1);
        var w = Values.Uniform(new Shape(130, 3, 3, 3), 2, DType.F32, -1, 1);
        Same(t => F.Conv2d(t[0], t[1], null, 1, 1), [x, w], 1e-5, 1e-4, "conv 3→130 @ 12×12");
    }

    [GpuFact]
    public void AllocatorReleasesItsCacheUnderPressureThenReportsRequestedAndFreeBytes()
    {
        using var allocator = new GpuAllocator(Gpu.Accelerator) { LimitBytes = 1000 * sizeof(float) };
        // 600 floats (2400 bytes) occupy a 2560-byte bucket.
        var first = allocator.Rent<float>(600);
        allocator.Return(first);
        Assert.Equal(2560, allocator.Stats.BytesCached);
        // 2560 cached + 3072 (700 floats) passes the 4000-byte limit: the cache is emptied and the allocation retried.
        var second = allocator.Rent<float>(700);
        Assert.Equal(1, allocator.Stats.PressureReleases);
        Assert.Equal(0, allocator.Stats.BytesCached);
        Assert.Equal(3072, allocator.Stats.BytesInUse);
        var e = Assert.Throws<GpuOutOfMemoryException>(() => allocator.Rent<float>(400));
        Assert.Equal(2048, e.RequestedBytes);
        Assert.Equal(4000 - 3072, e.FreeBytes);
        Assert.Contains("requested 2048 bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains("928 bytes free", e.Message, StringComparison.Ordinal);
        allocator.Return(second);
        Assert.Throws<ArgumentOutOfRangeException>(() => allocator.LimitBytes = -1);
    }

    [GpuFact]
    public void AllocatorReusesABufferForANearbySize()
    {
        using var allocator = new GpuAllocator(Gpu.Accelerator);
        foreach (var (first, second) in new[] { (1000L, 1020L), (300_000L, 400_000L) })
        {
            var a = allocator.Rent<float>(first);
            Assert.True(a.Length >= first);
            allocator.Return(a);
            var hits = allocator.Stats.CacheHits;
            var b = allocator.Rent<float>(second);
            Assert.Same(a, b);
            Assert.Equal(hits + 1, allocator.Stats.CacheHits);
            allocator.Return(b);
        }
        // 1000 and 1100 floats fall in different 512-byte buckets: a new buffer.
        var c = allocator.Rent<float>(1100);
        Assert.Equal(1152, c.Length);
        Assert.Equal(2, allocator.Stats.CacheHits);
        allocator.Return(c);
        Assert.Equal(512, GpuAllocator.BucketBytes(1));
        Assert.Equal(1 << 20, GpuAllocator.BucketBytes(1 << 20));
        Assert.Equal(2 << 20, GpuAllocator.BucketBytes((1 << 20) + 1));
    }
}

/// <summary>GEMM and convolution kernels on ILGPU's CPU accelerator (runs everywhere).</summary>
[Trait("Backend", "IlgpuCpu")]
public sealed class IlgpuCpuGemmTests : GpuGemmTests
{
    /// <inheritdoc/>
    protected override Device Device => Device.IlgpuCpu;
}

/// <summary>The same on CUDA device 0 (skipped without one); there the tensor-core tests run the hardware
/// <c>mma.sync</c>.
/// </summary>
[Trait("Backend", "Cuda")]
public sealed class CudaGemmTests : GpuGemmTests, ICudaSuite
{
    /// <inheritdoc/>
    protected override Device Device => Device.Cuda(0);
}
