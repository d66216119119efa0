using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Elementwise;

public class LogTests
{
    [TensorProperty]
    public void Gradient_matches_finite_differences(ShapeCase c) =>
        Verify.Gradients(x => F.Log(x[0]), c.Make(lo: 0.1, hi: 3));

    [TensorProperty]
    public void Cpu_matches_reference(ShapeCase c)
    {
        Verify.SameOnBackends(x => F.Log(x[0]), [c.Make(lo: 0.1, hi: 3)], 1e-12, 1e-12);
        Verify.SameOnBackends(x => F.Log(x[0]), [c.Make(DType.F32, 0.1, 3)], 1e-6, 1e-6);
    }

    [Fact]
    public void Known_values()
    {
        var y = F.Log(Tensor.From(new double[] { 1, Math.E, 0, -1 }));
        var v = y.ToDoubleArray();
        Assert.Equal(0, v[0], 15);
        Assert.Equal(1, v[1], 15);
        Assert.Equal(double.NegativeInfinity, v[2]);
        Assert.True(double.IsNaN(v[3]));
    }
}
