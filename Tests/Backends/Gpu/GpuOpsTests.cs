using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Backends.Gpu;

/// <summary>Ops with their own GPU kernels (outside <c>IBackend</c>) against the Reference backend: outputs and input
/// gradients over tiny random shapes; subclassed once per GPU device kind.</summary>
public abstract partial class GpuOpsTests : GpuSuite
{
    private static readonly DType[] Floats = [DType.F32, DType.F64];

    /// <summary>Runs <paramref name="f"/> with gradients on Reference leaves and on device leaves, back-propagates the
    /// same output gradient, and compares the outputs and every input gradient.</summary>
    protected void SameWithGrads(Func<Tensor[], Tensor> f, Tensor[] inputs, double atol, double rtol, string what)
    {
        (Tensor Y, Tensor?[] Grads) Run(Device device)
        {
            var leaves = inputs.Select(t =>
            {
                var l = t.To(device).Detach();
                l.RequiresGrad = true;
                return l;
            }).ToArray();
            var y = f(leaves);
            var dy = Values.Uniform(y.Shape, 99, y.DType, -1, 1).To(device);
            y.Backward(dy);
            return (y, leaves.Select(l => l.Grad).ToArray());
        }
        var (ey, eg) = Run(Device.Reference);
        var (ay, ag) = Run(Device);
        Assert.Equal(Device, ay.Device);
        Verify.Close(ey.To(Device.Cpu), ay.To(Device.Cpu), atol, rtol, what + " output");
        for (var i = 0; i < eg.Length; i++)
        {
            // Inputs the op detaches (running statistics) get no gradient on either device.
            Assert.Equal(eg[i] is null, ag[i] is null);
            if (eg[i] is not { } e || ag[i] is not { } a) continue;
            Assert.Equal(Device, a.Device);
            Verify.Close(e.To(Device.Cpu), a.To(Device.Cpu), atol, rtol, $"{what} grad {i}");
        }
    }

    [GpuFact]
    public void SoftmaxAndLogSoftmaxMatchReference()
    {
        var r = new Random(21);
        for (var c = 0; c < Cases; c++)
        {
            var dims = RandomDims(r);
            // Rows longer than a group (64 threads) now and then, so the strided loop runs.
            if (c % 5 == 0) dims = [2, 70 + c];
            var dtype = Floats[c % 2];
            var (atol, rtol) = Tol(dtype);
            var x = Values.Uniform(new Shape(dims), (ulong)c, dtype, -4, 4);
            var dim = r.Next(dims.Length);
            SameWithGrads(t => F.Softmax(t[0], -1), [x], atol, rtol, $"softmax case {c} {dtype}");
            SameWithGrads(t => F.LogSoftmax(t[0], dim), [x], atol, rtol, $"log_softmax case {c} dim {dim} {dtype}");
        }
    }

    [GpuFact]
    public void SoftmaxOfAllNegativeInfinityRowIsNaN()
    {
        var x = Tensor.FromDoubles([double.NegativeInfinity, double.NegativeInfinity, 0, 1], new Shape(2, 2),
            DType.F32).To(Device);
        var y = F.Softmax(x, -1).ToDoubleArray();
        Assert.True(double.IsNaN(y[0]) && double.IsNaN(y[1]));
        Verify.Close([1 / (1 + Math.E), Math.E / (1 + Math.E)], y[2..], 1e-6, 1e-5, "finite row");
    }
}

/// <summary>GPU op kernels on ILGPU's CPU accelerator (runs everywhere).</summary>
[Trait("Backend", "IlgpuCpu")]
public sealed class IlgpuCpuOpsTests : GpuOpsTests
{
    /// <inheritdoc/>
    protected override Device Device => Device.IlgpuCpu;
}

/// <summary>GPU op kernels on CUDA device 0; every test is skipped, with the reason, when there is none.</summary>
[Trait("Backend", "Cuda")]
public sealed class CudaOpsTests : GpuOpsTests, ICudaSuite
{
    /// <inheritdoc/>
    protected override Device Device => Device.Cuda(0);
}
