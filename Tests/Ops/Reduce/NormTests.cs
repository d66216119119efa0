using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Reduce;

public class NormTests
{
    private static readonly double[] Ps = [2, 1, 3, 1.5, 0.5, double.PositiveInfinity, double.NegativeInfinity];

    private static double PFor(ReduceCase c) => Ps[c.Seed % (ulong)Ps.Length];

    [ReduceProperty]
    public void Gradients_match_finite_differences(ReduceCase c)
    {
        var p = PFor(c);
        Verify.Gradients(x => F.Norm(x[0], p, c.Axes, c.KeepDim), c.DistinctMagnitudes());
        Verify.Gradients(x => F.Norm(x[0], 2, [c.Dim], c.KeepDim), c.DistinctMagnitudes());
        Verify.Gradients(x => x[0].Norm(), c.DistinctMagnitudes());
    }

    [ReduceProperty]
    public void Cpu_matches_reference(ReduceCase c)
    {
        foreach (var p in Ps)
            Verify.SameOnBackends(x => F.Norm(x[0], p, c.Axes, c.KeepDim), [c.DistinctMagnitudes()], 1e-12, 1e-10);
        Verify.SameOnBackends(x => F.Norm(x[0], PFor(c), [c.Dim]), [c.Make(DType.F32)], 1e-5, 1e-4);
    }

    [ReduceProperty]
    public void Norms_agree_with_their_definitions_and_decrease_in_p(ReduceCase c)
    {
        var x = c.Make();
        var abs = Tensor.FromDoubles(x.ToDoubleArray().Select(Math.Abs).ToArray(), x.Shape, DType.F64);
        var two = F.Norm(x, 2, c.Axes, c.KeepDim);
        Verify.Close(F.Sum(x * x, c.Axes, c.KeepDim), two * two, 1e-12, 1e-9);
        var one = F.Norm(x, 1, c.Axes, c.KeepDim);
        Verify.Close(F.Sum(abs, c.Axes, c.KeepDim), one, 1e-12, 1e-9);
        var inf = F.Norm(x, double.PositiveInfinity, c.Axes, c.KeepDim);
        Verify.Close(F.Amax(abs, c.Axes, c.KeepDim), inf, 0, 0);
        Verify.Close(F.Amin(abs, c.Axes, c.KeepDim), F.Norm(x, double.NegativeInfinity, c.Axes, c.KeepDim), 0, 0);
        var three = F.Norm(x, 3, c.Axes, c.KeepDim).ToDoubleArray();
        var (o, t, i) = (one.ToDoubleArray(), two.ToDoubleArray(), inf.ToDoubleArray());
        for (var k = 0; k < o.Length; k++)
        {
            Assert.True(o[k] >= t[k] - 1e-12 && t[k] >= three[k] - 1e-12 && three[k] >= i[k] - 1e-12,
                $"element {k}: 1-norm {o[k]}, 2-norm {t[k]}, 3-norm {three[k]}, inf-norm {i[k]}");
        }
        // Homogeneity: ‖a·x‖ = |a|·‖x‖.
        Verify.Close(two * 2.5, F.Norm(x * -2.5, 2, c.Axes, c.KeepDim), 1e-12, 1e-9);
    }

    [Fact]
    public void Known_values_match_torch()
    {
        var x = Tensor.FromDoubles([1.5, -2.0, 3.25, 0.5, 4.0, -1.0], new Shape(2, 3), DType.F64);
        // torch 1.13 (x float64, .tolist()): torch.linalg.vector_norm(x) ; (x, 1, 1) ; (x, 3, 0) ; (x, inf, 1) ; (x, -inf) ; (x, 0) ; (x, 0.5)
        Verify.Values(x.Norm(), new Shape(), [5.836308764964376], 1e-12);
        Verify.Values(x.Norm(1, 1), new Shape(2), [6.75, 5.5], 1e-12);
        Verify.Values(x.Norm(3, 0), new Shape(3), [1.5182944859378311, 4.160167646103808, 3.281256613743283], 1e-12);
        Verify.Values(x.Norm(double.PositiveInfinity, 1), new Shape(2), [3.25, 4.0], 0);
        Verify.Values(x.Norm(double.NegativeInfinity), new Shape(), [0.5], 0);
        Verify.Values(x.Norm(0), new Shape(), [6], 0);
        Verify.Values(x.Norm(0.5), new Shape(), [66.4036072423591], 1e-10);
        Verify.Values(x.Norm(2, 1, keepDim: true), new Shape(2, 1),
            [Math.Sqrt(1.5 * 1.5 + 4 + 3.25 * 3.25), Math.Sqrt(0.25 + 16 + 1)], 1e-12);
        // torch 1.13: torch.linalg.vector_norm(torch.zeros(0)) -> 0.
        Verify.Values(Tensor.Zeros(new Shape(0)).Norm(), new Shape(), [0], 0);
    }

    [Fact]
    public void Gradients_match_torch_at_zeros_and_ties()
    {
        foreach (var device in new[] { Device.Cpu, Device.Reference })
        {
            // torch 1.13: z = torch.zeros(3); torch.linalg.vector_norm(z).backward() -> z.grad = [0, 0, 0]
            foreach (var p in new[] { 2.0, 1.0, 3.0, double.PositiveInfinity })
            {
                var z = Tensor.Zeros(new Shape(3), DType.F64, device).RequiresGrad_();
                z.Norm(p).Backward();
                Verify.Values(z.Grad!, new Shape(3), [0, 0, 0], 0);
            }
            // torch 1.13: t = torch.tensor([1., -3., 3.]); vector_norm(t, inf).backward() -> t.grad = [0, -0.5, 0.5]
            var t = Tensor.FromDoubles([1, -3, 3], new Shape(3), DType.F64, device).RequiresGrad_();
            t.Norm(double.PositiveInfinity).Backward();
            Verify.Values(t.Grad!, new Shape(3), [0, -0.5, 0.5]);
            // torch 1.13: t = torch.tensor([1., 0., -3.], dtype=torch.float64); vector_norm(t, 3).backward(); t.grad.tolist()
            var u = Tensor.FromDoubles([1, 0, -3], new Shape(3), DType.F64, device).RequiresGrad_();
            u.Norm(3).Backward();
            Verify.Values(u.Grad!, new Shape(3), [0.10844960613841653, 0.0, -0.9760464552457488], 1e-12);
        }
    }

    [Fact]
    public void Nan_and_infinity_propagate_like_torch()
    {
        foreach (var device in new[] { Device.Cpu, Device.Reference })
        {
            // torch 1.13: n = torch.tensor([1., nan, -3.], dtype=torch.float64)
            //             [torch.linalg.vector_norm(n, p).item() for p in [2, 1, 3, inf, -inf, 0]] -> [nan x5, 3.0]
            var n = Tensor.FromDoubles([1, double.NaN, -3], new Shape(3), DType.F64, device);
            foreach (var p in new[] { 2, 1, 3, double.PositiveInfinity, double.NegativeInfinity })
                Assert.True(double.IsNaN(n.Norm(p).Item()), $"p = {p} on {device}");
            Assert.Equal(3.0, n.Norm(0).Item());
            // torch 1.13: t = torch.tensor([1., nan, -3.]); vector_norm(t, inf).backward() -> [0, 0, 0]
            var t = n.Detach().Clone().RequiresGrad_();
            t.Norm(double.PositiveInfinity).Backward();
            Verify.Values(t.Grad!, new Shape(3), [0, 0, 0], 0);
            // torch 1.13: n.prod(), n.var() -> nan ; n.cumsum(0) -> [1, nan, nan]
            Assert.True(double.IsNaN(n.Prod().Item()));
            Assert.True(double.IsNaN(n.Var().Item()));
            Verify.Values(n.Cumsum(0), new Shape(3), [1, double.NaN, double.NaN]);
            // torch 1.13: i = torch.tensor([inf, -2.], dtype=torch.float64); vector_norm(i) -> inf, vector_norm(i, -inf) -> 2
            var i = Tensor.FromDoubles([double.PositiveInfinity, -2], new Shape(2), DType.F64, device);
            Assert.Equal(double.PositiveInfinity, i.Norm().Item());
            Assert.Equal(2.0, i.Norm(double.NegativeInfinity).Item());
            Assert.Equal(double.PositiveInfinity, i.Max().Item());
            Assert.Equal(-2.0, i.Min().Item());
        }
    }

    [Fact]
    public void Bad_input_is_rejected()
    {
        var x = Tensor.Zeros(new Shape(2, 3));
        var p = Assert.Throws<ArgumentOutOfRangeException>(() => x.Norm(-1));
        Assert.Equal("p", p.ParamName);
        Assert.Contains("Norm", p.Message);
        var dim = Assert.Throws<ArgumentOutOfRangeException>(() => x.Norm(2, 2));
        Assert.Equal("dim", dim.ParamName);
        Assert.Contains("Norm", dim.Message);
        Assert.Throws<DTypeMismatchException>(() => Tensor.From(new[] { 1, 2 }).Norm());
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(new Shape(0, 2)).Norm(double.PositiveInfinity, 0));
    }
}
