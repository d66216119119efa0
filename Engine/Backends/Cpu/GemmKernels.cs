using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using X86Fma = System.Runtime.Intrinsics.X86.Fma;

namespace Scratch.Backends.Cpu;

/// <summary>The few SIMD operations a GEMM micro-kernel needs, over one hardware vector type
/// <typeparamref name="TV"/> of <typeparamref name="T"/> lanes. Implemented by zero-size structs so the JIT
/// specialises and inlines every call.</summary>
internal interface IGemmVector<T, TV> where T : unmanaged where TV : struct
{
    /// <summary>Lanes per vector.</summary>
    static abstract int Count { get; }

    /// <summary>All-zero vector.</summary>
    static abstract TV Zero { get; }

    /// <summary>Unaligned load of <see cref="Count"/> lanes.</summary>
    static abstract unsafe TV Load(T* p);

    /// <summary>Unaligned store of <see cref="Count"/> lanes.</summary>
    static abstract unsafe void Store(TV v, T* p);

    /// <summary>Stores lanes [<paramref name="from"/>, <paramref name="to"/>) of v to p[from..to) and touches no
    /// other element (p is where lane 0 would go; it need not be inside the buffer when lane 0 is not stored).</summary>
    static abstract unsafe void StoreLanes(TV v, T* p, int from, int to);

    /// <summary>Every lane = <paramref name="x"/>.</summary>
    static abstract TV Splat(T x);

    /// <summary>a·b + c, fused where the hardware has FMA.</summary>
    static abstract TV Fma(TV a, TV b, TV c);

    /// <summary>Lane-wise a·b.</summary>
    static abstract TV Mul(TV a, TV b);

    /// <summary>The sum of the lanes.</summary>
    static abstract T Sum(TV v);
}

/// <summary>512-bit lanes (AVX-512).</summary>
internal readonly struct GemmV512<T> : IGemmVector<T, Vector512<T>> where T : unmanaged
{
    public static int Count => Vector512<T>.Count;
    public static Vector512<T> Zero => Vector512<T>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector512<T> Load(T* p) => Vector512.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(Vector512<T> v, T* p) => v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void StoreLanes(Vector512<T> v, T* p, int from, int to)
    {
        if (from == 0 && to == Count)
        {
            v.Store(p);
        }
        else if (typeof(T) == typeof(float) && Avx512F.IsSupported)
        {
            var i = Vector512<int>.Indices;
            var mask = Vector512.GreaterThanOrEqual(i, Vector512.Create(from)) & Vector512.LessThan(i, Vector512.Create(to));
            Avx512F.MaskStore((float*)p, mask.AsSingle(), v.AsSingle());
        }
        else if (typeof(T) == typeof(double) && Avx512F.IsSupported)
        {
            var i = Vector512<long>.Indices;
            var mask = Vector512.GreaterThanOrEqual(i, Vector512.Create((long)from))
                & Vector512.LessThan(i, Vector512.Create((long)to));
            Avx512F.MaskStore((double*)p, mask.AsDouble(), v.AsDouble());
        }
        else
        {
            for (var l = from; l < to; l++) p[l] = v.GetElement(l);
        }
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Splat(T x) => Vector512.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Mul(Vector512<T> a, Vector512<T> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum(Vector512<T> v) => Vector512.Sum(v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Fma(Vector512<T> a, Vector512<T> b, Vector512<T> c)
    {
        if (typeof(T) == typeof(float))
            return Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        return a * b + c;
    }
}

/// <summary>256-bit lanes (AVX2; fused when FMA3 is present).</summary>
internal readonly struct GemmV256<T> : IGemmVector<T, Vector256<T>> where T : unmanaged
{
    public static int Count => Vector256<T>.Count;
    public static Vector256<T> Zero => Vector256<T>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector256<T> Load(T* p) => Vector256.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(Vector256<T> v, T* p) => v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void StoreLanes(Vector256<T> v, T* p, int from, int to)
    {
        if (from == 0 && to == Count) v.Store(p);
        else for (var l = from; l < to; l++) p[l] = v.GetElement(l);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Splat(T x) => Vector256.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Mul(Vector256<T> a, Vector256<T> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum(Vector256<T> v) => Vector256.Sum(v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Fma(Vector256<T> a, Vector256<T> b, Vector256<T> c)
    {
        if (X86Fma.IsSupported)
        {
            if (typeof(T) == typeof(float))
                return Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
            if (typeof(T) == typeof(double))
                return Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        }
        return a * b + c;
    }
}

/// <summary>128-bit lanes (ARM64 AdvSimd, or SSE); fused on AdvSimd and FMA3.</summary>
internal readonly struct GemmV128<T> : IGemmVector<T, Vector128<T>> where T : unmanaged
{
    public static int Count => Vector128<T>.Count;
    public static Vector128<T> Zero => Vector128<T>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector128<T> Load(T* p) => Vector128.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(Vector128<T> v, T* p) => v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void StoreLanes(Vector128<T> v, T* p, int from, int to)
    {
        if (from == 0 && to == Count) v.Store(p);
        else for (var l = from; l < to; l++) p[l] = v.GetElement(l);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Splat(T x) => Vector128.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Mul(Vector128<T> a, Vector128<T> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum(Vector128<T> v) => Vector128.Sum(v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Fma(Vector128<T> a, Vector128<T> b, Vector128<T> c)
    {
        if (X86Fma.IsSupported || AdvSimd.IsSupported)
        {
            if (typeof(T) == typeof(float))
                return Vector128.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
            if (typeof(T) == typeof(double) && (X86Fma.IsSupported || AdvSimd.Arm64.IsSupported))
                return Vector128.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        }
        return a * b + c;
    }
}

/// <summary>A register-tiled micro-kernel: C[0..MR, 0..NR] = α·Σₚ Ã[p, 0..MR]ᵀ ⊗ B̃[p, 0..NR] + β·C over packed
/// panels (Ã: kc rows of MR values, B̃: kc rows of NR values), C row stride ldc. β = 0 never reads C.</summary>
internal interface IGemmKernel<T> where T : unmanaged
{
    /// <summary>Rows of the register tile.</summary>
    static abstract int MR { get; }

    /// <summary>Columns of the register tile (two vectors).</summary>
    static abstract int NR { get; }

    /// <summary>Runs the tile; see the interface summary.</summary>
    static abstract unsafe void Tile(T* a, T* b, int kc, T* c, long ldc, T alpha, T beta);
}

/// <summary>8 × 2-vector tile (16 accumulators): for 32-register files (AVX-512, AdvSimd).</summary>
internal readonly struct GemmTile8<T, TV, V> : IGemmKernel<T>
    where T : unmanaged, INumberBase<T> where TV : struct where V : IGemmVector<T, TV>
{
    public static int MR => 8;
    public static int NR => 2 * V.Count;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Tile(T* a, T* b, int kc, T* c, long ldc, T alpha, T beta)
    {
        var w = V.Count;
        TV c00 = V.Zero, c01 = V.Zero, c10 = V.Zero, c11 = V.Zero, c20 = V.Zero, c21 = V.Zero, c30 = V.Zero, c31 = V.Zero;
        TV c40 = V.Zero, c41 = V.Zero, c50 = V.Zero, c51 = V.Zero, c60 = V.Zero, c61 = V.Zero, c70 = V.Zero, c71 = V.Zero;
        for (var p = 0; p < kc; p++)
        {
            var b0 = V.Load(b);
            var b1 = V.Load(b + w);
            var x = V.Splat(a[0]); c00 = V.Fma(x, b0, c00); c01 = V.Fma(x, b1, c01);
            x = V.Splat(a[1]); c10 = V.Fma(x, b0, c10); c11 = V.Fma(x, b1, c11);
            x = V.Splat(a[2]); c20 = V.Fma(x, b0, c20); c21 = V.Fma(x, b1, c21);
            x = V.Splat(a[3]); c30 = V.Fma(x, b0, c30); c31 = V.Fma(x, b1, c31);
            x = V.Splat(a[4]); c40 = V.Fma(x, b0, c40); c41 = V.Fma(x, b1, c41);
            x = V.Splat(a[5]); c50 = V.Fma(x, b0, c50); c51 = V.Fma(x, b1, c51);
            x = V.Splat(a[6]); c60 = V.Fma(x, b0, c60); c61 = V.Fma(x, b1, c61);
            x = V.Splat(a[7]); c70 = V.Fma(x, b0, c70); c71 = V.Fma(x, b1, c71);
            a += 8;
            b += 2 * w;
        }
        GemmTileStore<T, TV, V>.Row(c, alpha, beta, c00, c01);
        GemmTileStore<T, TV, V>.Row(c + ldc, alpha, beta, c10, c11);
        GemmTileStore<T, TV, V>.Row(c + 2 * ldc, alpha, beta, c20, c21);
        GemmTileStore<T, TV, V>.Row(c + 3 * ldc, alpha, beta, c30, c31);
        GemmTileStore<T, TV, V>.Row(c + 4 * ldc, alpha, beta, c40, c41);
        GemmTileStore<T, TV, V>.Row(c + 5 * ldc, alpha, beta, c50, c51);
        GemmTileStore<T, TV, V>.Row(c + 6 * ldc, alpha, beta, c60, c61);
        GemmTileStore<T, TV, V>.Row(c + 7 * ldc, alpha, beta, c70, c71);
    }
}

/// <summary>6 × 2-vector tile (12 accumulators): for 16-register files (AVX2, SSE).</summary>
internal readonly struct GemmTile6<T, TV, V> : IGemmKernel<T>
    where T : unmanaged, INumberBase<T> where TV : struct where V : IGemmVector<T, TV>
{
    public static int MR => 6;
    public static int NR => 2 * V.Count;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Tile(T* a, T* b, int kc, T* c, long ldc, T alpha, T beta)
    {
        var w = V.Count;
        TV c00 = V.Zero, c01 = V.Zero, c10 = V.Zero, c11 = V.Zero, c20 = V.Zero, c21 = V.Zero;
        TV c30 = V.Zero, c31 = V.Zero, c40 = V.Zero, c41 = V.Zero, c50 = V.Zero, c51 = V.Zero;
        for (var p = 0; p < kc; p++)
        {
            var b0 = V.Load(b);
            var b1 = V.Load(b + w);
            var x = V.Splat(a[0]); c00 = V.Fma(x, b0, c00); c01 = V.Fma(x, b1, c01);
            x = V.Splat(a[1]); c10 = V.Fma(x, b0, c10); c11 = V.Fma(x, b1, c11);
            x = V.Splat(a[2]); c20 = V.Fma(x, b0, c20); c21 = V.Fma(x, b1, c21);
            x = V.Splat(a[3]); c30 = V.Fma(x, b0, c30); c31 = V.Fma(x, b1, c31);
            x = V.Splat(a[4]); c40 = V.Fma(x, b0, c40); c41 = V.Fma(x, b1, c41);
            x = V.Splat(a[5]); c50 = V.Fma(x, b0, c50); c51 = V.Fma(x, b1, c51);
            a += 6;
            b += 2 * w;
        }
        GemmTileStore<T, TV, V>.Row(c, alpha, beta, c00, c01);
        GemmTileStore<T, TV, V>.Row(c + ldc, alpha, beta, c10, c11);
        GemmTileStore<T, TV, V>.Row(c + 2 * ldc, alpha, beta, c20, c21);
        GemmTileStore<T, TV, V>.Row(c + 3 * ldc, alpha, beta, c30, c31);
        GemmTileStore<T, TV, V>.Row(c + 4 * ldc, alpha, beta, c40, c41);
        GemmTileStore<T, TV, V>.Row(c + 5 * ldc, alpha, beta, c50, c51);
    }
}

/// <summary>Writes one accumulator row of a tile: c = α·acc (β = 0) or α·acc + β·c.</summary>
internal static class GemmTileStore<T, TV, V> where T : unmanaged, INumberBase<T> where TV : struct where V : IGemmVector<T, TV>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Row(T* c, T alpha, T beta, TV acc0, TV acc1)
    {
        var w = V.Count;
        if (alpha != T.One)
        {
            var va = V.Splat(alpha);
            acc0 = V.Mul(acc0, va);
            acc1 = V.Mul(acc1, va);
        }
        if (beta == T.Zero)
        {
            V.Store(acc0, c);
            V.Store(acc1, c + w);
        }
        else
        {
            var vb = V.Splat(beta);
            V.Store(V.Fma(V.Load(c), vb, acc0), c);
            V.Store(V.Fma(V.Load(c + w), vb, acc1), c + w);
        }
    }
}
