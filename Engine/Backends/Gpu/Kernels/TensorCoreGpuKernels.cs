using ILGPU;
using ILGPU.Runtime.Cuda;

namespace Scratch.Backends.Gpu;

/// <summary>One m16n8 accumulator fragment of <c>mma.sync</c> (four f32 registers per thread).</summary>
internal struct Frag4
{
    public float C0, C1, C2, C3;
}

/// <summary>TF32 tensor-core GEMM for CUDA devices (sm_80 and newer) through inline PTX
/// (<see cref="CudaAsm"/>): <c>mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32</c>, inputs rounded with
/// <c>cvt.rna.tf32.f32</c> (10-bit mantissa), f32 accumulation. 64×64 block tiles, 4 warps each computing a 32×32
/// warp tile (2×4 mma tiles), k-steps of 8 through padded shared memory (conflict-free fragment reads).
/// Only CUDA accelerators can run it; <see cref="IlgpuBackend"/> falls back to the fp32 kernel elsewhere.</summary>
internal static class TensorCoreGpuKernels
{
    /// <summary>Block tile edge.</summary>
    public const int Block = 64;

    /// <summary>Threads per group (4 warps).</summary>
    public const int Threads = 128;

    private const int BK = 8, APitch = BK + 4, BPitch = Block + 8;

    /// <summary>c[b] = a[b] @ b[b] in TF32 over grid (⌈N/64⌉, ⌈M/64⌉, B), group 128.</summary>
    public static void GemmTf32<TA, TB, TC>(ArrayView<float> a, TA la, ArrayView<float> b, TB lb, ArrayView<float> c,
        TC lc, GemmShape s) where TA : struct, IGemmOperand where TB : struct, IGemmOperand
        where TC : struct, IGemmOutput
    {
        var sa = SharedMemory.Allocate<uint>(Block * APitch);
        var sb = SharedMemory.Allocate<uint>(BK * BPitch);
        int tid = Group.IdxX, warp = tid / 32, lane = tid % 32, gid = lane >> 2, tig = lane & 3;
        int m0 = Grid.IdxY * Block, n0 = Grid.IdxX * Block, batch = Grid.IdxZ;
        int wm = warp / 2 * 32, wn = warp % 2 * 32;
        Frag4 c00 = default, c01 = default, c02 = default, c03 = default;
        Frag4 c10 = default, c11 = default, c12 = default, c13 = default;
        for (var k0 = 0; k0 < s.K; k0 += BK)
        {
            for (var r = 0; r < 4; r++)
            {
                var e = tid + Threads * r;
                int am = s.AKFast != 0 ? e >> 3 : e & 63, ak = s.AKFast != 0 ? e & 7 : e >> 6;
                int bk = s.BNFast != 0 ? e >> 6 : e & 7, bn = s.BNFast != 0 ? e & 63 : e >> 3;
                int gm = m0 + am, gk = k0 + ak, hk = k0 + bk, gn = n0 + bn;
                sa[am * APitch + ak] = Tf32(gm < s.M && gk < s.K ? la.Load(a, batch, gm, gk) : 0f);
                sb[bk * BPitch + bn] = Tf32(hk < s.K && gn < s.N ? lb.Load(b, batch, hk, gn) : 0f);
            }
            Group.Barrier();
            int ar = (wm + gid) * APitch + tig;
            uint a00 = sa[ar], a01 = sa[ar + 8 * APitch], a02 = sa[ar + 4], a03 = sa[ar + 8 * APitch + 4];
            ar += 16 * APitch;
            uint a10 = sa[ar], a11 = sa[ar + 8 * APitch], a12 = sa[ar + 4], a13 = sa[ar + 8 * APitch + 4];
            var bc = tig * BPitch + wn + gid;
            uint b00 = sb[bc], b01 = sb[bc + 4 * BPitch], b10 = sb[bc + 8], b11 = sb[bc + 4 * BPitch + 8];
            uint b20 = sb[bc + 16], b21 = sb[bc + 4 * BPitch + 16], b30 = sb[bc + 24], b31 = sb[bc + 4 * BPitch + 24];
            c00 = Mma(c00, a00, a01, a02, a03, b00, b01);
            c01 = Mma(c01, a00, a01, a02, a03, b10, b11);
            c02 = Mma(c02, a00, a01, a02, a03, b20, b21);
            c03 = Mma(c03, a00, a01, a02, a03, b30, b31);
            c10 = Mma(c10, a10, a11, a12, a13, b00, b01);
            c11 = Mma(c11, a10, a11, a12, a13, b10, b11);
            c12 = Mma(c12, a10, a11, a12, a13, b20, b21);
            c13 = Mma(c13, a10, a11, a12, a13, b30, b31);
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

    /// <summary>x rounded to TF32 (round to nearest, ties away), as the b32 register mma reads.</summary>
    private static uint Tf32(float x)
    {
        CudaAsm.Emit("cvt.rna.tf32.f32 %0, %1;", out uint r, x);
        return r;
    }

    /// <summary>d = a·b + c for one m16n8k8 TF32 tile (fragment layouts of the PTX ISA: a row-major 16×8, b
    /// column-major 8×8, c/d 16×8 with c0/c1 at (gid, 2·tig + {0,1}) and c2/c3 eight rows below).</summary>
    private static Frag4 Mma(Frag4 c, uint a0, uint a1, uint a2, uint a3, uint b0, uint b1)
    {
        Output<float> d0 = default, d1 = default, d2 = default, d3 = default;
        Input<uint> x0 = a0, x1 = a1, x2 = a2, x3 = a3, y0 = b0, y1 = b1;
        Input<float> c0 = c.C0, c1 = c.C1, c2 = c.C2, c3 = c.C3;
        CudaAsm.EmitRef(
            "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, " +
            "{%10,%11,%12,%13};",
            ref d0, ref d1, ref d2, ref d3, ref x0, ref x1, ref x2, ref x3, ref y0, ref y1, ref c0, ref c1, ref c2,
            ref c3);
        return new Frag4 { C0 = d0.Value, C1 = d1.Value, C2 = d2.Value, C3 = d3.Value };
    }

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
