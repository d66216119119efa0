using FsCheck.Xunit;
using Scratch.Backends.Gpu;
using Scratch.IO;
using Xunit;

namespace Scratch.Tests.Backends.Gpu;

/// <summary>The tensor-core input formats in software (the CPU accelerator's emulated <c>mma.sync</c> rounds with
/// them, and the GEMM tests build their exact expectations from them): BF16 and F16 against PyTorch's roundings and
/// .NET's <see cref="Half"/>, TF32 against its definition (nearest, ties away from zero).</summary>
public sealed class MmaFormatTests
{
    private static readonly Scratch.NN.StateDict Fixture = Safetensors.Read(
        Path.Combine(AppContext.BaseDirectory, "Fixtures", "ops", "rounding.safetensors")).StateDict;

    [Fact]
    public void Bf16AndF16RoundingsMatchPyTorch()
    {
        var x = Fixture["x"].ToArray<float>();
        int[] bf16 = Fixture["bf16"].ToArray<int>(), f16 = Fixture["f16"].ToArray<int>();
        Assert.True(x.Length > 8000, $"fixture holds {x.Length} values");
        for (var i = 0; i < x.Length; i++)
        {
            var bits = BitConverter.SingleToUInt32Bits(x[i]);
            Assert.True((uint)bf16[i] == Bf16Format.Round(x[i]), $"bf16 of 0x{bits:X8} ({x[i]:R})");
            Assert.True((uint)f16[i] == F16Format.Round(x[i]), $"f16 of 0x{bits:X8} ({x[i]:R})");
        }
    }

    [Property(MaxTest = 2000, QuietOnSuccess = true)]
    public void F16RoundingMatchesSystemHalf(uint bits)
    {
        var x = BitConverter.UInt32BitsToSingle(bits);
        if (float.IsNaN(x)) return;
        Assert.Equal(BitConverter.HalfToUInt16Bits((Half)x), (ushort)F16Format.Round(x));
    }

    [Property(MaxTest = 2000, QuietOnSuccess = true)]
    public void F16WideningIsExact(ushort h)
    {
        var expected = (float)BitConverter.UInt16BitsToHalf(h);
        if (float.IsNaN(expected)) return;
        Assert.Equal(BitConverter.SingleToUInt32Bits(expected), BitConverter.SingleToUInt32Bits(F16Format.Widen(h)));
    }

    [Property(MaxTest = 2000, QuietOnSuccess = true)]
    public void Tf32RoundsToTheNearestTiesAwayFromZero(uint bits)
    {
        var x = BitConverter.UInt32BitsToSingle(bits);
        if (!float.IsFinite(x)) return;
        var r = default(Tf32Format).Pack(x, 0);
        Assert.Equal(Nearest(bits, 13, tiesToEven: false), default(Tf32Format).Unpack(r, 0));
    }

    [Property(MaxTest = 2000, QuietOnSuccess = true)]
    public void Bf16RoundsToTheNearestTiesToEven(uint bits, uint other)
    {
        float x = BitConverter.UInt32BitsToSingle(bits), y = BitConverter.UInt32BitsToSingle(other);
        if (!float.IsFinite(x) || !float.IsFinite(y)) return;
        var slot = default(Bf16Format).Pack(x, y);
        var f = default(Bf16Format);
        Assert.Equal(Nearest(bits, 16, tiesToEven: true), f.Unpack(slot, 0));
        Assert.Equal(Nearest(other, 16, tiesToEven: true), f.Unpack(slot, 1));
    }

    [Fact]
    public void SpecialValuesKeepTheirMeaning()
    {
        var bf = default(Bf16Format);
        var h = default(F16Format);
        Assert.True(float.IsNaN(bf.Unpack(bf.Pack(float.NaN, 0), 0)));
        Assert.True(float.IsNaN(h.Unpack(h.Pack(float.NaN, 0), 0)));
        Assert.Equal(float.PositiveInfinity, h.Unpack(h.Pack(65520f, 0), 0));
        Assert.Equal(65504f, h.Unpack(h.Pack(65519.99f, 0), 0));
        Assert.Equal(float.NegativeInfinity, bf.Unpack(bf.Pack(float.NegativeInfinity, 0), 0));
        Assert.Equal(float.PositiveInfinity, default(Tf32Format).Unpack(default(Tf32Format).Pack(float.MaxValue, 0), 0));
    }

    /// <summary>x (given by its bits) rounded to keep all but the low <paramref name="drop"/> mantissa bits: the
    /// nearer of the two neighbours by magnitude, compared in double; a tie goes away from zero or to the even one.
    /// </summary>
    private static float Nearest(uint bits, int drop, bool tiesToEven)
    {
        var mask = (1u << drop) - 1;
        uint downBits = bits & ~mask, upBits = downBits + (1u << drop);
        double x = BitConverter.UInt32BitsToSingle(bits);
        var down = BitConverter.UInt32BitsToSingle(downBits);
        // Past the largest finite value the upper neighbour is ±2¹²⁸, which rounds on to infinity.
        double up = (upBits & 0x7FFFFFFFu) == 0x7F800000u
            ? Math.CopySign(Math.Pow(2, 128), x)
            : BitConverter.UInt32BitsToSingle(upBits);
        double dd = Math.Abs(x - down), du = Math.Abs(up - x);
        if (dd < du) return down;
        if (du < dd) return (float)up;
        return !tiesToEven || ((upBits >> drop) & 1) == 0 ? (float)up : down;
    }
}
