using ILGPU;
using ILGPU.Runtime.Cuda;

namespace Scratch.Backends.Gpu;

/// <summary>One m16n8 accumulator fragment of <c>mma.sync</c> (four f32 registers per thread).</summary>
internal struct Frag4
{
    public float C0, C1, C2, C3;
}

/// <summary>One warp-wide tensor-core step of <see cref="TensorCoreGpuKernels.GemmMma{TA,TB,TC,TCore}"/>: a 16×8
/// tile D = A·B + C over eight 32-bit k-slots, each slot holding <see cref="Elements"/> consecutive k values
/// (one TF32, or two BF16/F16 packed low to high).</summary>
/// <remarks>Fragment layout (PTX ISA, <c>mma.m16n8k8</c> .tf32 and <c>mma.m16n8k16</c> .bf16/.f16, which agree
/// slot for slot), with gid = lane / 4 and tig = lane % 4: a0 = A(gid, slot tig), a1 = A(gid + 8, slot tig),
/// a2 = A(gid, slot tig + 4), a3 = A(gid + 8, slot tig + 4); b0 = B(slot tig, gid), b1 = B(slot tig + 4, gid);
/// c0, c1 = C(gid, 2·tig + {0, 1}), c2, c3 eight rows below. The CUDA cores spell their instruction out in full:
/// ILGPU takes an inline-PTX format only as a literal at the call.</remarks>
internal interface ITensorCore
{
    /// <summary>k values per 32-bit slot: 1 (TF32) or 2 (BF16, F16).</summary>
    int Elements { get; }

    /// <summary>The slot holding <paramref name="lo"/> (and, for two-element formats, <paramref name="hi"/> in
    /// the upper half), each rounded to the format.</summary>
    uint Pack(float lo, float hi);

    /// <summary>d = a·b + c for one 16×8 tile; every thread of the warp calls it together.</summary>
    Frag4 Mma(Frag4 c, uint a0, uint a1, uint a2, uint a3, uint b0, uint b1);
}

/// <summary>TF32 on the tensor cores: <c>cvt.rna.tf32.f32</c> (10-bit mantissa, ties away from zero) and
/// <c>mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32</c>. CUDA sm_80 and newer.</summary>
internal readonly struct Tf32Core : ITensorCore
{
    public int Elements => 1;

    public uint Pack(float lo, float hi)
    {
        CudaAsm.Emit("cvt.rna.tf32.f32 %0, %1;", out uint r, lo);
        return r;
    }

    public Frag4 Mma(Frag4 c, uint a0, uint a1, uint a2, uint a3, uint b0, uint b1)
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
}

/// <summary>BF16 on the tensor cores: <c>cvt.rn.bf16x2.f32</c> (8-bit mantissa, ties to even) and
/// <c>mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32</c>. CUDA sm_80 and newer.</summary>
internal readonly struct Bf16Core : ITensorCore
{
    public int Elements => 2;

    public uint Pack(float lo, float hi)
    {
        // cvt.*x2 puts its first source in the upper half.
        CudaAsm.Emit("cvt.rn.bf16x2.f32 %0, %1, %2;", out uint r, hi, lo);
        return r;
    }

    public Frag4 Mma(Frag4 c, uint a0, uint a1, uint a2, uint a3, uint b0, uint b1)
    {
        Output<float> d0 = default, d1 = default, d2 = default, d3 = default;
        Input<uint> x0 = a0, x1 = a1, x2 = a2, x3 = a3, y0 = b0, y1 = b1;
        Input<float> c0 = c.C0, c1 = c.C1, c2 = c.C2, c3 = c.C3;
        CudaAsm.EmitRef(
            "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, " +
            "{%10,%11,%12,%13};",
            ref d0, ref d1, ref d2, ref d3, ref x0, ref x1, ref x2, ref x3, ref y0, ref y1, ref c0, ref c1, ref c2,
            ref c3);
        return new Frag4 { C0 = d0.Value, C1 = d1.Value, C2 = d2.Value, C3 = d3.Value };
    }
}

/// <summary>F16 on the tensor cores: <c>cvt.rn.f16x2.f32</c> (10-bit mantissa, ties to even, ±65504 range:
/// larger values become infinite) and <c>mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32</c>. CUDA sm_80 and
/// newer.</summary>
internal readonly struct F16Core : ITensorCore
{
    public int Elements => 2;

    public uint Pack(float lo, float hi)
    {
        CudaAsm.Emit("cvt.rn.f16x2.f32 %0, %1, %2;", out uint r, hi, lo);
        return r;
    }

    public Frag4 Mma(Frag4 c, uint a0, uint a1, uint a2, uint a3, uint b0, uint b1)
    {
        Output<float> d0 = default, d1 = default, d2 = default, d3 = default;
        Input<uint> x0 = a0, x1 = a1, x2 = a2, x3 = a3, y0 = b0, y1 = b1;
        Input<float> c0 = c.C0, c1 = c.C1, c2 = c.C2, c3 = c.C3;
        CudaAsm.EmitRef(
            "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, " +
            "{%10,%11,%12,%13};",
            ref d0, ref d1, ref d2, ref d3, ref x0, ref x1, ref x2, ref x3, ref y0, ref y1, ref c0, ref c1, ref c2,
            ref c3);
        return new Frag4 { C0 = d0.Value, C1 = d1.Value, C2 = d2.Value, C3 = d3.Value };
    }
}
