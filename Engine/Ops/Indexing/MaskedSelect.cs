namespace Scratch;

public static partial class F
{
    /// <summary>The elements of <paramref name="x"/> where the Bool <paramref name="mask"/> is true, as a 1-D tensor
    /// in row-major order; x and mask broadcast together. The gradient scatters back (summed over broadcasting).
    /// </summary>
    public static Tensor MaskedSelect(Tensor x, Tensor mask)
    {
        if (mask.DType != DType.Bool)
            throw new DTypeMismatchException("MaskedSelect", "mask", "bool", mask.DType.Name());
        if (mask.Device != x.Device)
            throw new DeviceMismatchException("MaskedSelect", "mask", x.Device.ToString(), mask.Device.ToString());
        Shape shape;
        try
        {
            shape = Shape.Broadcast(x.Shape, mask.Shape, "MaskedSelect");
        }
        catch (ShapeMismatchException)
        {
            throw new ShapeMismatchException(
                "MaskedSelect", "mask", $"a shape broadcastable with the input {x.Shape}", mask.Shape.ToString());
        }
        var xb = x.Shape == shape ? x : x.Expand(shape.ToArray());
        var m = mask.Detach().Expand(shape.ToArray()).ToArray<bool>();
        var map = new List<long>();
        for (var i = 0; i < m.Length; i++)
            if (m[i]) map.Add(i);
        return IndexKernels.TakeRecorded(xb, map.ToArray(), new Shape(map.Count), "MaskedSelect");
    }

    /// <summary>Coordinates of the non-zero elements (true for Bool, NaN counts as non-zero) as int64
    /// <c>[n, rank]</c>, in row-major order. Not differentiable.</summary>
    public static Tensor Nonzero(Tensor x)
    {
        var v = x.ToDoubleArray();
        var rows = new List<long>();
        IndexKernels.ForEach(x.Shape, (i, idx) =>
        {
            if (v[i] == 0) return;
            foreach (var c in idx) rows.Add(c);
        });
        var n = x.Rank == 0 ? v.Count(e => e != 0) : rows.Count / x.Rank;
        var y = Tensor.From(rows.ToArray(), new Shape(n, x.Rank));
        return x.Device == Device.Cpu ? y : y.To(x.Device);
    }
}

public partial class Tensor
{
    /// <summary>See <see cref="F.MaskedSelect"/>.</summary>
    public Tensor MaskedSelect(Tensor mask) => F.MaskedSelect(this, mask);

    /// <summary>See <see cref="F.Nonzero"/>.</summary>
    public Tensor Nonzero() => F.Nonzero(this);
}
