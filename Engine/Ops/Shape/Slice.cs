using Scratch.Autograd;

namespace Scratch;

public static partial class F
{
    /// <summary>The gradient of a view: zeros of <paramref name="inputShape"/> with <paramref name="g"/> copied into
    /// the region <paramref name="view"/> selects (view is applied to the zeros without recording).</summary>
    internal static Tensor ViewGradient(Tensor g, Shape inputShape, Func<Tensor, Tensor> view)
    {
        var z = Tensor.Zeros(inputShape, g.DType, g.Device);
        var region = view(z);
        if (region.Numel > 0) z.Backend.Copy(g.Detach(), region);
        return z;
    }

    /// <summary>Python slice semantics: (start, length) of <c>start:end:step</c> over a dim of
    /// <paramref name="size"/> with negative bounds counted from the end and both clamped to [0, size].</summary>
    internal static (int Start, int Length) ResolveSlice(int? start, int? end, int step, int size, string op)
    {
        if (step < 1)
            throw new ArgumentOutOfRangeException(nameof(step), step, $"{op}: step must be >= 1, got {step}.");
        static int Clamp(long v, int size) => (int)Math.Clamp(v < 0 ? v + size : v, 0, size);
        var s = start is { } a ? Clamp(a, size) : 0;
        var e = end is { } b ? Clamp(b, size) : size;
        var len = e <= s ? 0 : (e - s + step - 1) / step;
        return (s, len);
    }
}

public partial class Tensor
{
    /// <summary>An unrecorded view taking <paramref name="length"/> elements of <paramref name="dim"/> from
    /// <paramref name="start"/> with <paramref name="step"/> (all already validated).</summary>
    internal Tensor SliceView(int dim, int start, int length, int step)
    {
        var dims = Shape.ToArray();
        var strides = (long[])StridesArray.Clone();
        dims[dim] = length;
        var offset = Offset + (new Shape(dims).Numel > 0 ? start * StridesArray[dim] : 0);
        strides[dim] *= step;
        return new Tensor(Storage, new Shape(dims), strides, offset);
    }

    /// <summary>An unrecorded view with dim <paramref name="dim"/> fixed at <paramref name="index"/>
    /// (validated).</summary>
    internal Tensor SelectView(int dim, int index)
    {
        var dims = Shape.ToArray().ToList();
        var strides = StridesArray.ToList();
        var offset = Offset + (Numel > 0 ? index * StridesArray[dim] : 0);
        dims.RemoveAt(dim);
        strides.RemoveAt(dim);
        return new Tensor(Storage, new Shape(dims.ToArray()), strides.ToArray(), offset);
    }

    /// <summary>The view <c>x[..., start:end:step, ...]</c> along <paramref name="dim"/>, with Python slicing: null
    /// bounds mean the ends, negative bounds count from the end, out-of-range bounds are clamped (an empty result
    /// when end ≤ start). <paramref name="step"/> must be ≥ 1. Shares storage; the gradient is scattered back into
    /// zeros of the input shape.</summary>
    public Tensor Slice(int dim, int? start = null, int? end = null, int step = 1)
    {
        var d = Shape.NormalizeDim(dim, Rank, "dim", "Slice");
        if (Rank == 0) throw new ShapeMismatchException("Slice", "input", "a tensor of rank >= 1", "a scalar");
        var (s, len) = F.ResolveSlice(start, end, step, Shape[d], "Slice");
        var input = this;
        var view = SliceView(d, s, len, step);
        return Graph.Record(
            view, "Slice", [input], g => [F.ViewGradient(g, input.Shape, z => z.SliceView(d, s, len, step))]);
    }

    /// <summary>The view of <paramref name="length"/> elements of <paramref name="dim"/> starting at
    /// <paramref name="start"/> (negative counts from the end). Unlike <see cref="Slice"/>, nothing is clamped:
    /// start must lie in [−size, size] and start + length ≤ size.</summary>
    public Tensor Narrow(int dim, int start, int length)
    {
        var d = Shape.NormalizeDim(dim, Rank, "dim", "Narrow");
        if (Rank == 0) throw new ShapeMismatchException("Narrow", "input", "a tensor of rank >= 1", "a scalar");
        var size = Shape[d];
        if (start < -size || start > size)
            throw new ArgumentOutOfRangeException(nameof(start), start,
                $"Narrow: start {start} is out of range for dim {d} of size {size}; valid range is [{-size}, {size}].");
        var s = start < 0 ? start + size : start;
        if (length < 0 || s + length > size)
            throw new ArgumentOutOfRangeException(nameof(length), length,
                $"Narrow: length {length} from start {s} exceeds dim {d} of size {size}; " +
                $"valid range is [0, {size - s}].");
        var input = this;
        var view = SliceView(d, s, length, 1);
        return Graph.Record(
            view, "Narrow", [input], g => [F.ViewGradient(g, input.Shape, z => z.SliceView(d, s, length, 1))]);
    }

    /// <summary>The view <c>x[..., index, ...]</c> with <paramref name="dim"/> removed (rank − 1). A negative index
    /// counts from the end; it must lie in [−size, size − 1].</summary>
    public Tensor Select(int dim, int index)
    {
        if (Rank == 0) throw new ShapeMismatchException("Select", "input", "a tensor of rank >= 1", "a scalar");
        var d = Shape.NormalizeDim(dim, Rank, "dim", "Select");
        var size = Shape[d];
        if (index < -size || index >= size)
            throw new ArgumentOutOfRangeException(nameof(index), index,
                $"Select: index {index} is out of range for dim {d} of size {size}; " +
                $"valid range is [{-size}, {size - 1}].");
        var i = index < 0 ? index + size : index;
        var input = this;
        var view = SelectView(d, i);
        return Graph.Record(view, "Select", [input], g => [F.ViewGradient(g, input.Shape, z => z.SelectView(d, i))]);
    }

    /// <summary>All slices along <paramref name="dim"/> as views: <c>Select(dim, 0) … Select(dim, size −
    /// 1)</c>.</summary>
    public Tensor[] Unbind(int dim = 0)
    {
        if (Rank == 0) throw new ShapeMismatchException("Unbind", "input", "a tensor of rank >= 1", "a scalar");
        var d = Shape.NormalizeDim(dim, Rank, "dim", "Unbind");
        var result = new Tensor[Shape[d]];
        for (var i = 0; i < result.Length; i++) result[i] = Select(d, i);
        return result;
    }
}

public static partial class F
{
    /// <summary>See <see cref="Tensor.Slice"/>.</summary>
    public static Tensor Slice(Tensor x, int dim, int? start = null, int? end = null, int step = 1)
        => x.Slice(dim, start, end, step);

    /// <summary>See <see cref="Tensor.Narrow"/>.</summary>
    public static Tensor Narrow(Tensor x, int dim, int start, int length) => x.Narrow(dim, start, length);

    /// <summary>See <see cref="Tensor.Select"/>.</summary>
    public static Tensor Select(Tensor x, int dim, int index) => x.Select(dim, index);

    /// <summary>See <see cref="Tensor.Unbind"/>.</summary>
    public static Tensor[] Unbind(Tensor x, int dim = 0) => x.Unbind(dim);
}
