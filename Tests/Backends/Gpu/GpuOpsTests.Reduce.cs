using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Backends.Gpu;

public abstract partial class GpuOpsTests
{
    /// <summary>Uniform values with about a quarter of them exactly 0 (exercises the zero paths of the product
    /// gradients).</summary>
    private static Tensor WithZeros(Random r, int[] dims, ulong seed, DType dtype)
    {
        var v = Values.Uniform(new Shape(dims), seed, DType.F64, 0.5, 1.5).ToDoubleArray();
        for (var i = 0; i < v.Length; i++)
        {
            if (r.Next(4) == 0) v[i] = 0;
            else if (r.Next(2) == 0) v[i] = -v[i];
        }
        return Tensor.FromDoubles(v, new Shape(dims), dtype);
    }

    /// <summary>Runs <paramref name="check"/> on random cases: x (away from zero), one reduced dim, keep-dim flag.
    /// </summary>
    private void ReductionCases(int seed, int cases, Action<Tensor, int[], bool, int, string> check)
    {
        var r = new Random(seed);
        for (var c = 0; c < cases; c++)
        {
            var dtype = Floats[c % 2];
            var dims = RandomDims(r);
            if (c % 5 == 0) dims = [2, 70 + c]; // rows longer than a group
            var x = Values.AwayFromZero(new Shape(dims), (ulong)c, dtype, 0.3, 2);
            int[] d = [r.Next(dims.Length)];
            check(x, d, c % 2 == 0, c, $"case {c} x {x.Shape} dims [{d[0]}] {dtype}");
        }
    }

    [GpuFact]
    public void LogSumExpMatchesReference() => ReductionCases(81, Cases / 2, (x, d, keep, c, what) =>
    {
        var (atol, rtol) = Tol(x.DType);
        SameWithGrads(t => c % 3 == 0 ? F.LogSumExp(t[0]) : F.LogSumExp(t[0], d, keep), [x], atol, rtol,
            "logsumexp " + what);
    });

    [GpuFact]
    public void NormMatchesReference() => ReductionCases(82, Cases / 2, (x, d, keep, c, what) =>
    {
        var (atol, rtol) = Tol(x.DType);
        double[] ps = [2, 1, 3, 0, double.PositiveInfinity, double.NegativeInfinity];
        var p = ps[c % ps.Length];
        SameWithGrads(t => c % 4 == 3 ? F.Norm(t[0], p) : F.Norm(t[0], p, d, keep), [x], atol, rtol,
            $"norm {p} " + what);
    });

    [GpuFact]
    public void StdAndVarMatchReference() => ReductionCases(83, Cases / 4, (x, d, keep, c, what) =>
    {
        var (atol, rtol) = Tol(x.DType);
        SameWithGrads(t => F.Std(t[0], d, 1, keep), [x], atol, rtol, "std " + what);
        SameWithGrads(t => F.Var(t[0], d, 0, keep), [x], atol, rtol, "var " + what);
        SameWithGrads(t => F.StdMean(t[0], d).Spread, [x], atol, rtol, "std_mean " + what);
    });

    [GpuFact]
    public void LogSumExpOfInfiniteAndNaNRowsMatchesReference()
    {
        double inf = double.PositiveInfinity, nan = double.NaN;
        var x = Tensor.FromDoubles([-inf, -inf, 1, inf, nan, 0, 1e4, 1e4 + 1], new Shape(4, 2), DType.F32);
        Same(t => F.LogSumExp(t[0], [1]), [x], 1e-6, 1e-6, "logsumexp special rows");
        Same(t => F.LogSumExp(t[0].Narrow(1, 0, 0), [1]), [x], 0, 0, "logsumexp of empty rows");
    }

    [GpuFact]
    public void CumsumCumprodAndProdMatchReferenceWithZeros()
    {
        var r = new Random(82);
        for (var c = 0; c < Cases; c++)
        {
            var dtype = Floats[c % 2];
            var (atol, rtol) = Tol(dtype);
            var dims = RandomDims(r);
            var x = WithZeros(r, dims, (ulong)c, dtype);
            var d = r.Next(dims.Length);
            var what = $"case {c} x {x.Shape} dim {d} {dtype}";
            SameWithGrads(t => F.Cumsum(t[0], d), [x], atol, rtol, "cumsum " + what);
            SameWithGrads(t => F.Cumprod(t[0], d), [x], atol, rtol, "cumprod " + what);
            SameWithGrads(t => F.Prod(t[0], [d]), [x], atol, rtol, "prod " + what);
            SameWithGrads(t => F.Prod(t[0]), [x], atol, rtol, "prod all " + what);
        }
        foreach (var dtype in new[] { DType.I32, DType.I64, DType.Bool })
        {
            var x = Values.Uniform(new Shape(3, 4), 83, DType.F64, -3, 3).To(dtype);
            Same(t => F.Cumsum(t[0], 1), [x], 0, 0, $"cumsum {dtype}");
            Same(t => F.Cumprod(t[0], 0), [x], 0, 0, $"cumprod {dtype}");
        }
    }

    [GpuFact]
    public void CumsumAndLogSumExpMatchTorch()
    {
        // torch 1.13: torch.tensor([[1., 2., 3.], [4., 5., 6.]]).cumsum(1)
        var x = Tensor.FromDoubles([1, 2, 3, 4, 5, 6], new Shape(2, 3), DType.F32).To(Device);
        Assert.Equal([1.0, 3, 6, 4, 9, 15], F.Cumsum(x, 1).ToDoubleArray());
        // torch 1.13: torch.tensor([[1., 2., 3.], [4., 5., 6.]]).cumprod(0)
        Assert.Equal([1.0, 2, 3, 4, 10, 18], F.Cumprod(x, 0).ToDoubleArray());
        // torch 1.13: torch.logsumexp(torch.tensor([[1., 2., 3.], [4., 5., 6.]]), 1)
        Verify.Close([3.4076058865, 6.4076061249], F.LogSumExp(x, [1]).ToDoubleArray(), 1e-6, 1e-6, "logsumexp");
    }
}
