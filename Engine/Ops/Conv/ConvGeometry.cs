namespace Scratch.Ops;

/// <summary>The index relation of one 2-D convolution: input x [N, Cin, H, W], weight [Cout, Cin/G, KH, KW],
/// output y [N, Cout, OH, OW] with y[n, co, oh, ow] = Σ x[n, g·Cin/G + ci, oh·SH − PH + i·DH, ow·SW − PW + j·DW]
/// · w[co, ci, i, j] over ci, i, j (g = co / (Cout/G)); out-of-range input positions contribute 0.</summary>
/// <remarks>OH and OW are stored, not recomputed, so the same geometry also describes the transposed convolution
/// (whose output is this geometry's input).</remarks>
internal readonly record struct ConvGeometry(
    int N, int Cin, int H, int W, int Cout, int OH, int OW, int KH, int KW,
    int SH, int SW, int PH, int PW, int DH, int DW, int Groups)
{
    /// <summary>Input channels per group.</summary>
    public int CinG => Cin / Groups;

    /// <summary>Output channels per group.</summary>
    public int CoutG => Cout / Groups;

    /// <summary>Rows of one group's im2col matrix: CinG·KH·KW.</summary>
    public int K => CinG * KH * KW;

    /// <summary>Output positions per plane: OH·OW.</summary>
    public int L => OH * OW;

    /// <summary>True for a 1×1, stride-1, unpadded convolution whose output plane is the input plane, where the
    /// im2col matrix is the input itself (a transposed conv with output padding has OH ≠ H here).</summary>
    public bool IsPointwise => KH == 1 && KW == 1 && SH == 1 && SW == 1 && PH == 0 && PW == 0 && OH == H && OW == W;

    /// <summary>floor((size + 2·pad − dil·(k − 1) − 1) / stride) + 1, the conv output length.</summary>
    public static int OutSize(int size, int k, int stride, int pad, int dil) =>
        (size + 2 * pad - dil * (k - 1) - 1) / stride + 1;

    /// <summary>Multiply-accumulate count, used to decide whether to parallelise.</summary>
    public long Work => (long)N * Cout * L * K;
}

/// <summary>Argument checks shared by Conv2d and ConvTranspose2d.</summary>
internal static class ConvChecks
{
    public static void Inputs(string op, Tensor x, Tensor weight, Tensor? bias, int biasSize)
    {
        F.RequireFloating(x, op);
        F.RequireSame(x, weight, op, "weight");
        if (x.Rank != 4) throw new ShapeMismatchException(op, "input", "a 4-D [N, C, H, W] tensor", x.Shape.ToString());
        if (weight.Rank != 4)
            throw new ShapeMismatchException(op, "weight", "a 4-D weight tensor", weight.Shape.ToString());
        if (bias is null) return;
        F.RequireSame(x, bias, op, "bias");
        if (bias.Rank != 1 || bias.Size(0) != biasSize)
            throw new ShapeMismatchException(op, "bias", $"[{biasSize}]", bias.Shape.ToString());
    }

    /// <summary>The kernels here read host arrays; other devices bring their own kernels.</summary>
    public static void RequireHost(string op, Tensor x)
    {
        if (!x.Device.IsHost)
            throw new DeviceMismatchException(op, "input", "a host device (cpu or reference)", x.Device.ToString());
    }

    public static void Hyper(string op, Size2 stride, Size2 padding, Size2 dilation, int groups)
    {
        stride.AtLeast(1, op, "stride");
        padding.AtLeast(0, op, "padding");
        dilation.AtLeast(1, op, "dilation");
        if (groups < 1) throw new ArgumentOutOfRangeException(nameof(groups), groups,
            $"{op}: groups expected >= 1, got {groups}.");
    }
}
