using System.Numerics;

namespace Scratch;

public static partial class F
{
    /// <summary>One gradient's share of <see cref="ClipGradNorm"/>: Σ|g|ᵖ (max |g| when <paramref name="inf"/>), in
    /// float64. Host F32/F64 tensors with p ∈ {1, 2, ∞} are read in place with <see cref="Vector{T}"/> (F32 widened
    /// to float64 before squaring or adding, so the sum equals the scalar loop's up to the order of additions);
    /// anything else (other dtypes or p, device tensors) goes through a host copy of the elements as doubles. Gradients
    /// over 65 536 elements are summed in fixed chunks on all cores.</summary>
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
        var n = (int)c.Numel;
        if (n <= NormChunk)
            return g.DType == DType.F32 ? SumF32(c.HostSpan<float>(), mode) : SumF64(c.HostSpan<double>(), mode);
        // Fixed chunks summed in parallel, then combined in chunk order: the result does not depend on the threads.
        var parts = new double[(n + NormChunk - 1) / NormChunk];
        Parallel.For(0, parts.Length, k =>
        {
            int lo = k * NormChunk, len = Math.Min(NormChunk, n - lo);
            parts[k] = c.DType == DType.F32 ? SumF32(c.HostSpan<float>().Slice(lo, len), mode)
                : SumF64(c.HostSpan<double>().Slice(lo, len), mode);
        });
        var s = 0.0;
        foreach (var part in parts) s = mode == 0 ? Math.Max(s, part) : s + part;
        return s;
    }

    /// <summary>g ← g·coef in place for a contiguous host F32/F64 gradient, in fixed chunks on all cores (the same
    /// products as <see cref="Tensor.Mul_(double)"/>); false for any other gradient, which the caller scales with
    /// Mul_.</summary>
    private static bool ScaleInPlace(Tensor g, double coef)
    {
        if (!g.Device.IsHost || !g.IsContiguous || g.DType is not (DType.F32 or DType.F64)) return false;
        var n = (int)g.Numel;
        Parallel.For(0, (n + NormChunk - 1) / NormChunk, k =>
        {
            int lo = k * NormChunk, len = Math.Min(NormChunk, n - lo);
            if (g.DType == DType.F32)
            {
                var span = g.HostSpan<float>().Slice(lo, len);
                System.Numerics.Tensors.TensorPrimitives.Multiply(span, (float)coef, span);
            }
            else
            {
                var span = g.HostSpan<double>().Slice(lo, len);
                System.Numerics.Tensors.TensorPrimitives.Multiply(span, coef, span);
            }
        });
        g.Storage.BumpVersion();
        return true;
    }

    /// <summary>Elements per parallel chunk of a large gradient's norm.</summary>
    private const int NormChunk = 1 << 16;

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
