namespace Scratch.Tests.Ops.Norm;

/// <summary>Deterministic golden-test inputs, reproduced in the torch scripts as
/// <c>((i + k)·37 mod 11 − 5)/3</c> for flat index i.</summary>
internal static class SeqValues
{
    public static Tensor Of(int k, params int[] shape)
    {
        var s = new Shape(shape);
        var v = new double[s.Numel];
        for (var i = 0; i < v.Length; i++) v[i] = ((i + k) * 37 % 11 - 5) / 3.0;
        return Tensor.FromDoubles(v, s, DType.F64);
    }
}
