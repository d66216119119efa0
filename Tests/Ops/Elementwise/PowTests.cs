using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Elementwise;

public class PowTests
{
    private static (Tensor A, Tensor B) Inputs(BroadcastCase c, DType dtype = DType.F64) =>
        (Values.Uniform(new Shape(c.A), c.Seed, dtype, 0.2, 3), Values.Uniform(new Shape(c.B), c.Seed + 1, dtype, -2, 2));

    [FsCheck.Xunit.Property(Arbitrary = [typeof(ElementwiseArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Gradients_match_finite_differences(BroadcastCase c)
    {
        var (a, b) = Inputs(c);
        Verify.Gradients(x => F.Pow(x[0], x[1]), a, b);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(ElementwiseArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Cpu_matches_reference(BroadcastCase c)
    {
        var (a, b) = Inputs(c);
        Verify.SameOnBackends(x => F.Pow(x[0], x[1]), [a, b], 1e-12, 1e-12);
        var (a32, b32) = Inputs(c, DType.F32);
        Verify.SameOnBackends(x => F.Pow(x[0], x[1]), [a32, b32], 1e-6, 1e-5);
    }

    [TensorProperty]
    public void Tensor_exponent_agrees_with_scalar_exponent(ShapeCase c)
    {
        var x = c.Make(lo: 0.1, hi: 3);
        foreach (var p in new[] { -1.5, 0, 0.5, 2, 3.25 })
            Verify.Close(F.Pow(x, p), F.Pow(x, x.ScalarLike(p)), 1e-15, 1e-14);
    }

    [Fact]
    public void Known_values_match_torch()
    {
        foreach (var device in new[] { Device.Cpu, Device.Reference })
        {
            var a = Tensor.FromDoubles([0.5, 1.5, 2.0, 3.0, 0.2, 1.1], new Shape(2, 3), DType.F64, device).RequiresGrad_();
            var b = Tensor.FromDoubles([-1.5, 0.5, 2.0], new Shape(3), DType.F64, device).RequiresGrad_();
            // torch 1.13: a = [[0.5, 1.5, 2.0], [3.0, 0.2, 1.1]], b = [-1.5, 0.5, 2.0]; torch.pow(a, b).sum().backward()
            var y = F.Pow(a, b);
            y.Sum().Backward();
            Verify.Close([2.8284271247461903, 1.224744871391589, 4.0, 0.19245008972987526, 0.4472135954999579, 1.2100000000000002], y.ToDoubleArray(), 1e-15, 1e-13);
            Verify.Close([-8.485281374238571, 0.408248290463863, 4.0, -0.09622504486493762, 1.118033988749895, 2.2], a.Grad!.ToDoubleArray(), 1e-15, 1e-13);
            Verify.Close([-1.749088253404573, -0.22317120386988987, 2.8879140398030145], b.Grad!.ToDoubleArray(), 1e-15, 1e-13);
        }
    }

    [Fact]
    public void Zero_base_and_zero_exponent_follow_torch_gradient_conventions()
    {
        // torch 1.13: a = [0., 0., 2.], b = [0., 2., 0.]; torch.pow(a, b).sum().backward()
        var a = Tensor.From(new double[] { 0, 0, 2 }).RequiresGrad_();
        var b = Tensor.From(new double[] { 0, 2, 0 }).RequiresGrad_();
        var y = F.Pow(a, b);
        y.Sum().Backward();
        Assert.Equal([1.0, 0.0, 1.0], y.ToDoubleArray());
        Assert.Equal([0.0, 0.0, 0.0], a.Grad!.ToDoubleArray());
        Verify.Close([0.0, 0.0, 0.6931471805599453], b.Grad!.ToDoubleArray(), 1e-15, 1e-15);
    }

    [Fact]
    public void Bad_inputs_name_the_argument()
    {
        var a = Tensor.Ones(new Shape(2, 3));
        Assert.Contains("[4]", Assert.Throws<ShapeMismatchException>(() => F.Pow(a, Tensor.Ones(new Shape(4)))).Message);
        Assert.Contains("float64", Assert.Throws<DTypeMismatchException>(() => F.Pow(a, Tensor.Ones(new Shape(3), DType.F64))).Message);
        Assert.Contains("input", Assert.Throws<DTypeMismatchException>(() => F.Pow(Tensor.Arange(3), Tensor.Arange(3))).Message);
    }
}
