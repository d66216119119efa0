using BenchmarkDotNet.Attributes;

namespace Scratch.Benchmarks.Ops;

/// <summary>Conv2d forward and forward+backward: v0 the Reference loops, v1 im2col + GEMM on the Cpu backend;
/// a 3×3 padded conv and a 1×1 (direct GEMM) conv.</summary>
[MemoryDiagnoser]
public class ConvBench
{
    private Tensor _x = null!;
    private Tensor _w3 = null!;
    private Tensor _w1 = null!;

    /// <summary>Backend under test.</summary>
    [Params(DeviceKind.Reference, DeviceKind.Cpu)]
    public DeviceKind Kind { get; set; }

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
        using var _ = Autograd.GradMode.Disable();
        return F.Conv2d(_x, _w3, padding: 1);
    }

    /// <summary>3×3, padding 1, forward and backward.</summary>
    [Benchmark]
    public void Conv3x3Backward() => F.Conv2d(_x, _w3, padding: 1).Sum().Backward();

    /// <summary>1×1 forward and backward.</summary>
    [Benchmark]
    public void Conv1x1Backward() => F.Conv2d(_x, _w1).Sum().Backward();
}
