namespace Scratch.Ops;

/// <summary>Argument checks shared by the 2-D pools.</summary>
internal static class PoolChecks
{
    public static void Input(string op, Tensor x)
    {
        F.RequireFloating(x, op);
        if (x.Rank != 4) throw new ShapeMismatchException(op, "input", "a 4-D [N, C, H, W] tensor", x.Shape.ToString());
    }

    /// <summary>Validates kernel/stride/padding/dilation and returns the output (OH, OW).</summary>
    public static (int OH, int OW) Sliding(string op, Tensor x, Size2 k, Size2 s, Size2 p, Size2 d, bool ceil)
    {
        k.AtLeast(1, op, "kernelSize");
        s.AtLeast(1, op, "stride");
        p.AtLeast(0, op, "padding");
        d.AtLeast(1, op, "dilation");
        if (p.H > k.H / 2 || p.W > k.W / 2)
            throw new ArgumentOutOfRangeException("padding", p,
                $"{op}: padding expected at most half the kernel size {k}, got {p}.");
        int oh = PoolAxis.OutLength(x.Size(2), k.H, s.H, p.H, d.H, ceil), ow = PoolAxis.OutLength(x.Size(3), k.W, s.W,
            p.W, d.W, ceil);
        if (oh < 1 || ow < 1)
            throw new ShapeMismatchException(op, "input",
                $"a spatial size giving an output of at least 1x1 for kernel {k}, padding {p}, dilation {d}",
                $"{x.Shape} giving {oh}x{ow}");
        return (oh, ow);
    }
}
