using FsCheck;
using FsCheck.Fluent;
using Scratch.Tests.Properties;

namespace Scratch.Tests.Ops.Detection;

/// <summary>Counts N and M of two random box sets and a seed for their values.</summary>
public sealed record BoxCase(int N, int M, ulong Seed)
{
    public override string ToString() => $"N={N} M={M} seed {Seed}";
}

/// <summary>Arbitraries and value makers shared by the detection op tests.</summary>
public static class DetectionArbs
{
    private static Gen<ulong> Seed => Gen.Choose(0, int.MaxValue).Select(i => (ulong)i);

    public static Arbitrary<BoxCase> Boxes() =>
        Arb.From(
            from n in Gen.Frequency((1, Gen.Constant(0)), (1, Gen.Constant(1)), (6, Gen.Choose(2, 6)))
            from m in Gen.Frequency((1, Gen.Constant(1)), (6, Gen.Choose(2, 5)))
            from seed in Seed
            select new BoxCase(n, m, seed));

    /// <summary>Random xyxy boxes [n, 4]: x1, y1 in [0, 8), widths and heights in [0.5, 4.5).</summary>
    public static Tensor RandomBoxes(int n, ulong seed, DType dtype = DType.F64, Device? device = null)
    {
        var g = new Generator(seed);
        var v = new double[4 * n];
        for (var i = 0; i < n; i++)
        {
            v[4 * i] = 8 * g.NextDouble();
            v[4 * i + 1] = 8 * g.NextDouble();
            v[4 * i + 2] = v[4 * i] + 0.5 + 4 * g.NextDouble();
            v[4 * i + 3] = v[4 * i + 1] + 0.5 + 4 * g.NextDouble();
        }
        return Tensor.FromDoubles(v, new Shape(n, 4), dtype, device);
    }

    /// <summary>Random FCOS distances (l, t, r, b) [n, 4] in [0.2, 4.2).</summary>
    public static Tensor RandomLtrb(int n, ulong seed, DType dtype = DType.F64) =>
        Values.Uniform(new Shape(n, 4), seed, dtype, 0.2, 4.2);
}
