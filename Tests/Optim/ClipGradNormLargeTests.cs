using Xunit;

namespace Scratch.Tests.Optim;

/// <summary>The vectorised host path of <see cref="F.ClipGradNorm"/> against a plain float64 loop written here, on
/// gradients long enough to use it (lengths not a multiple of the vector width, one long enough for the chunked
/// parallel norm and scale), F32 and F64, p = 1, 2, 3, ∞.</summary>
public class ClipGradNormLargeTests
{
    private static double[] Values(int n, int seed)
    {
        var r = new Random(seed);
        var v = new double[n];
        for (var i = 0; i < n; i++) v[i] = (r.NextDouble() * 2 - 1) * (1 + i % 7);
        return v;
    }

    private static double Norm(IEnumerable<double[]> gs, double p)
    {
        double acc = 0;
        foreach (var g in gs)
            foreach (var v in g)
                acc = double.IsPositiveInfinity(p) ? Math.Max(acc, Math.Abs(v)) : acc + Math.Pow(Math.Abs(v), p);
        return double.IsPositiveInfinity(p) ? acc : Math.Pow(acc, 1 / p);
    }

    [Theory]
    [InlineData(DType.F32, 2.0)]
    [InlineData(DType.F64, 2.0)]
    [InlineData(DType.F32, 1.0)]
    [InlineData(DType.F64, 1.0)]
    [InlineData(DType.F32, double.PositiveInfinity)]
    [InlineData(DType.F64, double.PositiveInfinity)]
    [InlineData(DType.F32, 3.0)]
    public void Norm_and_clipped_gradients_match_a_float64_loop(DType dtype, double p)
    {
        // 200 003 elements: four parallel chunks of 65 536 and a ragged one.
        int[] sizes = [1, 37, 1003, 4099, 200_003];
        var raw = sizes.Select((n, k) => Values(n, k)).ToArray();
        var ps = sizes.Select((n, k) =>
        {
            var t = Tensor.Zeros(new Shape(n), dtype).RequiresGrad_();
            t.Grad = Tensor.FromDoubles(raw[k], new Shape(n), dtype);
            return t;
        }).ToArray();
        // what the gradients hold after rounding to the dtype
        var held = ps.Select(t => t.Grad!.ToDoubleArray()).ToArray();
        var expected = Norm(held, p);
        var total = F.ClipGradNorm(ps, 1.0, p);
        Assert.Equal(expected, total, expected * 1e-12);
        var coef = 1.0 / (expected + 1e-6);
        for (var k = 0; k < ps.Length; k++)
        {
            var got = ps[k].Grad!.ToDoubleArray();
            for (var i = 0; i < got.Length; i++)
                Assert.Equal(held[k][i] * coef, got[i], dtype == DType.F32 ? 1e-6 : 1e-12);
        }
    }

    [Fact]
    public void A_strided_gradient_is_read_through_its_view()
    {
        var t = Tensor.Zeros(new Shape(3, 40)).RequiresGrad_();
        var v = Values(120, 5);
        t.Grad = Tensor.FromDoubles(v, new Shape(40, 3)).Transpose(0, 1);
        var expected = Norm([v.Select(x => (double)(float)x).ToArray()], 2);
        Assert.Equal(expected, F.ClipGradNorm([t], 1e9), expected * 1e-12);
    }

    [Fact]
    public void A_nan_gradient_makes_every_gradient_nan_as_in_torch()
    {
        // torch 1.13: a.grad = [nan, 1], b.grad = [2]; clip_grad_norm_([a, b], 5.0) -> nan and both grads all nan
        var a = Tensor.Zeros(new Shape(2)).RequiresGrad_();
        var b = Tensor.Zeros(new Shape(1)).RequiresGrad_();
        a.Grad = Tensor.FromDoubles([double.NaN, 1], new Shape(2));
        b.Grad = Tensor.FromDoubles([2], new Shape(1));
        Assert.True(double.IsNaN(F.ClipGradNorm([a, b], 5.0)));
        Assert.All(a.Grad!.ToDoubleArray(), x => Assert.True(double.IsNaN(x)));
        Assert.All(b.Grad!.ToDoubleArray(), x => Assert.True(double.IsNaN(x)));
    }
}
