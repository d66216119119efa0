using Scratch.Backends.Gpu;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Backends.Gpu;

/// <summary>Base of the GPU suites: runs an op on the suite's GPU device and on the Reference backend and compares.
/// </summary>
/// <remarks>ILGPU's CPU accelerator emulates every GPU thread, so cases stay tiny (≤ 64 elements, ~20 cases per
/// property, drawn from a seeded generator so a failure names a reproducible case).</remarks>
public abstract class GpuSuite
{
    /// <summary>The device under test.</summary>
    protected abstract Device Device { get; }

    /// <summary>Why the tests of <paramref name="suite"/> cannot run here, or null.</summary>
    public static string? SkipReasonFor(Type suite) =>
        typeof(CudaBackendTests).IsAssignableFrom(suite) || typeof(ICudaSuite).IsAssignableFrom(suite)
            ? GpuRuntime.CudaUnavailableReason(0) : null;

    /// <summary>Number of random cases per property.</summary>
    protected const int Cases = 20;

    /// <summary>A random shape of rank 1..3 with at most 64 elements.</summary>
    protected static int[] RandomDims(Random r, int maxRank = 3)
    {
        while (true)
        {
            var dims = new int[r.Next(1, maxRank + 1)];
            for (var i = 0; i < dims.Length; i++) dims[i] = r.Next(1, 6);
            if (dims.Aggregate(1, (a, b) => a * b) <= 64) return dims;
        }
    }

    /// <summary>Runs <paramref name="f"/> on Reference copies and on copies on <see cref="Device"/>; asserts the GPU
    /// result stays on the device and matches.</summary>
    protected void Same(Func<Tensor[], Tensor> f, Tensor[] inputs, double atol, double rtol, string what)
    {
        var expected = f(inputs.Select(t => t.To(Device.Reference)).ToArray());
        var actual = f(inputs.Select(t => t.To(Device)).ToArray());
        Assert.Equal(Device, actual.Device);
        Verify.Close(expected.To(Device.Cpu), actual.To(Device.Cpu), atol, rtol, what);
    }

    /// <summary>Tolerances for a floating dtype.</summary>
    protected static (double Atol, double Rtol) Tol(DType dtype) => dtype == DType.F32 ? (1e-5, 1e-4) : (1e-12, 1e-10);
}

/// <summary>Marks a GPU suite that runs on CUDA device 0: its <see cref="GpuFactAttribute"/> tests are skipped, with
/// the reason, when there is none.</summary>
public interface ICudaSuite;
