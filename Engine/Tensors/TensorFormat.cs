using System.Globalization;
using System.Text;

namespace Scratch;

/// <summary>Prints tensors the way PyTorch does, abbreviated past 1000 elements.</summary>
internal static class TensorFormat
{
    public static string Format(Tensor t)
    {
        var sb = new StringBuilder("tensor(");
        if (t.Numel <= 1000)
        {
            var values = t.ToDoubleArray();
            var pos = 0;
            Append(sb, t.Shape.Dims, 0, values, ref pos, t.DType);
        }
        else
        {
            sb.Append("...");
        }
        sb.Append($", shape={t.Shape}, dtype={t.DType.Name()}");
        if (t.Device != Device.Cpu) sb.Append($", device={t.Device}");
        if (t.GradFn is { } fn) sb.Append($", grad_fn={fn.Name}");
        else if (t.RequiresGrad) sb.Append(", requires_grad=True");
        return sb.Append(')').ToString();
    }

    private static void Append(StringBuilder sb, ReadOnlySpan<int> dims, int level, double[] values, ref int pos, DType dtype)
    {
        if (level == dims.Length)
        {
            var v = values[pos++];
            sb.Append(dtype switch
            {
                DType.Bool => v != 0 ? "True" : "False",
                DType.F32 or DType.F64 => v.ToString("G6", CultureInfo.InvariantCulture),
                _ => v.ToString(CultureInfo.InvariantCulture),
            });
            return;
        }
        sb.Append('[');
        for (var i = 0; i < dims[level]; i++)
        {
            if (i > 0) sb.Append(", ");
            Append(sb, dims, level + 1, values, ref pos, dtype);
        }
        sb.Append(']');
    }
}
