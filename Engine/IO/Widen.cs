using System.Buffers.Binary;

namespace Scratch.IO;

/// <summary>Little-endian narrow element types widened to the Scratch dtypes that hold them exactly.</summary>
internal static class Widen
{
    /// <summary>IEEE binary16 to float (exact).</summary>
    public static float[] Half(ReadOnlySpan<byte> b)
    {
        var r = new float[b.Length / 2];
        for (var i = 0; i < r.Length; i++) r[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(b.Slice(2 * i, 2));
        return r;
    }

    /// <summary>bfloat16 (the top half of a float32) to float (exact).</summary>
    public static float[] BFloat16(ReadOnlySpan<byte> b)
    {
        var r = new float[b.Length / 2];
        for (var i = 0; i < r.Length; i++)
            r[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(b.Slice(2 * i, 2)) << 16);
        return r;
    }

    /// <summary>int16 to int.</summary>
    public static int[] Int16(ReadOnlySpan<byte> b)
    {
        var r = new int[b.Length / 2];
        for (var i = 0; i < r.Length; i++) r[i] = BinaryPrimitives.ReadInt16LittleEndian(b.Slice(2 * i, 2));
        return r;
    }

    /// <summary>int8 to int.</summary>
    public static int[] Int8(ReadOnlySpan<byte> b)
    {
        var r = new int[b.Length];
        for (var i = 0; i < r.Length; i++) r[i] = (sbyte)b[i];
        return r;
    }
}
