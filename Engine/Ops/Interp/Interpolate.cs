using Scratch.Autograd;

namespace Scratch;

public static partial class F
{
    /// <summary>Resizes the spatial dims of x [N, C, H, W] as <c>torch.nn.functional.interpolate</c> (1.13, with
    /// recompute_scale_factor=None) does for modes "nearest" and "bilinear".</summary>
    /// <remarks>Exactly one of <paramref name="size"/> and <paramref name="scaleFactor"/> is given. With a scale
    /// factor s the output length is ⌊in·s⌋ and the kernel keeps s itself (source scale 1/s), otherwise the source
    /// scale is in/out. Nearest: src = min(⌊dst·scale⌋, in − 1) in float32 arithmetic (identity when out = in,
    /// dst/2 when out = 2·in). Bilinear: src = dst·(in − 1)/(out − 1) with alignCorners, else
    /// max(0, (dst + ½)·scale − ½); it blends x[⌊src⌋] and x[⌊src⌋ + 1] (clamped at the edge) with weights
    /// 1 − λ, λ = src − ⌊src⌋; out = in copies. The gradient scatters g back with the same weights.</remarks>
    /// <param name="x">[N, C, H, W], float32 or float64.</param>
    /// <param name="size">Output (OH, OW) ≥ 1.</param>
    /// <param name="scaleFactor">Positive (sh, sw).</param>
    /// <param name="mode">Nearest (default) or Bilinear.</param>
    /// <param name="alignCorners">Bilinear only (default false): map corner pixel centres onto each other.</param>
    public static Tensor Interpolate(Tensor x, Size2? size = null, Scale2? scaleFactor = null,
        InterpolateMode mode = InterpolateMode.Nearest, bool? alignCorners = null)
    {
        const string op = "Interpolate";
        RequireFloating(x, op);
        if (x.Rank != 4) throw new ShapeMismatchException(op, "input", "a 4-D [N, C, H, W] tensor", x.Shape.ToString());
        if ((size is null) == (scaleFactor is null))
            throw new ArgumentException($"{op}: size and scaleFactor expected exactly one given, got {(size is null ? "neither" : "both")}.", nameof(size));
        if (mode == InterpolateMode.Nearest && alignCorners is not null)
            throw new ArgumentException($"{op}: alignCorners expected unset for mode Nearest, got {alignCorners}.",
                nameof(alignCorners));
        if (mode is not (InterpolateMode.Nearest or InterpolateMode.Bilinear))
            throw new ArgumentOutOfRangeException(nameof(mode), mode,
                $"{op}: mode expected Nearest or Bilinear, got {mode}.");
        int h = x.Size(2), w = x.Size(3);
        Size2 outSize;
        if (scaleFactor is { } sf)
        {
            if (!(sf.H > 0) || !(sf.W > 0) || double.IsInfinity(sf.H) || double.IsInfinity(sf.W))
                throw new ArgumentOutOfRangeException(nameof(scaleFactor), sf,
                    $"{op}: scaleFactor expected positive finite values, got {sf}.");
            outSize = ((int)Math.Floor(h * sf.H), (int)Math.Floor(w * sf.W));
            if (outSize.H < 1 || outSize.W < 1)
                throw new ArgumentOutOfRangeException(nameof(scaleFactor), sf,
                    $"{op}: scaleFactor expected an output of at least 1x1 for input {x.Shape}, got {outSize}.");
        }
        else
        {
            outSize = size!.Value.AtLeast(1, op, "size");
        }
        if (h < 1 || w < 1) throw new ShapeMismatchException(op, "input", "non-empty spatial dims", x.Shape.ToString());
        var align = alignCorners ?? false;
        var rows = Ops.InterpAxis.Make(mode, h, outSize.H, scaleFactor?.H, align, x.DType);
        var cols = Ops.InterpAxis.Make(mode, w, outSize.W, scaleFactor?.W, align, x.DType);
        var y = Ops.InterpKernels.Forward(x, rows, cols);
        var shape = x.Shape;
        return Graph.Record(y, op, [x], g => [Ops.InterpKernels.Backward(g, rows, cols, shape)]);
    }
}
