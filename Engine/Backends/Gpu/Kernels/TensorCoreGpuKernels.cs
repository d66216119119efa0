using ILGPU;

namespace Scratch.Backends.Gpu;

/// <summary>Tensor-core GEMM of fp32 tensors with reduced-precision inputs (TF32, BF16 or F16, chosen by the
/// <see cref="ITensorCore"/>) and fp32 accumulation: on CUDA (sm_80 and newer) through inline PTX <c>mma.sync</c>
/// (<see cref="Tf32Core"/>, <see cref="Bf16Core"/>, <see cref="F16Core"/>), on ILGPU's CPU accelerator through
/// <see cref="EmulatedTensorCore{TFormat}"/>. 64×64 block tiles, 4 warps each computing a 32×32 warp tile (2×4 mma
/// tiles); each k-step stages 8 k-slots (8 TF32 or 16 BF16/F16 values) of A [64 rows] and B [64 columns] in shared
/// memory, rounded once there, with a 12-slot row pitch so the fragment reads are conflict-free.</summary>
internal static class TensorCoreGpuKernels
{
    /// <summary>Block tile edge.</summary>
    public const int Block = 64;

    /// <summary>Threads per group (4 warps).</summary>
    public const int Threads = 128;

    private const int Slots = 8, Pitch = Slots + 4;

    /// <summary>c[b] = a[b] @ b[b] over grid (⌈N/64⌉, ⌈M/64⌉, B), group 128.</summary>
    public static void GemmMma<TA, TB, TC, TCore>(ArrayView<float> a, TA la, ArrayView<float> b, TB lb,
        ArrayView<float> c, TC lc, GemmShape s) where TA : struct, IGemmOperand where TB : struct, IGemmOperand
        where TC : struct, IGemmOutput where TCore : struct, ITensorCore
    {
        var core = default(TCore);
        var sa = SharedMemory.Allocate<uint>(Block * Pitch);
        var sb = SharedMemory.Allocate<uint>(Block * Pitch);
        int tid = Group.IdxX, warp = tid / 32, lane = tid % 32, gid = lane >> 2, tig = lane & 3;
        int m0 = Grid.IdxY * Block, n0 = Grid.IdxX * Block, batch = Grid.IdxZ;
        int wm = warp / 2 * 32, wn = warp % 2 * 32, e2 = core.Elements;
        Frag4 c00 = default, c01 = default, c02 = default, c03 = default;
        Frag4 c10 = default, c11 = default, c12 = default, c13 = default;
        for (var k0 = 0; k0 < s.K; k0 += Slots * e2)
        {
            for (var r = 0; r < Block * Slots / Threads; r++)
            {
                // Consecutive threads walk the operand's contiguous axis, so the global loads coalesce.
                var e = tid + Threads * r;
                int am = s.AKFast != 0 ? e >> 3 : e & 63, ak = s.AKFast != 0 ? e & 7 : e >> 6;
                int bn = s.BNFast != 0 ? e & 63 : e >> 3, bk = s.BNFast != 0 ? e >> 6 : e & 7;
                int gm = m0 + am, gk = k0 + ak * e2, gn = n0 + bn, hk = k0 + bk * e2;
                float alo = gm < s.M && gk < s.K ? la.Load(a, batch, gm, gk) : 0f;
                float ahi = e2 > 1 && gm < s.M && gk + 1 < s.K ? la.Load(a, batch, gm, gk + 1) : 0f;
                float blo = hk < s.K && gn < s.N ? lb.Load(b, batch, hk, gn) : 0f;
                float bhi = e2 > 1 && hk + 1 < s.K && gn < s.N ? lb.Load(b, batch, hk + 1, gn) : 0f;
                sa[am * Pitch + ak] = core.Pack(alo, ahi);
                sb[bn * Pitch + bk] = core.Pack(blo, bhi);
            }
            Group.Barrier();
            int ar = (wm + gid) * Pitch + tig;
            uint a00 = sa[ar], a01 = sa[ar + 8 * Pitch], a02 = sa[ar + 4], a03 = sa[ar + 8 * Pitch + 4];
            ar += 16 * Pitch;
            uint a10 = sa[ar], a11 = sa[ar + 8 * Pitch], a12 = sa[ar + 4], a13 = sa[ar + 8 * Pitch + 4];
            var bc = (wn + gid) * Pitch + tig;
            uint b00 = sb[bc], b01 = sb[bc + 4], b10 = sb[bc + 8 * Pitch], b11 = sb[bc + 8 * Pitch + 4];
            uint b20 = sb[bc + 16 * Pitch], b21 = sb[bc + 16 * Pitch + 4];
            uint b30 = sb[bc + 24 * Pitch], b31 = sb[bc + 24 * Pitch + 4];
            c00 = core.Mma(c00, a00, a01, a02, a03, b00, b01);
            c01 = core.Mma(c01, a00, a01, a02, a03, b10, b11);
            c02 = core.Mma(c02, a00, a01, a02, a03, b20, b21);
            c03 = core.Mma(c03, a00, a01, a02, a03, b30, b31);
            c10 = core.Mma(c10, a10, a11, a12, a13, b00, b01);
            c11 = core.Mma(c11, a10, a11, a12, a13, b10, b11);
            c12 = core.Mma(c12, a10, a11, a12, a13, b20, b21);
            c13 = core.Mma(c13, a10, a11, a12, a13, b30, b31);
            Group.Barrier();
        }
        int row = m0 + wm + gid, col = n0 + wn + 2 * tig;
        Put(c, lc, s, batch, row, col, c00);
        Put(c, lc, s, batch, row, col + 8, c01);
        Put(c, lc, s, batch, row, col + 16, c02);
        Put(c, lc, s, batch, row, col + 24, c03);
        Put(c, lc, s, batch, row + 16, col, c10);
        Put(c, lc, s, batch, row + 16, col + 8, c11);
        Put(c, lc, s, batch, row + 16, col + 16, c12);
        Put(c, lc, s, batch, row + 16, col + 24, c13);
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
