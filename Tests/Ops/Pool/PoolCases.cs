using FsCheck;
using FsCheck.Fluent;
using Scratch.Tests.Properties;

namespace Scratch.Tests.Ops.Pool;

/// <summary>A sliding-window pool configuration over an input [N, C, H, W].</summary>
public sealed record PoolCase(int N, int C, int H, int W, Size2 Kernel, Size2 Stride, Size2 Padding, Size2 Dilation,
    bool Ceil, bool CountIncludePad, int? Divisor, ulong Seed)
{
    public Shape X => new(N, C, H, W);

    /// <summary>Distinct values at least 0.05 apart (no ties, so max pooling is differentiable).</summary>
    public Tensor Distinct(DType dtype = DType.F64)
    {
        var perm = Tensor.Randperm((int)X.Numel, new Generator(Seed)).ToDoubleArray();
        return Tensor.FromDoubles(perm.Select(v => 0.05 * v - 1).ToArray(), X, dtype);
    }

    public override string ToString() =>
        $"x {X} k {Kernel} s {Stride} p {Padding} d {Dilation} ceil {Ceil} includePad {CountIncludePad} divisor {Divisor}";
}

/// <summary>An adaptive pool configuration.</summary>
public sealed record AdaptiveCase(int N, int C, int H, int W, Size2 Out, ulong Seed)
{
    public Shape X => new(N, C, H, W);

    public Tensor Distinct(DType dtype = DType.F64)
    {
        var perm = Tensor.Randperm((int)X.Numel, new Generator(Seed)).ToDoubleArray();
        return Tensor.FromDoubles(perm.Select(v => 0.05 * v - 1).ToArray(), X, dtype);
    }

    public override string ToString() => $"x {X} out {Out}";
}

public static class PoolArbs
{
    private static int OutLength(int size, int k, int s, int p, int d, bool ceil)
    {
        var num = size + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0);
        var o = (int)Math.Floor((double)num / s) + 1;
        if (ceil && (o - 1) * s >= size + p) o--;
        return o;
    }

    /// <summary>Every window has an in-range tap (else max pooling yields −∞, which finite differences cannot check).</summary>
    private static bool AllWindowsHit(int size, int k, int s, int p, int d, bool ceil) =>
        Enumerable.Range(0, Math.Max(0, OutLength(size, k, s, p, d, ceil)))
            .All(o => Enumerable.Range(0, k).Any(i => o * s - p + i * d >= 0 && o * s - p + i * d < size));

    public static Arbitrary<PoolCase> Sliding() => Arb.From(
        from n in Gen.Choose(1, 2)
        from c in Gen.Choose(1, 3)
        from h in Gen.Choose(1, 7)
        from w in Gen.Choose(1, 7)
        from kh in Gen.Choose(1, 3)
        from kw in Gen.Choose(1, 4)
        from sh in Gen.Choose(1, 3)
        from sw in Gen.Choose(1, 2)
        from ph in Gen.Choose(0, kh / 2)
        from pw in Gen.Choose(0, kw / 2)
        from dh in Gen.Choose(1, 2)
        from dw in Gen.Choose(1, 2)
        from ceil in Gen.Elements(true, false)
        from include in Gen.Elements(true, false)
        from divisor in Gen.Frequency((4, Gen.Constant<int?>(null)), (1, Gen.Choose(-3, 7).Where(v => v != 0).Select(v => (int?)v)))
        from seed in Gen.Choose(0, int.MaxValue)
        select new PoolCase(n, c, h, w, (kh, kw), (sh, sw), (ph, pw), (dh, dw), ceil, include, divisor, (ulong)seed)
        into pc
        where OutLength(pc.H, pc.Kernel.H, pc.Stride.H, pc.Padding.H, pc.Dilation.H, pc.Ceil) >= 1
            && OutLength(pc.W, pc.Kernel.W, pc.Stride.W, pc.Padding.W, pc.Dilation.W, pc.Ceil) >= 1
            && OutLength(pc.H, pc.Kernel.H, pc.Stride.H, pc.Padding.H, 1, pc.Ceil) >= 1
            && OutLength(pc.W, pc.Kernel.W, pc.Stride.W, pc.Padding.W, 1, pc.Ceil) >= 1
            && AllWindowsHit(pc.H, pc.Kernel.H, pc.Stride.H, pc.Padding.H, pc.Dilation.H, pc.Ceil)
            && AllWindowsHit(pc.W, pc.Kernel.W, pc.Stride.W, pc.Padding.W, pc.Dilation.W, pc.Ceil)
        select pc);

    public static Arbitrary<AdaptiveCase> Adaptive() => Arb.From(
        from n in Gen.Choose(1, 2)
        from c in Gen.Choose(1, 3)
        from h in Gen.Choose(1, 7)
        from w in Gen.Choose(1, 7)
        from oh in Gen.Choose(1, 8)
        from ow in Gen.Choose(1, 8)
        from seed in Gen.Choose(0, int.MaxValue)
        select new AdaptiveCase(n, c, h, w, (oh, ow), (ulong)seed));
}
