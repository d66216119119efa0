using Scratch.Autograd;
using Scratch.Ops;

namespace Scratch;

public static partial class F
{
    /// <summary>2-D convolution (cross-correlation, as PyTorch's <c>conv2d</c>) of x [N, Cin, H, W] with
    /// weight [Cout, Cin/groups, kh, kw] and optional bias [Cout], giving [N, Cout, OH, OW].</summary>
    /// <remarks>y[n, co, oh, ow] = b[co] + Σ_{ci, i, j} x[n, g·Cin/G + ci, oh·sh − ph + i·dh, ow·sw − pw + j·dw]
    /// · w[co, ci, i, j] with g = co / (Cout/G) and zero padding; OH = ⌊(H + 2ph − dh·(kh − 1) − 1)/sh⌋ + 1 (OW
    /// alike). Gradients: ∂x is the transposed convolution of the output gradient, ∂w correlates x with it, ∂b sums
    /// it over n, oh, ow. Reference tensors use the direct loops; Cpu tensors use vectorised direct kernels for
    /// depthwise convs, one GEMM per image for 1×1 convs and blocked im2col + GEMM otherwise (stride-1 input gradients
    /// as the conv of the output gradient with the flipped filters).</remarks>
    /// <param name="x">Input [N, Cin, H, W], float32 or float64.</param>
    /// <param name="weight">Filters [Cout, Cin/groups, kh, kw].</param>
    /// <param name="bias">Optional [Cout].</param>
    /// <param name="stride">(sh, sw) ≥ 1; default 1.</param>
    /// <param name="padding">(ph, pw) ≥ 0 zeros on each side; default 0.</param>
    /// <param name="dilation">(dh, dw) ≥ 1 spacing of kernel taps; default 1.</param>
    /// <param name="groups">Channel groups; Cin and Cout must be divisible by it (groups = Cin is depthwise).</param>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias = null, Size2? stride = null,
        Size2? padding = null, Size2? dilation = null, int groups = 1)
    {
        const string op = "Conv2d";
        var g = Conv2dGeometry(op, x, weight, bias, stride, padding, dilation, groups);
        var y = ConvKernels.Forward(x, weight, g);
        if (bias is not null) ConvKernels.AddBias(y, bias);
        Tensor[] inputs = bias is null ? [x, weight] : [x, weight, bias];
        if (!Graph.NeedsGrad(inputs)) return y;
        var (sx, sw) = (new SavedTensor(x, op), new SavedTensor(weight, op));
        return Graph.Record(y, op, inputs, gy =>
        [
            x.RequiresGrad ? ConvKernels.InputGrad(gy, sw.Get(), g) : null,
            weight.RequiresGrad ? ConvKernels.WeightGrad(sx.Get(), gy, g) : null,
            .. bias is null ? Array.Empty<Tensor?>() : [bias.RequiresGrad ? ConvKernels.BiasGrad(gy) : null],
        ]);
    }

    /// <summary>Checks the arguments of a 2-D convolution (see <see cref="Conv2d"/>) and returns its geometry.</summary>
    internal static ConvGeometry Conv2dGeometry(string op, Tensor x, Tensor weight, Tensor? bias, Size2? stride,
        Size2? padding, Size2? dilation, int groups)
    {
        ConvChecks.Inputs(op, x, weight, bias, weight.Rank == 4 ? weight.Size(0) : 0);
        var (s, p, d) = (stride ?? 1, padding ?? 0, dilation ?? 1);
        ConvChecks.Hyper(op, s, p, d, groups);
        int n = x.Size(0), cin = x.Size(1), h = x.Size(2), w = x.Size(3);
        int cout = weight.Size(0), kh = weight.Size(2), kw = weight.Size(3);
        if (cin % groups != 0)
            throw new ArgumentException($"{op}: groups expected to divide the input channels {cin}, got {groups}.",
                nameof(groups));
        if (cout % groups != 0)
            throw new ArgumentException($"{op}: groups expected to divide the output channels {cout} (weight.size(0)), got {groups}.", nameof(groups));
        if (weight.Size(1) != cin / groups)
            throw new ShapeMismatchException(op, "weight",
                $"[{cout}, {cin / groups}, kh, kw] for {cin} input channels in {groups} groups",
                weight.Shape.ToString());
        if (kh < 1 || kw < 1)
            throw new ShapeMismatchException(op, "weight", "a kernel of at least 1x1", weight.Shape.ToString());
        int ekh = d.H * (kh - 1) + 1, ekw = d.W * (kw - 1) + 1;
        if (h + 2 * p.H < ekh || w + 2 * p.W < ekw)
            throw new ShapeMismatchException(op, "input",
                $"padded size (H + 2·ph) x (W + 2·pw) >= dilated kernel {ekh}x{ekw}",
                $"{h + 2 * p.H}x{w + 2 * p.W} from {x.Shape} with padding {p}");
        var g = new ConvGeometry(n, cin, h, w, cout,
            ConvGeometry.OutSize(h, kh, s.H, p.H, d.H), ConvGeometry.OutSize(w, kw, s.W, p.W, d.W), kh, kw,
            s.H, s.W, p.H, p.W, d.H, d.W, groups);
        return g;
    }
}
