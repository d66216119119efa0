using System.Numerics;

namespace Scratch;

public static partial class F
{
    /// <summary>One gradient's share of <see cref="ClipGradNorm"/>: Σ|g|ᵖ (max |g| when <paramref name="inf"/>), in
    /// float64. Host F32/F64 tensors with p ∈ {1, 2, ∞} are read in place with <see cref="Vector{T}"/> (F32 widened
    /// to float64 before squaring or adding, so the sum equals the scalar loop's up to the order of additions);
    /// anything else (other dtypes or p, device tensors) goes through a host copy of the elements as doubles.</summary>
    private static double GradPowerSum(Tensor g, double normType, bool inf)
    {
        var fast = g.Device.IsHost && (inf || normType is 1 or 2) && g.DType is DType.F32 or DType.F64;
        if (!fast)
        {
            double acc = 0;
            foreach (var v in g.ToDoubleArray())
            {
                var a = Math.Abs(v);
                acc = inf ? Math.Max(acc, a) : acc + (normType == 2 ? a * a : normType == 1 ? a : Math.Pow(a, normType));
            }
            return acc;
        }
        var c = g.Contiguous();
        var mode = inf ? 0 : normType == 1 ? 1 : 2;
        return g.DType == DType.F32 ? SumF32(c.HostSpan<float>(), mode) : SumF64(c.HostSpan<double>(), mode);
    }

    /// <summary>mode 0: max |x|; 1: Σ|x|; 2: Σx², accumulated in float64.</summary>
    private static double SumF32(ReadOnlySpan<float> x, int mode)
    {
        var acc = Vector<double>.Zero;
        var i = 0;
        if (Vector.IsHardwareAccelerated)
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector.Widen(new Vector<float>(x[i..]), out var lo, out var hi);
                acc = mode switch
                {
                    0 => Vector.Max(acc, Vector.Max(Vector.Abs(lo), Vector.Abs(hi))),
                    1 => acc + Vector.Abs(lo) + Vector.Abs(hi),
                    _ => acc + lo * lo + hi * hi,
                };
            }
        var s = 0.0;
        for (var k = 0; k < Vector<double>.Count; k++) s = mode == 0 ? Math.Max(s, acc[k]) : s + acc[k];
        for (; i < x.Length; i++)
        {
            var a = Math.Abs((double)x[i]);
            s = mode == 0 ? Math.Max(s, a) : s + (mode == 1 ? a : a * a);
        }
        return s;
    }

    /// <summary>mode 0: max |x|; 1: Σ|x|; 2: Σx².</summary>
    private static double SumF64(ReadOnlySpan<double> x, int mode)
    {
        var acc = Vector<double>.Zero;
        var i = 0;
        if (Vector.IsHardwareAccelerated)
            for (; i <= x.Length - Vector<double>.Count; i += Vector<double>.Count)
            {
                var v = new Vector<double>(x[i..]);
                acc = mode switch
                {
                    0 => Vector.Max(acc, Vector.Abs(v)),
                    1 => acc + Vector.Abs(v),
                    _ => acc + v * v,
                };
            }
        var s = 0.0;
        for (var k = 0; k < Vector<double>.Count; k++) s = mode == 0 ? Math.Max(s, acc[k]) : s + acc[k];
        for (; i < x.Length; i++)
        {
            var a = Math.Abs(x[i]);
            s = mode == 0 ? Math.Max(s, a) : s + (mode == 1 ? a : a * a);
        }
        return s;
    }
}
