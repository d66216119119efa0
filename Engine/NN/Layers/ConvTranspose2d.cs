namespace Scratch.NN;

/// <summary>2-D transposed convolution layer (PyTorch's <c>nn.ConvTranspose2d</c>); keys <c>weight</c>
/// [in, out/groups, kh, kw] and <c>bias</c> [out].</summary>
/// <remarks>Initialised as PyTorch does: kaiming_uniform(a=√5) and bias U(±1/√fan_in), where fan_in is computed from
/// the weight's dim 1, i.e. out/groups·kh·kw. See <see cref="F.ConvTranspose2d"/> for the math.</remarks>
public sealed class ConvTranspose2d : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer with weights drawn from <paramref name="generator"/>.</summary>
    public ConvTranspose2d(int inChannels, int outChannels, Size2 kernelSize, Size2? stride = null,
        Size2? padding = null,
        Size2? outputPadding = null, int groups = 1, bool bias = true, Size2? dilation = null,
            Generator? generator = null)
    {
        ConvLayer.Check("ConvTranspose2d", inChannels, outChannels, kernelSize, groups);
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = (stride ?? 1).AtLeast(1, "ConvTranspose2d", "stride");
        Padding = (padding ?? 0).AtLeast(0, "ConvTranspose2d", "padding");
        OutputPadding = (outputPadding ?? 0).AtLeast(0, "ConvTranspose2d", "outputPadding");
        Dilation = (dilation ?? 1).AtLeast(1, "ConvTranspose2d", "dilation");
        Groups = groups;
        Weight = Param("weight", Tensor.Empty(new Shape(inChannels, outChannels / groups, kernelSize.H, kernelSize.W)));
        Bias = ConvLayer.InitParams(Weight, bias, outChannels, generator, Param, NoParam);
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>(kh, kw).</summary>
    public Size2 KernelSize { get; }

    /// <summary>(sh, sw).</summary>
    public Size2 Stride { get; }

    /// <summary>(ph, pw).</summary>
    public Size2 Padding { get; }

    /// <summary>(oph, opw) added to the bottom/right of the output.</summary>
    public Size2 OutputPadding { get; }

    /// <summary>(dh, dw).</summary>
    public Size2 Dilation { get; }

    /// <summary>Channel groups.</summary>
    public int Groups { get; }

    /// <summary>[in, out/groups, kh, kw] weight.</summary>
    public Parameter Weight { get; }

    /// <summary>[out] bias, or null.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) =>
        F.ConvTranspose2d(input, Weight, Bias, Stride, Padding, OutputPadding, Groups, Dilation);
}
