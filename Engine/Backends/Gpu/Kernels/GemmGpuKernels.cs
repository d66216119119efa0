using System.Numerics;
using ILGPU;

namespace Scratch.Backends.Gpu;

/// <summary>Reads element (row, col) of matrix <c>batch</c> of a GEMM operand stored in a flat view; the kernel checks
/// the bounds, so implementations never see an out-of-range (row, col).</summary>
internal interface IGemmOperand
{
    /// <summary>The element, or zero where the operand is virtual (for example padding of an implicit im2col).</summary>
    T Load<T>(ArrayView<T> data, int batch, int row, int col) where T : unmanaged, INumber<T>;
}

/// <summary>Where element (row, col) of output matrix <c>batch</c> is stored.</summary>
internal interface IGemmOutput
{
    /// <summary>The flat index of the output element.</summary>
    long Index(int batch, int row, int col);
}

/// <summary>A strided operand: element (b, r, c) at Offset + b·S0 + r·S1 + c·S2.</summary>
internal struct StridedOperand : IGemmOperand
{
    public long Offset, S0, S1, S2;

    public readonly T Load<T>(ArrayView<T> data, int batch, int row, int col) where T : unmanaged, INumber<T> =>
        data[Offset + batch * S0 + row * S1 + col * S2];
}

/// <summary>A dense row-major [B, M, N] output.</summary>
internal struct DenseOutput : IGemmOutput
{
    public int M, N;

    public readonly long Index(int batch, int row, int col) => ((long)batch * M + row) * N + col;
}

/// <summary>Sizes of one batched GEMM and the load layout hints of its operands (1 when consecutive elements of a
/// tile row are adjacent in memory: A along k, B along n), which pick the coalesced thread-to-element mapping.
/// </summary>
internal struct GemmShape
{
    public int M, N, K, AKFast, BNFast;
}

/// <summary>Eight values held in registers (struct fields stay scalar registers in ILGPU's SSA form, unlike
/// local-memory arrays).</summary>
internal struct Vec8<T> where T : unmanaged, INumber<T>
{
    public T V0, V1, V2, V3, V4, V5, V6, V7;

    /// <summary>s[i], s[i + stride], ..., s[i + 7·stride].</summary>
    public static Vec8<T> Load(ArrayView<T> s, int i, int stride) => new()
    {
        V0 = s[i], V1 = s[i + stride], V2 = s[i + 2 * stride], V3 = s[i + 3 * stride],
        V4 = s[i + 4 * stride], V5 = s[i + 5 * stride], V6 = s[i + 6 * stride], V7 = s[i + 7 * stride],
    };

    /// <summary>this + a·b, elementwise.</summary>
    public readonly Vec8<T> Fma(T a, Vec8<T> b) => new()
    {
        V0 = V0 + a * b.V0, V1 = V1 + a * b.V1, V2 = V2 + a * b.V2, V3 = V3 + a * b.V3,
        V4 = V4 + a * b.V4, V5 = V5 + a * b.V5, V6 = V6 + a * b.V6, V7 = V7 + a * b.V7,
    };
}

/// <summary>Four values held in registers (the prefetched part of the next tile).</summary>
internal struct Vec4<T> where T : unmanaged
{
    public T V0, V1, V2, V3;
}

/// <summary>The register-blocked GEMM: 128×128 block tiles, 256 threads each computing an 8×8 sub-tile (rows
/// ty + 16·i, columns tx + 16·j, so shared-memory reads are conflict-free and stores coalesce), k-steps of 8,
/// double-buffered shared memory (the next k-step is fetched into registers while the current one is multiplied,
/// one barrier per step). Operands and output are generic so convolution reuses it as an implicit GEMM.</summary>
internal static class GemmGpuKernels
{
    /// <summary>Block tile rows and columns.</summary>
    public const int BM = 128, BN = 128;

    /// <summary>k-step of the block tile.</summary>
    public const int BK = 8;

    /// <summary>Threads per group.</summary>
    public const int Threads = 256;

    /// <summary>c[b] = a[b] @ b[b] over grid (⌈N/128⌉, ⌈M/128⌉, B), group 256.</summary>
    public static void Gemm<T, TA, TB, TC>(ArrayView<T> a, TA la, ArrayView<T> b, TB lb, ArrayView<T> c, TC lc,
        GemmShape s) where T : unmanaged, INumber<T> where TA : struct, IGemmOperand
        where TB : struct, IGemmOperand where TC : struct, IGemmOutput
    {
        var sa = SharedMemory.Allocate<T>(2 * BK * BM);
        var sb = SharedMemory.Allocate<T>(2 * BK * BN);
        int tid = Group.IdxX, tx = tid % 16, ty = tid / 16;
        int m0 = Grid.IdxY * BM, n0 = Grid.IdxX * BN, batch = Grid.IdxZ;
        var ra = FetchA(a, la, s, batch, m0, 0, tid);
        var rb = FetchB(b, lb, s, batch, n0, 0, tid);
        StoreA(sa, 0, ra, s.AKFast, tid);
        StoreB(sb, 0, rb, s.BNFast, tid);
        Group.Barrier();
        Vec8<T> r0 = default, r1 = default, r2 = default, r3 = default;
        Vec8<T> r4 = default, r5 = default, r6 = default, r7 = default;
        var buf = 0;
        for (var k0 = 0; k0 < s.K; k0 += BK)
        {
            var more = k0 + BK < s.K;
            if (more)
            {
                ra = FetchA(a, la, s, batch, m0, k0 + BK, tid);
                rb = FetchB(b, lb, s, batch, n0, k0 + BK, tid);
            }
            int ao = buf * BK * BM + ty, bo = buf * BK * BN + tx;
            for (var kk = 0; kk < BK; kk++)
            {
                var fa = Vec8<T>.Load(sa, ao + kk * BM, 16);
                var fb = Vec8<T>.Load(sb, bo + kk * BN, 16);
                r0 = r0.Fma(fa.V0, fb);
                r1 = r1.Fma(fa.V1, fb);
                r2 = r2.Fma(fa.V2, fb);
                r3 = r3.Fma(fa.V3, fb);
                r4 = r4.Fma(fa.V4, fb);
                r5 = r5.Fma(fa.V5, fb);
                r6 = r6.Fma(fa.V6, fb);
                r7 = r7.Fma(fa.V7, fb);
            }
            if (more)
            {
                StoreA(sa, (buf ^ 1) * BK * BM, ra, s.AKFast, tid);
                StoreB(sb, (buf ^ 1) * BK * BN, rb, s.BNFast, tid);
            }
            Group.Barrier();
            buf ^= 1;
        }
        int row = m0 + ty, col = n0 + tx;
        Put(c, lc, s, batch, row, col, r0);
        Put(c, lc, s, batch, row + 16, col, r1);
        Put(c, lc, s, batch, row + 32, col, r2);
        Put(c, lc, s, batch, row + 48, col, r3);
        Put(c, lc, s, batch, row + 64, col, r4);
        Put(c, lc, s, batch, row + 80, col, r5);
        Put(c, lc, s, batch, row + 96, col, r6);
        Put(c, lc, s, batch, row + 112, col, r7);
    }

    /// <summary>Row (m) and k of element r (0..3) of thread tid in an A tile.</summary>
    private static (int M, int K) SlotA(int akFast, int tid, int r) =>
        akFast != 0 ? ((tid >> 3) + 32 * r, tid & 7) : (tid & 127, (tid >> 7) + 2 * r);

    /// <summary>k and column (n) of element r (0..3) of thread tid in a B tile.</summary>
    private static (int K, int N) SlotB(int bnFast, int tid, int r) =>
        bnFast != 0 ? ((tid >> 7) + 2 * r, tid & 127) : (tid & 7, (tid >> 3) + 32 * r);

    private static T GetA<T, TA>(ArrayView<T> a, TA la, GemmShape s, int batch, int m0, int k0, int tid, int r)
        where T : unmanaged, INumber<T> where TA : struct, IGemmOperand
    {
        var (m, k) = SlotA(s.AKFast, tid, r);
        m += m0;
        k += k0;
        return m < s.M && k < s.K ? la.Load(a, batch, m, k) : T.Zero;
    }

    private static T GetB<T, TB>(ArrayView<T> b, TB lb, GemmShape s, int batch, int n0, int k0, int tid, int r)
        where T : unmanaged, INumber<T> where TB : struct, IGemmOperand
    {
        var (k, n) = SlotB(s.BNFast, tid, r);
        n += n0;
        k += k0;
        return k < s.K && n < s.N ? lb.Load(b, batch, k, n) : T.Zero;
    }

    private static Vec4<T> FetchA<T, TA>(ArrayView<T> a, TA la, GemmShape s, int batch, int m0, int k0, int tid)
        where T : unmanaged, INumber<T> where TA : struct, IGemmOperand => new()
    {
        V0 = GetA(a, la, s, batch, m0, k0, tid, 0), V1 = GetA(a, la, s, batch, m0, k0, tid, 1),
        V2 = GetA(a, la, s, batch, m0, k0, tid, 2), V3 = GetA(a, la, s, batch, m0, k0, tid, 3),
    };

    private static Vec4<T> FetchB<T, TB>(ArrayView<T> b, TB lb, GemmShape s, int batch, int n0, int k0, int tid)
        where T : unmanaged, INumber<T> where TB : struct, IGemmOperand => new()
    {
        V0 = GetB(b, lb, s, batch, n0, k0, tid, 0), V1 = GetB(b, lb, s, batch, n0, k0, tid, 1),
        V2 = GetB(b, lb, s, batch, n0, k0, tid, 2), V3 = GetB(b, lb, s, batch, n0, k0, tid, 3),
    };

    /// <summary>Writes the prefetched A elements to the shared tile laid out [k][m].</summary>
    private static void StoreA<T>(ArrayView<T> sa, int at, Vec4<T> v, int akFast, int tid) where T : unmanaged
    {
        var (m, k) = SlotA(akFast, tid, 0);
        var (m1, k1) = SlotA(akFast, tid, 1);
        var (m2, k2) = SlotA(akFast, tid, 2);
        var (m3, k3) = SlotA(akFast, tid, 3);
        sa[at + k * BM + m] = v.V0;
        sa[at + k1 * BM + m1] = v.V1;
        sa[at + k2 * BM + m2] = v.V2;
        sa[at + k3 * BM + m3] = v.V3;
    }

    /// <summary>Writes the prefetched B elements to the shared tile laid out [k][n].</summary>
    private static void StoreB<T>(ArrayView<T> sb, int at, Vec4<T> v, int bnFast, int tid) where T : unmanaged
    {
        var (k, n) = SlotB(bnFast, tid, 0);
        var (k1, n1) = SlotB(bnFast, tid, 1);
        var (k2, n2) = SlotB(bnFast, tid, 2);
        var (k3, n3) = SlotB(bnFast, tid, 3);
        sb[at + k * BN + n] = v.V0;
        sb[at + k1 * BN + n1] = v.V1;
        sb[at + k2 * BN + n2] = v.V2;
        sb[at + k3 * BN + n3] = v.V3;
    }

    /// <summary>Stores row <paramref name="row"/> of a thread's sub-tile: columns col + 16·j, inside the matrix only.
    /// </summary>
    private static void Put<T, TC>(ArrayView<T> c, TC lc, GemmShape s, int batch, int row, int col, Vec8<T> v)
        where T : unmanaged, INumber<T> where TC : struct, IGemmOutput
    {
        if (row >= s.M) return;
        Put1(c, lc, s, batch, row, col, v.V0);
        Put1(c, lc, s, batch, row, col + 16, v.V1);
        Put1(c, lc, s, batch, row, col + 32, v.V2);
        Put1(c, lc, s, batch, row, col + 48, v.V3);
        Put1(c, lc, s, batch, row, col + 64, v.V4);
        Put1(c, lc, s, batch, row, col + 80, v.V5);
        Put1(c, lc, s, batch, row, col + 96, v.V6);
        Put1(c, lc, s, batch, row, col + 112, v.V7);
    }

    private static void Put1<T, TC>(ArrayView<T> c, TC lc, GemmShape s, int batch, int row, int col, T value)
        where T : unmanaged where TC : struct, IGemmOutput
    {
        if (col < s.N) c[lc.Index(batch, row, col)] = value;
    }
}
