using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Reduce;

public class VarTests
{
    [ReduceProperty]
    public void Gradients_match_finite_differences(ReduceCase c)
    {
        var n = c.AxesCount;
        var correction = n >= 2 ? (int)(c.Seed % 2) : 0;
        Verify.Gradients(x => F.Var(x[0], c.Axes, correction, c.KeepDim), c.Make());
        Verify.Gradients(x => F.VarMean(x[0], [c.Dim], 0, c.KeepDim).Mean, c.Make());
        if (n >= 2)
        {
            Verify.Gradients(x => F.Std(x[0], c.Axes, correction, c.KeepDim), c.Distinct());
            Verify.Gradients(x => F.StdMean(x[0], c.Axes, correction, c.KeepDim).Spread, c.Distinct());
        }
    }

    [ReduceProperty]
    public void Cpu_matches_reference(ReduceCase c)
    {
        Verify.SameOnBackends(x => F.Var(x[0], c.Axes, 1, c.KeepDim), [c.Make()], 1e-12, 1e-10);
        if (c.AxesCount >= 2)
            Verify.SameOnBackends(x => F.Std(x[0], [c.Dim], 0, c.KeepDim), [c.Distinct(DType.F32)], 1e-5, 1e-5);
    }

    [ReduceProperty]
    public void Var_is_mean_square_minus_squared_mean_and_std_squares_to_var(ReduceCase c)
    {
        var x = c.Make();
        var n = c.AxesCount;
        var mean = F.Mean(x, c.Axes, c.KeepDim);
        var biased = F.Var(x, c.Axes, 0, c.KeepDim);
        Verify.Close(F.Mean(x * x, c.Axes, c.KeepDim) - mean * mean, biased, 1e-12, 1e-9);
        var std = F.Std(x, c.Axes, 0, c.KeepDim);
        Verify.Close(biased, std * std, 1e-12, 1e-9);
        if (n >= 2) Verify.Close(biased * ((double)n / (n - 1)), F.Var(x, c.Axes, 1, c.KeepDim), 1e-12, 1e-9);
        var (v, m) = F.VarMean(x, c.Axes, 0, c.KeepDim);
        Verify.Close(biased, v, 0, 0);
        Verify.Close(mean, m, 0, 0);
        Assert.All(biased.ToDoubleArray(), e => Assert.True(e >= -1e-12));
    }

    [Fact]
    public void Known_values_match_torch()
    {
        var x = Tensor.FromDoubles([1.5, -2.0, 3.25, 0.5, 4.0, -1.0], new Shape(2, 3), DType.F64);
        // torch 1.13: x.var() ; x.var(1) ; x.var(0, correction=0)
        Verify.Values(x.Var(), new Shape(), [5.5104166667], 1e-9);
        Verify.Values(x.Var(1), new Shape(2), [7.1458333333, 6.5833333333], 1e-9);
        Verify.Values(x.Var(0, correction: 0), new Shape(3), [0.25, 9.0, 4.515625], 1e-9);
        // torch 1.13: x.var(unbiased=False) ; x.std(unbiased=False)
        Verify.Values(x.Var(null, correction: 0), new Shape(), [4.592013888888889], 1e-12);
        Verify.Values(x.Std(null, correction: 0), new Shape(), [2.1428984784372984], 1e-12);
        Verify.Values(F.Var(x, null, unbiased: false), new Shape(), [4.592013888888889], 1e-12);
        Verify.Values(F.Std(x, null, unbiased: false), new Shape(), [2.1428984784372984], 1e-12);
        Verify.Values(F.Var(x, [1], unbiased: true), new Shape(2), [7.1458333333, 6.5833333333], 1e-9);
        // torch 1.13: x.std() ; x.std(1, keepdim=True)
        Verify.Values(x.Std(), new Shape(), [2.3474276702], 1e-9);
        Verify.Values(x.Std(1, keepDim: true), new Shape(2, 1), [2.6731691554, 2.5658007197], 1e-9);
        // torch 1.13: torch.var_mean(x, 1)
        var (v, m) = F.VarMean(x, [1]);
        Verify.Values(v, new Shape(2), [7.1458333333, 6.5833333333], 1e-9);
        Verify.Values(m, new Shape(2), [0.9166666667, 1.1666666667], 1e-9);
        // torch 1.13: torch.tensor([3.]).var() -> nan (one element, unbiased)
        Assert.True(double.IsNaN(Tensor.From(new[] { 3.0 }).Var().Item()));
    }

    [Fact]
    public void Bad_input_is_rejected()
    {
        var ints = Tensor.From(new[] { 1, 2, 3 });
        var ex = Assert.Throws<DTypeMismatchException>(() => ints.Var());
        Assert.Contains("Var", ex.Message);
        Assert.Throws<DTypeMismatchException>(() => ints.Std());
        var x = Tensor.Zeros(new Shape(2, 3));
        var dim = Assert.Throws<ArgumentOutOfRangeException>(() => x.Std(5));
        Assert.Contains("Std", dim.Message);
        Assert.Equal("dim", dim.ParamName);
    }
}
