using System.Reflection;
using ILGPU.Frontend;
using ILGPU.Frontend.Intrinsic;

namespace Scratch.Backends.Gpu;

/// <summary>Device replacements for <c>T.CreateTruncating&lt;TOther&gt;</c> between the element types.</summary>
/// <remarks>The BCL implements <c>CreateTruncating</c> with <c>typeof(TOther) == typeof(...)</c> tests, which ILGPU
/// cannot compile (it rejects <see cref="System.Type"/>). Ops use <c>T.CreateTruncating(constant)</c> freely, so every
/// (target, source) pair is remapped, once per process, to a plain C# conversion with the same meaning.</remarks>
internal static class GpuIntrinsics
{
    private static int _registered;

    public static float F32FromF32(float v) => unchecked((float)v);
    public static float F32FromF64(double v) => unchecked((float)v);
    public static float F32FromI32(int v) => unchecked((float)v);
    public static float F32FromI64(long v) => unchecked((float)v);
    public static float F32FromU8(byte v) => unchecked((float)v);
    public static double F64FromF32(float v) => unchecked((double)v);
    public static double F64FromF64(double v) => unchecked((double)v);
    public static double F64FromI32(int v) => unchecked((double)v);
    public static double F64FromI64(long v) => unchecked((double)v);
    public static double F64FromU8(byte v) => unchecked((double)v);
    public static int I32FromF32(float v) => unchecked((int)v);
    public static int I32FromF64(double v) => unchecked((int)v);
    public static int I32FromI32(int v) => unchecked((int)v);
    public static int I32FromI64(long v) => unchecked((int)v);
    public static int I32FromU8(byte v) => unchecked((int)v);
    public static long I64FromF32(float v) => unchecked((long)v);
    public static long I64FromF64(double v) => unchecked((long)v);
    public static long I64FromI32(int v) => unchecked((long)v);
    public static long I64FromI64(long v) => unchecked((long)v);
    public static long I64FromU8(byte v) => unchecked((long)v);
    public static byte U8FromF32(float v) => unchecked((byte)v);
    public static byte U8FromF64(double v) => unchecked((byte)v);
    public static byte U8FromI32(int v) => unchecked((byte)v);
    public static byte U8FromI64(long v) => unchecked((byte)v);
    public static byte U8FromU8(byte v) => unchecked((byte)v);

    /// <summary>Registers the remappings (idempotent; ILGPU's remapping table is process-wide).</summary>
    internal static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1) return;
        Map(typeof(float), typeof(float), nameof(F32FromF32));
        Map(typeof(float), typeof(double), nameof(F32FromF64));
        Map(typeof(float), typeof(int), nameof(F32FromI32));
        Map(typeof(float), typeof(long), nameof(F32FromI64));
        Map(typeof(float), typeof(byte), nameof(F32FromU8));
        Map(typeof(double), typeof(float), nameof(F64FromF32));
        Map(typeof(double), typeof(double), nameof(F64FromF64));
        Map(typeof(double), typeof(int), nameof(F64FromI32));
        Map(typeof(double), typeof(long), nameof(F64FromI64));
        Map(typeof(double), typeof(byte), nameof(F64FromU8));
        Map(typeof(int), typeof(float), nameof(I32FromF32));
        Map(typeof(int), typeof(double), nameof(I32FromF64));
        Map(typeof(int), typeof(int), nameof(I32FromI32));
        Map(typeof(int), typeof(long), nameof(I32FromI64));
        Map(typeof(int), typeof(byte), nameof(I32FromU8));
        Map(typeof(long), typeof(float), nameof(I64FromF32));
        Map(typeof(long), typeof(double), nameof(I64FromF64));
        Map(typeof(long), typeof(int), nameof(I64FromI32));
        Map(typeof(long), typeof(long), nameof(I64FromI64));
        Map(typeof(long), typeof(byte), nameof(I64FromU8));
        Map(typeof(byte), typeof(float), nameof(U8FromF32));
        Map(typeof(byte), typeof(double), nameof(U8FromF64));
        Map(typeof(byte), typeof(int), nameof(U8FromI32));
        Map(typeof(byte), typeof(long), nameof(U8FromI64));
        Map(typeof(byte), typeof(byte), nameof(U8FromU8));
    }

    private static void Map(Type target, Type source, string replacement)
    {
        var generic = target.GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Single(m => m.Name == "CreateTruncating" && m.IsGenericMethodDefinition);
        var from = generic.MakeGenericMethod(source);
        var to = typeof(GpuIntrinsics).GetMethod(replacement, BindingFlags.Public | BindingFlags.Static)!;
        RemappedIntrinsics.AddRemapping(from, (ref InvocationContext c) => c.Method = to);
    }
}
