namespace Scratch;

public static partial class F
{
    /// <summary>Pads the last <c>pads.Length / 2</c> dims with PyTorch's order: <c>[left, right]</c> for the last dim,
    /// then <c>[top, bottom]</c> for the one before, and so on. <see cref="PadMode.Constant"/> fills with
    /// <paramref name="value"/> and accepts negative pads (cropping); <see cref="PadMode.Reflect"/> and
    /// <see cref="PadMode.Replicate"/> pad the last 1–3 dims of a tensor with 1 or 2 more leading dims (as PyTorch:
    /// 2-D/3-D input for 2 pads, 3-D/4-D for 4, 4-D/5-D for 6); reflect pads must be smaller than the dim size and
    /// replicate needs a non-empty dim. The gradient sums the output gradient back onto the source elements.</summary>
    public static Tensor Pad(Tensor x, int[] pads, PadMode mode = PadMode.Constant, double value = 0)
    {
        var name = "Pad";
        if (pads.Length % 2 != 0 || pads.Length / 2 > x.Rank)
            throw new ShapeMismatchException(
                name, "pads", $"an even number of entries, at most {2 * x.Rank} (2 per dim of a rank-{x.Rank} input)",
                $"[{string.Join(", ", pads)}]");
        var k = pads.Length / 2;
        if (mode != PadMode.Constant)
        {
            if (k < 1 || k > 3 || x.Rank < k + 1 || x.Rank > k + 2)
                throw new ShapeMismatchException(
                    name, "input",
                    $"{mode} padding of {k} dims needs a rank-{k + 1} or rank-{k + 2} input (1 to 3 padded dims)",
                    $"rank {x.Rank} with pads [{string.Join(", ", pads)}]");
            if (pads.Any(p => p < 0))
                throw new ArgumentOutOfRangeException(
                    nameof(pads),
                    $"{name}: pads expected non-negative values for {mode} mode, got [{string.Join(", ", pads)}].");
        }
        var left = new int[x.Rank];
        var outDims = x.Shape.ToArray();
        for (var j = 0; j < k; j++)
        {
            var d = x.Rank - 1 - j;
            var (l, r) = (pads[2 * j], pads[2 * j + 1]);
            var size = x.Shape[d];
            if (mode == PadMode.Reflect && (l >= size || r >= size))
                throw new ArgumentOutOfRangeException(
                    nameof(pads), $"{name}: reflect pads ({l}, {r}) of dim {d} must be < its size {size}.");
            if (mode == PadMode.Replicate && size == 0 && l + r > 0)
                throw new ShapeMismatchException(
                    name, "input", $"a non-empty dim {d} for replicate padding", x.Shape.ToString());
            left[d] = l;
            outDims[d] = size + l + r;
            if (outDims[d] < 0)
                throw new ShapeMismatchException(
                    name, "pads", $"pads leaving dim {d} (size {size}) non-negative", $"[{string.Join(", ", pads)}]");
        }
        var inShape = x.Shape;
        var outShape = new Shape(outDims);
        int Source(int d, int c)
        {
            var size = inShape[d];
            var s = c - left[d];
            if (s >= 0 && s < size) return s;
            return mode switch
            {
                PadMode.Constant => -1,
                PadMode.Replicate => Math.Clamp(s, 0, size - 1),
                _ => s < 0 ? -s : 2 * (size - 1) - s,
            };
        }
        var map = IndexKernels.CoordinateMap(outShape, inShape, Source, x.Device.Kind == DeviceKind.Cpu);
        return IndexKernels.TakeRecorded(x, map, outShape, "Pad", value);
    }
}
