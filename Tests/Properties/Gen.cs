using FsCheck;
using FsCheck.Fluent;

namespace Scratch.Tests.Properties;

/// <summary>A random shape (rank 0–4, sizes 0–5 with 0 and 1 frequent) and a seed for its values.</summary>
public sealed record ShapeCase(int[] Dims, ulong Seed)
{
    public Shape Shape => new(Dims);

    /// <summary>Values uniform in [lo, hi).</summary>
    public Tensor Make(DType dtype = DType.F64, double lo = -2, double hi = 2, Device? device = null) =>
        Values.Uniform(Shape, Seed, dtype, lo, hi, device);

    public override string ToString() => $"{Shape} seed {Seed}";
}

/// <summary>Two shapes that broadcast together (dims dropped or set to 1 on either side).</summary>
public sealed record BroadcastCase(int[] A, int[] B, ulong Seed)
{
    public override string ToString() => $"{new Shape(A)} vs {new Shape(B)} seed {Seed}";
}

/// <summary>A non-contiguous view kind applied to a base tensor: permuted, sliced with step 2, or expanded.</summary>
public enum ViewKind
{
    Permuted,
    Stepped,
    Expanded,
}

/// <summary>A logical shape realised as a non-contiguous view over a larger or differently laid out base.</summary>
public sealed record ViewCase(int[] Dims, ViewKind Kind, ulong Seed)
{
    public override string ToString() => $"{Kind} {new Shape(Dims)} seed {Seed}";

    /// <summary>Builds the view with random values (storage is not shared with any other test tensor).</summary>
    public Tensor Make(DType dtype = DType.F64, Device? device = null)
    {
        var shape = new Shape(Dims);
        switch (Kind)
        {
            case ViewKind.Permuted when Dims.Length >= 2:
            {
                var rev = Dims.Reverse().ToArray();
                var b = Values.Uniform(new Shape(rev), Seed, dtype, -2, 2, device);
                return b.Permute(Enumerable.Range(0, Dims.Length).Reverse().ToArray());
            }
            case ViewKind.Stepped when Dims.Length >= 1:
            {
                var baseDims = (int[])Dims.Clone();
                baseDims[0] = Math.Max(1, 2 * Dims[0]);
                var b = Values.Uniform(new Shape(baseDims), Seed, dtype, -2, 2, device);
                var strides = b.Strides.ToArray();
                strides[0] *= 2;
                return new Tensor(b.Storage, shape, strides, 0);
            }
            case ViewKind.Expanded when Dims.Length >= 1:
            {
                var baseDims = (int[])Dims.Clone();
                baseDims[^1] = Dims[^1] == 0 ? 0 : 1;
                var b = Values.Uniform(new Shape(baseDims), Seed, dtype, -2, 2, device);
                return b.Expand(Dims);
            }
            default:
                return Values.Uniform(shape, Seed, dtype, -2, 2, device);
        }
    }
}

/// <summary>Deterministic test values.</summary>
public static class Values
{
    public static Tensor Uniform(Shape shape, ulong seed, DType dtype, double lo, double hi, Device? device = null)
    {
        var g = new Generator(seed);
        var v = new double[shape.Numel];
        for (var i = 0; i < v.Length; i++) v[i] = lo + (hi - lo) * g.NextDouble();
        return Tensor.FromDoubles(v, shape, dtype, device);
    }

    /// <summary>Uniform values whose magnitude is at least <paramref name="minAbs"/> (away from kinks and poles).</summary>
    public static Tensor AwayFromZero(Shape shape, ulong seed, DType dtype = DType.F64, double minAbs = 0.2, double maxAbs = 2)
    {
        var g = new Generator(seed);
        var v = new double[shape.Numel];
        for (var i = 0; i < v.Length; i++)
        {
            var m = minAbs + (maxAbs - minAbs) * g.NextDouble();
            v[i] = g.NextDouble() < 0.5 ? -m : m;
        }
        return Tensor.FromDoubles(v, shape, dtype);
    }
}

/// <summary>FsCheck arbitraries for tensor cases; use with <see cref="TensorPropertyAttribute"/>.</summary>
public static class TensorArbs
{
    private static Gen<int> Size(int max) =>
        Gen.Frequency((2, Gen.Constant(1)), (1, Gen.Constant(0)), (6, Gen.Choose(2, max)));

    private static Gen<int> NonZeroSize(int max) => Gen.Frequency((2, Gen.Constant(1)), (6, Gen.Choose(2, max)));

    private static Gen<ulong> Seed => Gen.Choose(0, int.MaxValue).Select(i => (ulong)i);

    public static Gen<int[]> DimsGen(int maxRank = 4, int maxSize = 5) =>
        Gen.Choose(0, maxRank).SelectMany(r => Gen.ArrayOf(Size(maxSize), r));

    public static Arbitrary<ShapeCase> Shapes() =>
        Arb.From(DimsGen().SelectMany(d => Seed.Select(s => new ShapeCase(d, s))));

    public static Arbitrary<BroadcastCase> Broadcasts() =>
        Arb.From(
            from dims in Gen.Choose(0, 4).SelectMany(r => Gen.ArrayOf(NonZeroSize(4), r))
            from maskA in Gen.ArrayOf(Gen.Choose(0, 2), dims.Length)
            from maskB in Gen.ArrayOf(Gen.Choose(0, 2), dims.Length)
            from dropA in Gen.Choose(0, dims.Length)
            from dropB in Gen.Choose(0, dims.Length)
            from seed in Seed
            select new BroadcastCase(
                dims.Select((d, i) => maskA[i] == 0 ? 1 : d).Skip(dropA).ToArray(),
                dims.Select((d, i) => maskB[i] == 0 ? 1 : d).Skip(dropB).ToArray(),
                seed));

    public static Arbitrary<ViewCase> Views() =>
        Arb.From(
            from dims in Gen.Choose(1, 4).SelectMany(r => Gen.ArrayOf(Size(4), r))
            from kind in Gen.Elements(ViewKind.Permuted, ViewKind.Stepped, ViewKind.Expanded)
            from seed in Seed
            select new ViewCase(dims, kind, seed));
}
