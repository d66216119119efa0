using ILGPU;

namespace Scratch.Backends.Gpu;

/// <summary>Tensor-core GEMM of fp32 tensors with reduced-precision inputs (TF32, BF16 or F16, chosen by the
/// <see cref="ITensorCore"/>) and fp32 accumulation: on CUDA (sm_80 and newer) through inline PTX <c>mma.sync</c>
/// (<see cref="Tf32Core"/>, <see cref="Bf16Core"/>, <see cref="F16Core"/>), on ILGPU's CPU accelerator through
/// <see cref="EmulatedTensorCore{TFormat}"/>.</summary>
/// <remarks>128×128 block tiles, 8 warps as 2×4, each computing a 64×32 warp tile (4×4 mma tiles, 64 accumulators
/// per thread). Each k-step stages 8 k-slots (8 TF32 or 16 BF16/F16 values) of A [128 rows] and B [128 columns] in
/// shared memory, rounded once there, with a 12-slot row pitch so the fragment reads are conflict-free. Two shared
/// stages and a register prefetch: the next step's global loads are issued before this step's mma and stored to the
/// other stage after it, so one barrier per step separates them.</remarks>
internal static class TensorCoreGpuKernels
{
    /// <summary>Block tile edge.</summary>
    public const int Block = 128;

    /// <summary>Threads per group (8 warps).</summary>
    public const int Threads = 256;

    /// <summary>k-slots per step, and the shared row pitch in slots (padded so fragment reads are conflict-free).
    /// </summary>
    internal const int Slots = 8, Pitch = Slots + 4;

    private const int Stage = Block * Pitch;

    /// <summary>Where element e (0..1023) of a thread's staging work lies: row am / slot ak of A, column bn / slot bk
    /// of B; consecutive e walk each operand's contiguous axis, so consecutive threads' loads coalesce.</summary>
    internal static SlotCoords Coords(int e, GemmShape s) => new()
    {
        Am = s.AKFast != 0 ? e >> 3 : e & (Block - 1), Ak = s.AKFast != 0 ? e & 7 : e >> 7,
        Bn = s.BNFast != 0 ? e & (Block - 1) : e >> 3, Bk = s.BNFast != 0 ? e >> 7 : e & 7,
    };

    /// <summary>c[b] = a[b] @ b[b] over grid (⌈N/128⌉, ⌈M/128⌉, B), group 256.</summary>
    public static void GemmMma<TA, TB, TC, TCore>(ArrayView<float> a, TA la, ArrayView<float> b, TB lb,
        ArrayView<float> c, TC lc, GemmShape s) where TA : struct, IGemmOperand where TB : struct, IGemmOperand
        where TC : struct, IGemmOutput where TCore : struct, ITensorCore
    {
        var core = default(TCore);
        var sa = SharedMemory.Allocate<uint>(2 * Stage);
        var sb = SharedMemory.Allocate<uint>(2 * Stage);
        int tid = Group.IdxX, warp = tid / 32, lane = tid % 32, gid = lane >> 2, tig = lane & 3;
        int m0 = Grid.IdxY * Block, n0 = Grid.IdxX * Block, batch = Grid.IdxZ;
        int wm = warp / 4 * 64, wn = warp % 4 * 32, kStep = Slots * core.Elements;
        Frag4 c00 = default, c01 = default, c02 = default, c03 = default;
        Frag4 c10 = default, c11 = default, c12 = default, c13 = default;
        Frag4 c20 = default, c21 = default, c22 = default, c23 = default;
        Frag4 c30 = default, c31 = default, c32 = default, c33 = default;
        var next = Fetch(a, la, b, lb, s, batch, m0, n0, 0, tid, core.Elements);
        next.Store(sa, sb, s, tid, 0, core);
        Group.Barrier();
        var cur = 0;
        for (var k0 = 0; k0 < s.K; k0 += kStep)
        {
            var more = k0 + kStep < s.K;
            if (more) next = Fetch(a, la, b, lb, s, batch, m0, n0, k0 + kStep, tid, core.Elements);
            int r0 = (wm + 0 + gid) * Pitch + tig + cur;
            uint a00 = sa[r0], a01 = sa[r0 + 8 * Pitch], a02 = sa[r0 + 4], a03 = sa[r0 + 8 * Pitch + 4];
            int r1 = (wm + 16 + gid) * Pitch + tig + cur;
            uint a10 = sa[r1], a11 = sa[r1 + 8 * Pitch], a12 = sa[r1 + 4], a13 = sa[r1 + 8 * Pitch + 4];
            int r2 = (wm + 32 + gid) * Pitch + tig + cur;
            uint a20 = sa[r2], a21 = sa[r2 + 8 * Pitch], a22 = sa[r2 + 4], a23 = sa[r2 + 8 * Pitch + 4];
            int r3 = (wm + 48 + gid) * Pitch + tig + cur;
            uint a30 = sa[r3], a31 = sa[r3 + 8 * Pitch], a32 = sa[r3 + 4], a33 = sa[r3 + 8 * Pitch + 4];
            int q0 = (wn + 0 + gid) * Pitch + tig + cur;
            uint b00 = sb[q0], b01 = sb[q0 + 4];
            int q1 = (wn + 8 + gid) * Pitch + tig + cur;
            uint b10 = sb[q1], b11 = sb[q1 + 4];
            int q2 = (wn + 16 + gid) * Pitch + tig + cur;
            uint b20 = sb[q2], b21 = sb[q2 + 4];
            int q3 = (wn + 24 + gid) * Pitch + tig + cur;
            uint b30 = sb[q3], b31 = sb[q3 + 4];
            c00 = core.Mma(c00, a00, a01, a02, a03, b00, b01);
            c01 = core.Mma(c01, a00, a01, a02, a03, b10, b11);
            c02 = core.Mma(c02, a00, a01, a02, a03, b20, b21);
            c03 = core.Mma(c03, a00, a01, a02, a03, b30, b31);
            c10 = core.Mma(c10, a10, a11, a12, a13, b00, b01);
            c11 = core.Mma(c11, a10, a11, a12, a13, b10, b11);
            c12 = core.Mma(c12, a10, a11, a12, a13, b20, b21);
            c13 = core.Mma(c13, a10, a11, a12, a13, b30, b31);
            c20 = core.Mma(c20, a20, a21, a22, a23, b00, b01);
            c21 = core.Mma(c21, a20, a21, a22, a23, b10, b11);
            c22 = core.Mma(c22, a20, a21, a22, a23, b20, b21);
            c23 = core.Mma(c23, a20, a21, a22, a23, b30, b31);
            c30 = core.Mma(c30, a30, a31, a32, a33, b00, b01);
            c31 = core.Mma(c31, a30, a31, a32, a33, b10, b11);
            c32 = core.Mma(c32, a30, a31, a32, a33, b20, b21);
            c33 = core.Mma(c33, a30, a31, a32, a33, b30, b31);
            if (more) next.Store(sa, sb, s, tid, Stage - cur, core);
            Group.Barrier();
            cur = Stage - cur;
        }
        int row = m0 + wm + gid, col = n0 + wn + 2 * tig;
        Put(c, lc, s, batch, row + 0, col + 0, c00);
        Put(c, lc, s, batch, row + 0, col + 8, c01);
        Put(c, lc, s, batch, row + 0, col + 16, c02);
        Put(c, lc, s, batch, row + 0, col + 24, c03);
        Put(c, lc, s, batch, row + 16, col + 0, c10);
        Put(c, lc, s, batch, row + 16, col + 8, c11);
        Put(c, lc, s, batch, row + 16, col + 16, c12);
        Put(c, lc, s, batch, row + 16, col + 24, c13);
        Put(c, lc, s, batch, row + 32, col + 0, c20);
        Put(c, lc, s, batch, row + 32, col + 8, c21);
        Put(c, lc, s, batch, row + 32, col + 16, c22);
        Put(c, lc, s, batch, row + 32, col + 24, c23);
        Put(c, lc, s, batch, row + 48, col + 0, c30);
        Put(c, lc, s, batch, row + 48, col + 8, c31);
        Put(c, lc, s, batch, row + 48, col + 16, c32);
        Put(c, lc, s, batch, row + 48, col + 24, c33);
    }

    /// <summary>This thread's share of one k-step of A and B (4 slots each, up to two values per slot), loaded from
    /// global memory (zero past the edges).</summary>
    private static StagedSlots Fetch<TA, TB>(ArrayView<float> a, TA la, ArrayView<float> b, TB lb, GemmShape s,
        int batch, int m0, int n0, int k0, int tid, int e2) where TA : struct, IGemmOperand
        where TB : struct, IGemmOperand
    {
        var t = default(StagedSlots);
        for (var r = 0; r < 4; r++)
        {
            var p = Coords(tid + Threads * r, s);
            int gm = m0 + p.Am, gk = k0 + p.Ak * e2, gn = n0 + p.Bn, hk = k0 + p.Bk * e2;
            float alo = gm < s.M && gk < s.K ? la.Load(a, batch, gm, gk) : 0f;
            float ahi = e2 > 1 && gm < s.M && gk + 1 < s.K ? la.Load(a, batch, gm, gk + 1) : 0f;
            float blo = hk < s.K && gn < s.N ? lb.Load(b, batch, hk, gn) : 0f;
            float bhi = e2 > 1 && hk + 1 < s.K && gn < s.N ? lb.Load(b, batch, hk + 1, gn) : 0f;
            t.Set(r, alo, ahi, blo, bhi);
        }
        return t;
    }

    /// <summary>Stores one accumulator fragment: c0, c1 at (row, col + {0, 1}), c2, c3 eight rows below.</summary>
    private static void Put<TC>(ArrayView<float> c, TC lc, GemmShape s, int batch, int row, int col, Frag4 f)
        where TC : struct, IGemmOutput
    {
        Put1(c, lc, s, batch, row, col, f.C0);
        Put1(c, lc, s, batch, row, col + 1, f.C1);
        Put1(c, lc, s, batch, row + 8, col, f.C2);
        Put1(c, lc, s, batch, row + 8, col + 1, f.C3);
    }

    private static void Put1<TC>(ArrayView<float> c, TC lc, GemmShape s, int batch, int row, int col, float v)
        where TC : struct, IGemmOutput
    {
        if (row < s.M && col < s.N) c[lc.Index(batch, row, col)] = v;
    }
}

/// <summary>One thread's prefetched share of a k-step: for each of its 4 slots of A and of B the low and high value
/// (struct fields, so ILGPU keeps them in registers).</summary>
internal struct StagedSlots
{
    public float A0, A1, A2, A3, A4, A5, A6, A7, B0, B1, B2, B3, B4, B5, B6, B7;

    public void Set(int r, float alo, float ahi, float blo, float bhi)
    {
        switch (r)
        {
            case 0: (A0, A1, B0, B1) = (alo, ahi, blo, bhi); break;
            case 1: (A2, A3, B2, B3) = (alo, ahi, blo, bhi); break;
            case 2: (A4, A5, B4, B5) = (alo, ahi, blo, bhi); break;
            default: (A6, A7, B6, B7) = (alo, ahi, blo, bhi); break;
        }
    }

    /// <summary>Rounds and writes the slots into the shared stage at <paramref name="stage"/> (0 or one stage in).
    /// </summary>
    public readonly void Store<TCore>(ArrayView<uint> sa, ArrayView<uint> sb, GemmShape s, int tid, int stage,
        TCore core) where TCore : struct, ITensorCore
    {
        Put(sa, sb, s, tid, 0, stage, core.Pack(A0, A1), core.Pack(B0, B1));
        Put(sa, sb, s, tid, 1, stage, core.Pack(A2, A3), core.Pack(B2, B3));
        Put(sa, sb, s, tid, 2, stage, core.Pack(A4, A5), core.Pack(B4, B5));
        Put(sa, sb, s, tid, 3, stage, core.Pack(A6, A7), core.Pack(B6, B7));
    }

    private static void Put(ArrayView<uint> sa, ArrayView<uint> sb, GemmShape s, int tid, int r, int stage, uint av,
        uint bv)
    {
        var p = TensorCoreGpuKernels.Coords(tid + TensorCoreGpuKernels.Threads * r, s);
        sa[stage + p.Am * TensorCoreGpuKernels.Pitch + p.Ak] = av;
        sb[stage + p.Bn * TensorCoreGpuKernels.Pitch + p.Bk] = bv;
    }
}

/// <summary>A staging element's place: row <see cref="Am"/>, slot <see cref="Ak"/> of the A tile; column
/// <see cref="Bn"/>, slot <see cref="Bk"/> of the B tile.</summary>
internal struct SlotCoords
{
    public int Am, Ak, Bn, Bk;
}
