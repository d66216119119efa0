using Scratch.Autograd;
using Xunit;

namespace Scratch.Tests.Properties;

/// <summary>Assertions shared by the op tests: closeness, gradchecks, backend equivalence.</summary>
public static class Verify
{
    /// <summary>Asserts elementwise |e − a| ≤ atol + rtol·|e| (NaN matches NaN, equal infinities match).</summary>
    public static void Close(double[] expected, double[] actual, double atol = 1e-6, double rtol = 1e-5, string what = "")
    {
        Assert.True(expected.Length == actual.Length, $"{what}: length {actual.Length}, expected {expected.Length}");
        for (var i = 0; i < expected.Length; i++)
        {
            var (e, a) = (expected[i], actual[i]);
            if (double.IsNaN(e) && double.IsNaN(a)) continue;
            if (double.IsInfinity(e) && e == a) continue;
            Assert.True(Math.Abs(e - a) <= atol + rtol * Math.Abs(e), $"{what}: element {i}: expected {e:G9}, got {a:G9}");
        }
    }

    /// <summary>Asserts two tensors have equal shapes and close values.</summary>
    public static void Close(Tensor expected, Tensor actual, double atol = 1e-6, double rtol = 1e-5, string what = "")
    {
        Assert.True(expected.Shape == actual.Shape, $"{what}: shape {actual.Shape}, expected {expected.Shape}");
        Close(expected.ToDoubleArray(), actual.ToDoubleArray(), atol, rtol, what);
    }

    /// <summary>Asserts values equal to <paramref name="expected"/> for the given shape.</summary>
    public static void Values(Tensor actual, Shape shape, double[] expected, double atol = 1e-6)
    {
        Assert.Equal(shape, actual.Shape);
        Close(expected, actual.ToDoubleArray(), atol, 0);
    }

    /// <summary>Runs <see cref="Gradcheck.Check"/> and fails with its report.</summary>
    public static void Gradients(Func<Tensor[], Tensor> f, params Tensor[] inputs)
    {
        foreach (var t in inputs)
            if (t.DType == DType.F64 && t.IsLeaf) t.RequiresGrad = true;
        var r = Gradcheck.Check(f, inputs);
        Assert.True(r.Passed, r.Report);
    }

    /// <summary>Runs <paramref name="f"/> on the CPU backend and on the Reference backend and asserts equal outputs
    /// and equal input gradients (float inputs get requires-grad).</summary>
    public static void SameOnBackends(Func<Tensor[], Tensor> f, Tensor[] inputs, double atol = 1e-9, double rtol = 1e-7)
    {
        var cpu = inputs.Select(t => t.Detach().To(Device.Cpu).Clone()).ToArray();
        var reference = inputs.Select(t => t.Detach().To(Device.Reference).Clone()).ToArray();
        foreach (var t in cpu.Concat(reference))
            if (t.DType.IsFloating()) t.RequiresGrad = true;
        var yc = f(cpu);
        var yr = f(reference);
        Assert.Equal(Device.Cpu, yc.Device);
        Assert.Equal(Device.Reference, yr.Device);
        Close(yr.To(Device.Cpu), yc, atol, rtol, "forward");
        if (!yc.RequiresGrad) return;
        var w = Scratch.Tests.Properties.Values.Uniform(yc.Shape, 7, yc.DType, -1, 1);
        (yc * w).Sum().Backward();
        (yr * w.To(Device.Reference)).Sum().Backward();
        for (var i = 0; i < cpu.Length; i++)
        {
            if (cpu[i].Grad is null && reference[i].Grad is null) continue;
            Assert.NotNull(cpu[i].Grad);
            Assert.NotNull(reference[i].Grad);
            Close(reference[i].Grad!.To(Device.Cpu), cpu[i].Grad!, atol, rtol, $"grad {i}");
        }
    }
}
