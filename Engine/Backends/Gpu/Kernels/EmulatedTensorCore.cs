using ILGPU;

namespace Scratch.Backends.Gpu;

/// <summary>A tensor-core input format in software: how fp32 values are rounded into a 32-bit k-slot and read back.
/// Host-callable, so the rounding is tested against outside references.</summary>
internal interface IMmaFormat
{
    /// <summary>k values per slot.</summary>
    int Elements { get; }

    /// <summary>The slot holding the rounded <paramref name="lo"/> (and <paramref name="hi"/> in the upper half for
    /// two-element formats), bit for bit as the matching <c>cvt</c> instruction.</summary>
    uint Pack(float lo, float hi);

    /// <summary>Element <paramref name="j"/> of a slot, exactly, as fp32.</summary>
    float Unpack(uint slot, int j);
}

/// <summary><c>mma.sync</c> emulated for ILGPU's CPU accelerator, which cannot run inline PTX: each warp publishes
/// its fragment registers in shared memory and every thread rebuilds its accumulator entries from the owners of the
/// A rows and B columns it needs, by the PTX ISA fragment layout (<see cref="ITensorCore"/>). The tensor-core GEMM's
/// staging, fragment indexing and stores thus run on every machine; only the hardware's reading of that layout needs
/// a GPU. Products are summed in fp32 in k order (the hardware's order inside one instruction is unspecified).
/// </summary>
internal readonly struct EmulatedTensorCore<TFormat> : ITensorCore where TFormat : struct, IMmaFormat
{
    private const int Registers = 6, WarpSize = 32, Warps = TensorCoreGpuKernels.Threads / WarpSize;

    public int Elements => default(TFormat).Elements;

    public uint Pack(float lo, float hi) => default(TFormat).Pack(lo, hi);

    public Frag4 Mma(Frag4 c, uint a0, uint a1, uint a2, uint a3, uint b0, uint b1)
    {
        var regs = SharedMemory.Allocate<uint>(Warps * WarpSize * Registers);
        int lane = Group.IdxX % WarpSize, warp = Group.IdxX / WarpSize, gid = lane >> 2, tig = lane & 3;
        var mine = (warp * WarpSize + lane) * Registers;
        regs[mine] = a0;
        regs[mine + 1] = a1;
        regs[mine + 2] = a2;
        regs[mine + 3] = a3;
        regs[mine + 4] = b0;
        regs[mine + 5] = b1;
        Group.Barrier();
        var f = default(TFormat);
        var w = warp * WarpSize * Registers;
        for (var s = 0; s < 8; s++)
        {
            // Slot s of A rows gid and gid + 8 lives in lane 4·gid + s % 4 (a0/a1 for s < 4, a2/a3 above); slot s of
            // B column n in lane 4·n + s % 4 (b0 for s < 4, b1 above).
            int hiSlot = s >> 2, q = s & 3;
            var top = regs[w + (gid * 4 + q) * Registers + 2 * hiSlot];
            var bottom = regs[w + (gid * 4 + q) * Registers + 2 * hiSlot + 1];
            var left = regs[w + (2 * tig * 4 + q) * Registers + 4 + hiSlot];
            var right = regs[w + ((2 * tig + 1) * 4 + q) * Registers + 4 + hiSlot];
            for (var j = 0; j < f.Elements; j++)
            {
                float x = f.Unpack(top, j), y = f.Unpack(bottom, j), l = f.Unpack(left, j), r = f.Unpack(right, j);
                c.C0 += x * l;
                c.C1 += x * r;
                c.C2 += y * l;
                c.C3 += y * r;
            }
        }
        Group.Barrier();
        return c;
    }
}

/// <summary>TF32 in software: round to nearest, ties away from zero, to a 10-bit mantissa (<c>cvt.rna.tf32.f32</c>:
/// the low 13 bits cleared; NaN and infinities kept).</summary>
internal readonly struct Tf32Format : IMmaFormat
{
    public int Elements => 1;

    public uint Pack(float lo, float hi)
    {
        var bits = (uint)Interop.FloatAsInt(lo);
        if ((bits & 0x7F800000u) == 0x7F800000u) return bits;
        return (bits + 0x1000u) & 0xFFFFE000u;
    }

    public float Unpack(uint slot, int j) => Interop.IntAsFloat(slot);
}

/// <summary>BF16 in software: the upper 16 bits of the fp32 after rounding to nearest, ties to even
/// (<c>cvt.rn.bf16x2.f32</c>; NaN becomes the canonical 0x7FFF).</summary>
internal readonly struct Bf16Format : IMmaFormat
{
    public int Elements => 2;

    public uint Pack(float lo, float hi) => Round(lo) | Round(hi) << 16;

    public float Unpack(uint slot, int j) => Interop.IntAsFloat((j == 0 ? slot & 0xFFFFu : slot >> 16) << 16);

    /// <summary>The BF16 bits of x.</summary>
    public static uint Round(float x)
    {
        var bits = (uint)Interop.FloatAsInt(x);
        if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return 0x7FFFu;
        return (bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16;
    }
}

/// <summary>IEEE binary16 in software: round to nearest, ties to even, subnormals kept, overflow to infinity
/// (<c>cvt.rn.f16x2.f32</c>; NaN becomes the canonical 0x7FFF).</summary>
internal readonly struct F16Format : IMmaFormat
{
    public int Elements => 2;

    public uint Pack(float lo, float hi) => Round(lo) | Round(hi) << 16;

    public float Unpack(uint slot, int j) => Widen(j == 0 ? slot & 0xFFFFu : slot >> 16);

    /// <summary>The binary16 bits of x.</summary>
    public static uint Round(float x)
    {
        var bits = (uint)Interop.FloatAsInt(x);
        var sign = (bits >> 16) & 0x8000u;
        int exp = (int)((bits >> 23) & 0xFF);
        var mant = bits & 0x7FFFFFu;
        if (exp == 0xFF) return mant != 0 ? 0x7FFFu : sign | 0x7C00u;
        var e = exp - 127 + 15;
        if (e >= 31) return sign | 0x7C00u;
        if (e >= 1)
        {
            // Normal: keep 10 mantissa bits; a carry out of the mantissa bumps the exponent (to infinity at the top).
            var h = ((uint)e << 10) | (mant >> 13);
            var rest = mant & 0x1FFFu;
            if (rest > 0x1000u || (rest == 0x1000u && (h & 1u) != 0)) h++;
            return sign | h;
        }
        if (e < -10) return sign;
        // Subnormal: value = m·2^(e − 14) units of 2⁻²⁴, m with its implicit bit.
        var m = mant | 0x800000u;
        var shift = 14 - e;
        var q = m >> shift;
        var r = m & ((1u << shift) - 1);
        var half = 1u << (shift - 1);
        if (r > half || (r == half && (q & 1u) != 0)) q++;
        return sign | q;
    }

    /// <summary>The fp32 value of binary16 bits h (exact).</summary>
    public static float Widen(uint h)
    {
        var sign = (h & 0x8000u) << 16;
        var e = (h >> 10) & 0x1Fu;
        var f = h & 0x3FFu;
        if (e == 0)
        {
            var v = f * 5.9604644775390625e-8f; // f·2⁻²⁴
            return sign != 0 ? -v : v;
        }
        if (e == 31) return Interop.IntAsFloat(sign | 0x7F800000u | (f << 13));
        return Interop.IntAsFloat(sign | ((e + 112) << 23) | (f << 13));
    }
}
