using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Elementwise;

public class MinMaxTests
{
    private static readonly (string Name, Func<Tensor, Tensor, Tensor> F)[] Ops =
        [("Minimum", F.Minimum), ("Maximum", F.Maximum)];

    [FsCheck.Xunit.Property(Arbitrary = [typeof(ElementwiseArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Gradients_match_finite_differences(BroadcastCase c)
    {
        foreach (var (name, op) in Ops)
            Elementwise.Named(name, () => Verify.Gradients(x => op(x[0], x[1]),
                Values.Uniform(new Shape(c.A), c.Seed, DType.F64, -2, 2),
                Values.Uniform(new Shape(c.B), c.Seed + 1, DType.F64, -2, 2)));
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(ElementwiseArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Cpu_matches_reference_including_ties(BroadcastCase c)
    {
        foreach (var (name, op) in Ops)
            Elementwise.Named(name, () =>
            {
                // Values on a coarse grid so that ties are common.
                var a = F.Clamp(Values.Uniform(new Shape(c.A), c.Seed, DType.F64, -2, 2) * 2, -1, 1);
                var b = F.Clamp(Values.Uniform(new Shape(c.B), c.Seed + 1, DType.F64, -2, 2) * 2, -1, 1);
                Verify.SameOnBackends(x => op(x[0], x[1]), [a, b], 1e-12, 1e-12);
                Verify.SameOnBackends(x => op(x[0], x[1]), [a.To(DType.F32), b.To(DType.F32)], 1e-6, 1e-6);
                Verify.SameOnBackends(x => op(x[0], x[1]), [a.To(DType.I64), b.To(DType.I64)], 0, 0);
            });
    }

    [TensorProperty]
    public void Minimum_plus_maximum_is_sum(BroadcastCase c)
    {
        var a = Values.Uniform(new Shape(c.A), c.Seed, DType.F64, -2, 2);
        var b = Values.Uniform(new Shape(c.B), c.Seed + 1, DType.F64, -2, 2);
        Verify.Close(a + b, F.Minimum(a, b) + F.Maximum(a, b), 1e-15, 0);
        Verify.Close(F.Maximum(a, b), F.Maximum(b, a), 0, 0);
    }

    [Fact]
    public void Known_values_and_tie_gradients_match_torch()
    {
        foreach (var device in new[] { Device.Cpu, Device.Reference })
        {
            var w = Tensor.FromDoubles([1, 2, 3], new Shape(3), DType.F64, device);
            var a = Tensor.FromDoubles([1, 2, 3, 4, -1, 0.5], new Shape(2, 3), DType.F64, device).RequiresGrad_();
            var b = Tensor.FromDoubles([2, 2, 0], new Shape(3), DType.F64, device).RequiresGrad_();
            // torch 1.13: a = [[1., 2., 3.], [4., -1., 0.5]], b = [2., 2., 0.]; (torch.maximum(a, b) * [1, 2, 3]).sum().backward()
            var y = F.Maximum(a, b);
            (y * w).Sum().Backward();
            Assert.Equal([2.0, 2.0, 3.0, 4.0, 2.0, 0.5], y.ToDoubleArray());
            Assert.Equal([0.0, 1.0, 3.0, 1.0, 0.0, 3.0], a.Grad!.ToDoubleArray());
            Assert.Equal([1.0, 3.0, 0.0], b.Grad!.ToDoubleArray());
            a.ZeroGrad();
            b.ZeroGrad();
            // torch 1.13: the same with torch.minimum
            y = F.Minimum(a, b);
            (y * w).Sum().Backward();
            Assert.Equal([1.0, 2.0, 0.0, 2.0, -1.0, 0.0], y.ToDoubleArray());
            Assert.Equal([1.0, 1.0, 0.0, 0.0, 2.0, 0.0], a.Grad!.ToDoubleArray());
            Assert.Equal([1.0, 1.0, 6.0], b.Grad!.ToDoubleArray());
        }
    }

    [Fact]
    public void Nan_propagates_on_both_backends()
    {
        foreach (var device in new[] { Device.Cpu, Device.Reference })
        {
            var a = Tensor.FromDoubles([double.NaN, 1, 2], new Shape(3), DType.F32, device);
            var b = Tensor.FromDoubles([1, double.NaN, 3], new Shape(3), DType.F32, device);
            // torch 1.13: torch.maximum(torch.tensor([nan, 1., 2.]), torch.tensor([1., nan, 3.]))
            var max = F.Maximum(a, b).ToDoubleArray();
            Assert.True(double.IsNaN(max[0]) && double.IsNaN(max[1]) && max[2] == 3);
            var min = F.Minimum(a, b).ToDoubleArray();
            Assert.True(double.IsNaN(min[0]) && double.IsNaN(min[1]) && min[2] == 2);
        }
    }

    [Fact]
    public void Mismatched_inputs_name_the_argument()
    {
        var a = Tensor.Zeros(new Shape(2, 3));
        Assert.Contains("[4]", Assert.Throws<ShapeMismatchException>(() => F.Maximum(a, Tensor.Zeros(new Shape(4)))).Message);
        Assert.Contains("other", Assert.Throws<DTypeMismatchException>(() => F.Minimum(a, Tensor.Zeros(new Shape(3), DType.F64))).Message);
    }
}
