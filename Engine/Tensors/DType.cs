namespace Scratch;

/// <summary>Element type of a tensor.</summary>
/// <remarks>F32 is the model type, F64 serves gradchecks and references, I32/I64 hold indices, U8/Bool masks and
/// images. Bool is stored as one byte per element (0 or 1).</remarks>
public enum DType : byte
{
    F32,
    F64,
    I32,
    I64,
    U8,
    Bool,
}

/// <summary>Facts about <see cref="DType"/> values.</summary>
public static class DTypeInfo
{
    /// <summary>Bytes per element.</summary>
    public static int SizeOf(this DType dtype) => dtype switch
    {
        DType.F32 or DType.I32 => 4,
        DType.F64 or DType.I64 => 8,
        _ => 1,
    };

    /// <summary>True for F32 and F64, the types that carry gradients.</summary>
    public static bool IsFloating(this DType dtype) => dtype is DType.F32 or DType.F64;

    /// <summary>True for I32, I64 and U8.</summary>
    public static bool IsInteger(this DType dtype) => dtype is DType.I32 or DType.I64 or DType.U8;

    /// <summary>The CLR element type that stores this dtype.</summary>
    public static Type ClrType(this DType dtype) => dtype switch
    {
        DType.F32 => typeof(float),
        DType.F64 => typeof(double),
        DType.I32 => typeof(int),
        DType.I64 => typeof(long),
        _ => typeof(byte),
    };

    /// <summary>The dtype stored by CLR type <typeparamref name="T"/> (byte maps to U8).</summary>
    public static DType Of<T>()
    {
        if (typeof(T) == typeof(float)) return DType.F32;
        if (typeof(T) == typeof(double)) return DType.F64;
        if (typeof(T) == typeof(int)) return DType.I32;
        if (typeof(T) == typeof(long)) return DType.I64;
        if (typeof(T) == typeof(byte)) return DType.U8;
        if (typeof(T) == typeof(bool)) return DType.Bool;
        throw new NotSupportedException($"No Scratch dtype stores CLR type {typeof(T).Name}.");
    }

    /// <summary>Lower-case name as PyTorch prints it (float32, int64, bool ...).</summary>
    public static string Name(this DType dtype) => dtype switch
    {
        DType.F32 => "float32",
        DType.F64 => "float64",
        DType.I32 => "int32",
        DType.I64 => "int64",
        DType.U8 => "uint8",
        _ => "bool",
    };
}
