using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Elementwise;

public class WhereTests
{
    private static IEnumerable<(Tensor Cond, Tensor A, Tensor B)> Cases(BroadcastCase c, DType dtype = DType.F64)
    {
        var (sa, sb) = (new Shape(c.A), new Shape(c.B));
        yield return (Elementwise.Mask(sa, c.Seed), Values.Uniform(sb, c.Seed + 1, dtype, -2, 2), Values.Uniform(sa, c.Seed + 2, dtype, -2, 2));
        yield return (Elementwise.Mask(sb, c.Seed), Values.Uniform(sa, c.Seed + 1, dtype, -2, 2), Values.Uniform(new Shape(), c.Seed + 2, dtype, -2, 2));
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(ElementwiseArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Gradients_match_finite_differences(BroadcastCase c)
    {
        foreach (var (cond, a, b) in Cases(c))
        {
            Verify.Gradients(x => F.Where(cond, x[0], x[1]), a, b);
            Verify.Gradients(x => F.MaskedFill(x[0], cond, 0.5), Values.Uniform(Shape.Broadcast(cond.Shape, a.Shape), c.Seed + 3, DType.F64, -2, 2));
        }
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(ElementwiseArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Cpu_matches_reference(BroadcastCase c)
    {
        foreach (var dtype in new[] { DType.F64, DType.F32, DType.I64, DType.I32 })
            foreach (var (cond, a, b) in Cases(c, dtype))
            {
                var tol = dtype == DType.F32 ? 1e-5 : 1e-12; // gradients sum over broadcast dims in any order
                Verify.SameOnBackends(x => F.Where(x[0], x[1], x[2]), [cond, a, b], tol, tol);
                Verify.SameOnBackends(x => F.MaskedFill(x[1].Expand(Shape.Broadcast(cond.Shape, a.Shape).ToArray()), x[0], -3), [cond, a], tol, tol);
            }
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(ElementwiseArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Where_agrees_with_elementwise_selection(BroadcastCase c)
    {
        foreach (var (cond, a, b) in Cases(c))
        {
            var y = F.Where(cond, a, b);
            var dims = y.Shape.ToArray();
            var (cv, av, bv) = (cond.Expand(dims).ToArray<bool>(), a.Expand(dims).ToDoubleArray(), b.Expand(dims).ToDoubleArray());
            var expected = cv.Select((t, i) => t ? av[i] : bv[i]).ToArray();
            Verify.Close(expected, y.ToDoubleArray(), 0, 0);
            Verify.Close(y, F.Where(!cond, b, a), 0, 0);
        }
    }

    [Fact]
    public void Known_values_match_torch()
    {
        foreach (var device in new[] { Device.Cpu, Device.Reference })
        {
            var c = Tensor.From(new[] { true, false, true, false, false, true }, new Shape(2, 3), device);
            var a = Tensor.FromDoubles([1, 2, 3, 4, 5, 6], new Shape(2, 3), DType.F64, device).RequiresGrad_();
            var b = Tensor.FromDoubles([10, 20, 30], new Shape(3), DType.F64, device).RequiresGrad_();
            // torch 1.13: y = torch.where(c, a, b); (y * torch.tensor([1., 2., 3.])).sum().backward()
            var y = F.Where(c, a, b);
            (y * Tensor.FromDoubles([1, 2, 3], new Shape(3), DType.F64, device)).Sum().Backward();
            Assert.Equal([1.0, 20.0, 3.0, 10.0, 20.0, 6.0], y.ToDoubleArray());
            Assert.Equal([1.0, 0.0, 3.0, 0.0, 0.0, 3.0], a.Grad!.ToDoubleArray());
            Assert.Equal([1.0, 4.0, 0.0], b.Grad!.ToDoubleArray());

            var x = Tensor.FromDoubles([1, 2, 3, 4, 5, 6], new Shape(2, 3), DType.F64, device).RequiresGrad_();
            var m = Tensor.From(new[] { true, false, true }, new Shape(3), device);
            // torch 1.13: y = x.masked_fill(m, -1.5); y.sum().backward()
            var filled = x.MaskedFill(m, -1.5);
            filled.Sum().Backward();
            Assert.Equal([-1.5, 2.0, -1.5, -1.5, 5.0, -1.5], filled.ToDoubleArray());
            Assert.Equal([0.0, 1.0, 0.0, 0.0, 1.0, 0.0], x.Grad!.ToDoubleArray());
        }
    }

    [Fact]
    public void Unselected_infinities_do_not_leak_into_values_or_gradients()
    {
        var a = Tensor.From(new double[] { double.PositiveInfinity, 1, double.NaN }).RequiresGrad_();
        var b = Tensor.From(new double[] { 5, double.NegativeInfinity, 7 }).RequiresGrad_();
        var c = Tensor.From(new[] { false, true, false });
        var y = F.Where(c, a, b);
        (y * 2).Sum().Backward();
        Assert.Equal([5.0, 1.0, 7.0], y.ToDoubleArray());
        Assert.Equal([0.0, 2.0, 0.0], a.Grad!.ToDoubleArray());
        Assert.Equal([2.0, 0.0, 2.0], b.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Bad_inputs_name_the_argument()
    {
        var a = Tensor.Zeros(new Shape(2, 3));
        var mask = a > 0;
        Assert.Contains("condition", Assert.Throws<DTypeMismatchException>(() => F.Where(a, a, a)).Message);
        Assert.Contains("other", Assert.Throws<DTypeMismatchException>(() => F.Where(mask, a, a.To(DType.F64))).Message);
        Assert.Contains("[4]", Assert.Throws<ShapeMismatchException>(() => F.Where(mask, a, Tensor.Zeros(new Shape(4)))).Message);
        Assert.Contains("condition", Assert.Throws<DeviceMismatchException>(() => F.Where(mask.To(Device.Reference), a, a)).Message);
        Assert.Contains("mask", Assert.Throws<ShapeMismatchException>(() => F.MaskedFill(Tensor.Zeros(new Shape(3)), mask, 1)).Message);
        Assert.Contains("mask", Assert.Throws<DTypeMismatchException>(() => F.MaskedFill(a, a, 1)).Message);
    }
}
