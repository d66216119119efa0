using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Scratch.Backends.Cpu;

/// <summary>Operand packing for <see cref="GemmDriver{T, K}"/>: A into MR-row panels, B into NR-column panels,
/// zero-padded at ragged edges; transposing layouts go through <see cref="GemmTranspose"/> 8×8 / 4×4 blocks.</summary>
internal static unsafe partial class GemmDriver<T, K> where T : unmanaged, IFloatingPointIeee754<T> where K : IGemmKernel<T>
{
    /// <summary>Packs rows × kc of A into MR-row panels: panel r holds kc groups of MR values (rows past the end
    /// are zero).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA(T* a, long rsA, long csA, int rows, int kc, T* dst)
    {
        var mr = K.MR;
        for (var ip = 0; ip < rows; ip += mr)
        {
            var mv = Math.Min(mr, rows - ip);
            T* d = dst + ip * kc;
            T* s = a + ip * rsA;
            if (rsA == 1 && mv == mr)
            {
                for (var p = 0; p < kc; p++) Copy(s + p * csA, d + p * mr, mr);
            }
            else if (csA == 1 && mv == 8 && mr == 8 && typeof(T) == typeof(float) && GemmTranspose.Supported)
            {
                var p = 0;
                for (; p + 8 <= kc; p += 8) GemmTranspose.Block8((float*)(s + p), rsA, (float*)(d + p * 8), 8);
                for (; p < kc; p++)
                for (var r = 0; r < 8; r++)
                    d[p * 8 + r] = s[r * rsA + p];
            }
            else if (csA == 1 && mv == mr && mr % 4 == 0 && typeof(T) == typeof(double) && GemmTranspose.Supported)
            {
                var p = 0;
                for (; p + 4 <= kc; p += 4)
                for (var r0 = 0; r0 < mr; r0 += 4)
                    GemmTranspose.Block4((double*)(s + r0 * rsA + p), rsA, (double*)(d + p * mr + r0), mr);
                for (; p < kc; p++)
                for (var r = 0; r < mr; r++)
                    d[p * mr + r] = s[r * rsA + p];
            }
            else if (csA == 1)
            {
                for (var r = 0; r < mv; r++)
                {
                    T* sr = s + r * rsA;
                    T* dr = d + r;
                    for (var p = 0; p < kc; p++) dr[p * mr] = sr[p];
                }
                for (var r = mv; r < mr; r++)
                for (var p = 0; p < kc; p++) d[p * mr + r] = T.Zero;
            }
            else
            {
                for (var p = 0; p < kc; p++)
                for (var r = 0; r < mr; r++)
                    d[p * mr + r] = r < mv ? s[r * rsA + p * csA] : T.Zero;
            }
        }
    }

    /// <summary>Copies a short run (a panel row) with vector moves; a call to memmove would cost more than the
    /// copy.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy(T* s, T* d, int count)
    {
        var w = Vector256<T>.Count;
        var i = 0;
        for (; i + w <= count; i += w) Vector256.Load(s + i).Store(d + i);
        for (; i < count; i++) d[i] = s[i];
    }

    /// <summary>Packs panels [p0, p1) of kc × cols of B into NR-column panels: panel j holds kc groups of NR values
    /// (columns past the end are zero).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB(T* b, long rsB, long csB, int kc, int cols, int p0, int p1, T* dst)
    {
        var nr = K.NR;
        if (csB == 1 && p1 * nr <= cols)
        {
            // Row-major B, whole panels: walk each source row once across all the panels (sequential reads).
            for (var p = 0; p < kc; p++)
            for (var jp = p0; jp < p1; jp++)
                Copy(b + p * rsB + jp * nr, dst + (jp * kc + p) * nr, nr);
            return;
        }
        for (var jp = p0; jp < p1; jp++)
            PackPanelB(b + jp * nr * csB, rsB, csB, kc, Math.Min(nr, cols - jp * nr), dst + jp * nr * kc);
    }

    /// <summary>Packs one kc × nv slice of B (nv ≤ NR) as kc groups of NR values, zero-padded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackPanelB(T* s, long rsB, long csB, int kc, int nv, T* d)
    {
        var nr = K.NR;
        if (csB == 1)
        {
            if (nv == nr)
            {
                for (var p = 0; p < kc; p++) Copy(s + p * rsB, d + p * nr, nr);
            }
            else
            {
                for (var p = 0; p < kc; p++)
                {
                    var dp = new Span<T>(d + p * nr, nr);
                    new ReadOnlySpan<T>(s + p * rsB, nv).CopyTo(dp);
                    dp[nv..].Clear();
                }
            }
        }
        else if (rsB == 1 && nv == nr && nr % 8 == 0 && typeof(T) == typeof(float) && GemmTranspose.Supported)
        {
            for (var j0 = 0; j0 < nr; j0 += 8)
            {
                var p = 0;
                for (; p + 8 <= kc; p += 8) GemmTranspose.Block8((float*)(s + j0 * csB + p), csB, (float*)(d + p * nr + j0), nr);
                for (; p < kc; p++)
                for (var j = j0; j < j0 + 8; j++)
                    d[p * nr + j] = s[j * csB + p];
            }
        }
        else if (rsB == 1 && nv == nr && nr % 4 == 0 && typeof(T) == typeof(double) && GemmTranspose.Supported)
        {
            for (var j0 = 0; j0 < nr; j0 += 4)
            {
                var p = 0;
                for (; p + 4 <= kc; p += 4) GemmTranspose.Block4((double*)(s + j0 * csB + p), csB, (double*)(d + p * nr + j0), nr);
                for (; p < kc; p++)
                for (var j = j0; j < j0 + 4; j++)
                    d[p * nr + j] = s[j * csB + p];
            }
        }
        else if (rsB == 1)
        {
            for (var j = 0; j < nv; j++)
            {
                T* sj = s + j * csB;
                T* dj = d + j;
                for (var p = 0; p < kc; p++) dj[p * nr] = sj[p];
            }
            for (var j = nv; j < nr; j++)
            for (var p = 0; p < kc; p++) d[p * nr + j] = T.Zero;
        }
        else
        {
            for (var p = 0; p < kc; p++)
            for (var j = 0; j < nr; j++)
                d[p * nr + j] = j < nv ? s[p * rsB + j * csB] : T.Zero;
        }
    }
}
