using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Elementwise;

public class ExpTests
{
    [TensorProperty]
    public void Gradient_matches_finite_differences(ShapeCase c) =>
        Verify.Gradients(x => F.Exp(x[0]), c.Make());

    [TensorProperty]
    public void Cpu_matches_reference(ShapeCase c)
    {
        Verify.SameOnBackends(x => F.Exp(x[0]), [c.Make()], 1e-12, 1e-12);
        Verify.SameOnBackends(x => F.Exp(x[0]), [c.Make(DType.F32)], 1e-6, 1e-6);
    }

    [Fact]
    public void Known_values()
    {
        var y = F.Exp(Tensor.From(new double[] { 0, 1, -1, double.NegativeInfinity }));
        Verify.Close([1, Math.E, 1 / Math.E, 0], y.ToDoubleArray(), 1e-15, 1e-15);
    }

    [Fact]
    public void Integer_input_is_rejected() =>
        Assert.Throws<DTypeMismatchException>(() => F.Exp(Tensor.Arange(3)));
}
