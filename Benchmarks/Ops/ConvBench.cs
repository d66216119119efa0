using BenchmarkDotNet.Attributes;

namespace Scratch.Benchmarks.Ops;

/// <summary>Conv2d forward and forward+backward: v0 the Reference loops, v1 im2col + GEMM on the Cpu backend, v2 the
/// Cpu backend's wide direct kernel for stride-1 convs (ConvKernels.Wide.cs; the 1×1 conv is a direct GEMM in v1
/// and v2); a 3×3 padded conv and a 1×1 conv.</summary>
[MemoryDiagnoser]
public class ConvBench
{
    private Tensor _x = null!;
    private Tensor _w3 = null!;
    private Tensor _w1 = null!;

    /// <summary>Kernel variant under test: v0 Reference, v1 Cpu im2col + GEMM, v2 Cpu wide direct.</summary>
    [Params("v0-reference", "v1-im2col", "v2-wide")]
    public string Variant { get; set; } = "v2-wide";

    private DeviceKind Kind => Variant == "v0-reference" ? DeviceKind.Reference : DeviceKind.Cpu;

    /// <summary>The wide-kernel switch is per thread: set it on the thread that runs the benchmark.</summary>
    private void Select() => Scratch.Ops.ConvKernels.WideEnabled = Variant == "v2-wide";

    /// <summary>Creates x [4, 16, 16, 16], w3 [32, 16, 3, 3], w1 [32, 16, 1, 1].</summary>
    [GlobalSetup]
    public void Setup()
    {
        var dev = new Device(Kind);
        var g = new Generator(1);
        _x = Tensor.Randn(new Shape(4, 16, 16, 16), g, device: dev).RequiresGrad_();
        _w3 = Tensor.Randn(new Shape(32, 16, 3, 3), g, device: dev).RequiresGrad_();
        _w1 = Tensor.Randn(new Shape(32, 16, 1, 1), g, device: dev).RequiresGrad_();
    }

    /// <summary>3×3, padding 1, forward only.</summary>
    [Benchmark]
    public Tensor Conv3x3Forward()
    {
        Select();
        using var _ = Autograd.GradMode.Disable();
        return F.Conv2d(_x, _w3, padding: 1);
    }

    /// <summary>3×3, padding 1, forward and backward.</summary>
    [Benchmark]
    public void Conv3x3Backward()
    {
        Select();
        F.Conv2d(_x, _w3, padding: 1).Sum().Backward();
    }

    /// <summary>1×1 forward and backward.</summary>
    [Benchmark]
    public void Conv1x1Backward()
    {
        Select();
        F.Conv2d(_x, _w1).Sum().Backward();
    }
}
