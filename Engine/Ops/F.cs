namespace Scratch;

/// <summary>The functional API: every op as a static function (<c>F.Relu(x)</c>, <c>F.Conv2d(x, w)</c>).
/// Each op's part of this class lives in the op's own file under <c>Engine/Ops</c>.</summary>
public static partial class F
{
    /// <summary>Throws unless <paramref name="t"/> has a floating dtype.</summary>
    internal static void RequireFloating(Tensor t, string op, string arg = "input")
    {
        if (!t.DType.IsFloating())
            throw new DTypeMismatchException(op, arg, "float32 or float64", t.DType.Name());
    }

    /// <summary>Throws unless the two tensors share dtype and device.</summary>
    internal static void RequireSame(Tensor a, Tensor b, string op, string arg = "other")
    {
        if (a.Device != b.Device)
            throw new DeviceMismatchException(op, arg, a.Device.ToString(), b.Device.ToString());
        if (a.DType != b.DType)
            throw new DTypeMismatchException(op, arg, a.DType.Name(), b.DType.Name());
    }
}
