using FsCheck;
using FsCheck.Fluent;
using Scratch.Tests.Properties;

namespace Scratch.Tests.Ops.Reduce;

/// <summary>A small shape (rank 0–3, sizes 1–4, or 0–4 with <c>AllowEmpty</c>), a subset of its dims to reduce
/// (empty = all), one dim (sometimes negative), keep-dim and a seed.</summary>
public sealed record ReduceCase(int[] Dims, int[] Axes, int Dim, bool KeepDim, ulong Seed)
{
    public Shape Shape => new(Dims);

    /// <summary>Elements reduced by <see cref="Axes"/>.</summary>
    public long AxesCount => Axes.Length == 0 ? Shape.Numel : Axes.Aggregate(1L, (p, d) => p * Dims[d]);

    /// <summary>Elements along <see cref="Dim"/>.</summary>
    public int DimSize => Dims.Length == 0 ? 1 : Dims[Dim < 0 ? Dim + Dims.Length : Dim];

    public Tensor Make(DType dtype = DType.F64, double lo = -2, double hi = 2) =>
        Values.Uniform(Shape, Seed, dtype, lo, hi);

    /// <summary>Pairwise distinct values (a random permutation of a spaced ladder with jitter): no ties for
    /// max/min and no kinks for finite differences.</summary>
    public Tensor Distinct(DType dtype = DType.F64) => ReduceData.Distinct(Shape, Seed, dtype, signedMagnitudes: false);

    /// <summary>Values with pairwise distinct magnitudes ≥ 0.3 and random signs (for ∞-norms and |x| kinks).
    /// </summary>
    public Tensor DistinctMagnitudes(DType dtype = DType.F64) => ReduceData.Distinct(Shape, Seed, dtype, signedMagnitudes: true);

    public override string ToString() =>
        $"{Shape} axes [{string.Join(", ", Axes)}] dim {Dim} keep {KeepDim} seed {Seed}";
}

/// <summary>Test data helpers for the reduction tests.</summary>
public static class ReduceData
{
    public static Tensor Distinct(Shape shape, ulong seed, DType dtype, bool signedMagnitudes)
    {
        var g = new Generator(seed);
        var n = (int)shape.Numel;
        var perm = Enumerable.Range(0, n).ToArray();
        for (var i = n - 1; i > 0; i--)
        {
            var j = (int)g.NextInt64(i + 1);
            (perm[i], perm[j]) = (perm[j], perm[i]);
        }
        var v = new double[n];
        for (var i = 0; i < n; i++)
        {
            var jitter = 0.1 * g.NextDouble();
            if (signedMagnitudes)
                v[i] = (g.NextDouble() < 0.5 ? -1 : 1) * (0.3 + 0.25 * perm[i] + jitter);
            else
                v[i] = 0.25 * (perm[i] - n / 2.0) + jitter;
        }
        return Tensor.FromDoubles(v, shape, dtype);
    }

    /// <summary>The elements of <paramref name="t"/> as rows along <paramref name="dim"/>: [outer][along].</summary>
    public static double[][] Rows(Tensor t, int dim)
    {
        if (t.Rank == 0) return [[t.Item()]];
        var d = dim < 0 ? dim + t.Rank : dim;
        var perm = Enumerable.Range(0, t.Rank).Where(i => i != d).Append(d).ToArray();
        var flat = t.Detach().Permute(perm).Contiguous().ToDoubleArray();
        var len = t.Shape[d];
        if (len == 0) return [];
        return Enumerable.Range(0, flat.Length / len).Select(r => flat.Skip(r * len).Take(len).ToArray()).ToArray();
    }
}

/// <summary>FsCheck arbitraries for <see cref="ReduceCase"/>.</summary>
public static class ReduceArbs
{
    private static Gen<ReduceCase> Cases(Gen<int> size) =>
        from dims in Gen.Choose(0, 3).SelectMany(r => Gen.ArrayOf(size, r))
        from mask in Gen.Choose(0, 7)
        from dimPick in Gen.Choose(0, 7)
        from negative in Gen.Elements(false, true)
        from keep in Gen.Elements(false, true)
        from seed in Gen.Choose(0, int.MaxValue)
        let axes = Enumerable.Range(0, dims.Length).Where(i => (mask >> i & 1) == 1).ToArray()
        let dim = dims.Length == 0 ? 0 : dimPick % dims.Length - (negative ? dims.Length : 0)
        select new ReduceCase(dims, axes, dim, keep, (ulong)seed);

    /// <summary>Non-empty shapes (sizes 1–4).</summary>
    public static Arbitrary<ReduceCase> NonEmpty() => Arb.From(Cases(Gen.Frequency((1, Gen.Constant(1)), (4, Gen.Choose(2, 4)))));
}

/// <summary>A property over <see cref="ReduceArbs"/> (100 cases).</summary>
public sealed class ReducePropertyAttribute : FsCheck.Xunit.PropertyAttribute
{
    public ReducePropertyAttribute()
    {
        Arbitrary = [typeof(ReduceArbs)];
        MaxTest = 100;
        QuietOnSuccess = true;
    }
}
