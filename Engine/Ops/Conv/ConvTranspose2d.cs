using Scratch.Autograd;
using Scratch.Ops;

namespace Scratch;

public static partial class F
{
    /// <summary>2-D transposed convolution (PyTorch's <c>conv_transpose2d</c>), the adjoint of
    /// <see cref="Conv2d"/> in its input: x [N, Cin, H, W], weight [Cin, Cout/groups, kh, kw], bias [Cout].</summary>
    /// <remarks>Each input pixel scatters weight·x into the output at oh = ih·sh − ph + i·dh (ow alike);
    /// OH = (H − 1)·sh − 2ph + dh·(kh − 1) + oph + 1. It is computed with the conv input-gradient kernel; its
    /// gradient in x is the forward convolution of the output gradient, in w the conv weight gradient with the
    /// roles of input and output swapped.</remarks>
    /// <param name="x">Input [N, Cin, H, W].</param>
    /// <param name="weight">[Cin, Cout/groups, kh, kw].</param>
    /// <param name="bias">Optional [Cout].</param>
    /// <param name="stride">(sh, sw) ≥ 1.</param>
    /// <param name="padding">(ph, pw) ≥ 0, removed from each side of the full output.</param>
    /// <param name="outputPadding">(oph, opw) added to the bottom/right; each must be smaller than the stride or
    /// the dilation on its axis.</param>
    /// <param name="groups">Channel groups dividing Cin and Cout.</param>
    /// <param name="dilation">(dh, dw) ≥ 1.</param>
    public static Tensor ConvTranspose2d(Tensor x, Tensor weight, Tensor? bias = null, Size2? stride = null,
        Size2? padding = null, Size2? outputPadding = null, int groups = 1, Size2? dilation = null)
    {
        const string op = "ConvTranspose2d";
        if (groups < 1) throw new ArgumentOutOfRangeException(nameof(groups), groups,
            $"{op}: groups expected >= 1, got {groups}.");
        ConvChecks.Inputs(op, x, weight, bias, weight.Rank == 4 ? weight.Size(1) * groups : 0);
        var (s, p, d, op2) = (stride ?? 1, padding ?? 0, dilation ?? 1, outputPadding ?? 0);
        ConvChecks.Hyper(op, s, p, d, groups);
        op2.AtLeast(0, op, "outputPadding");
        if ((op2.H >= s.H && op2.H >= d.H) || (op2.W >= s.W && op2.W >= d.W))
            throw new ArgumentOutOfRangeException(nameof(outputPadding), op2,
                $"{op}: outputPadding expected smaller than stride {s} or dilation {d} on each axis, got {op2}.");
        int n = x.Size(0), cin = x.Size(1), h = x.Size(2), w = x.Size(3);
        int kh = weight.Size(2), kw = weight.Size(3);
        if (cin % groups != 0)
            throw new ArgumentException($"{op}: groups expected to divide the input channels {cin}, got {groups}.",
                nameof(groups));
        if (weight.Size(0) != cin)
            throw new ShapeMismatchException(op, "weight", $"[{cin}, Cout/groups, kh, kw] for {cin} input channels",
                weight.Shape.ToString());
        if (kh < 1 || kw < 1)
            throw new ShapeMismatchException(op, "weight", "a kernel of at least 1x1", weight.Shape.ToString());
        var cout = weight.Size(1) * groups;
        int oh = (h - 1) * s.H - 2 * p.H + d.H * (kh - 1) + op2.H + 1,
            ow = (w - 1) * s.W - 2 * p.W + d.W * (kw - 1) + op2.W + 1;
        if (oh < 1 || ow < 1)
            throw new ShapeMismatchException(op, "input", "a positive output size",
                $"{oh}x{ow} from {x.Shape} with padding {p}");
        // The conv whose input is this op's output and whose output is this op's input.
        var g = new ConvGeometry(n, cout, oh, ow, cin, h, w, kh, kw, s.H, s.W, p.H, p.W, d.H, d.W, groups);
        var y = ConvKernels.InputGrad(x, weight, g);
        if (bias is not null) ConvKernels.AddBias(y, bias);
        Tensor[] inputs = bias is null ? [x, weight] : [x, weight, bias];
        if (!Graph.NeedsGrad(inputs)) return y;
        var (sx, sw) = (new SavedTensor(x, op), new SavedTensor(weight, op));
        return Graph.Record(y, op, inputs, gy =>
        [
            x.RequiresGrad ? ConvKernels.Forward(gy, sw.Get(), g) : null,
            weight.RequiresGrad ? ConvKernels.WeightGrad(gy, sx.Get(), g) : null,
            .. bias is null ? Array.Empty<Tensor?>() : [bias.RequiresGrad ? ConvKernels.BiasGrad(gy) : null],
        ]);
    }
}
