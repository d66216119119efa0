namespace Scratch.NN;

/// <summary>2-D convolution layer (PyTorch's <c>nn.Conv2d</c>); keys <c>weight</c> [out, in/groups, kh, kw] and
/// <c>bias</c> [out].</summary>
/// <remarks>Initialised as PyTorch does: W ~ kaiming_uniform(a=√5) = U(−1/√fan_in, 1/√fan_in) and
/// b ~ U(−1/√fan_in, 1/√fan_in) with fan_in = in/groups·kh·kw. See <see cref="F.Conv2d"/> for the math.</remarks>
public sealed class Conv2d : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer with weights drawn from <paramref name="generator"/>.</summary>
    public Conv2d(int inChannels, int outChannels, Size2 kernelSize, Size2? stride = null, Size2? padding = null,
        Size2? dilation = null, int groups = 1, bool bias = true, Generator? generator = null)
    {
        ConvLayer.Check("Conv2d", inChannels, outChannels, kernelSize, groups);
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = (stride ?? 1).AtLeast(1, "Conv2d", "stride");
        Padding = (padding ?? 0).AtLeast(0, "Conv2d", "padding");
        Dilation = (dilation ?? 1).AtLeast(1, "Conv2d", "dilation");
        Groups = groups;
        Weight = Param("weight", Tensor.Empty(new Shape(outChannels, inChannels / groups, kernelSize.H, kernelSize.W)));
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

    /// <summary>(dh, dw).</summary>
    public Size2 Dilation { get; }

    /// <summary>Channel groups.</summary>
    public int Groups { get; }

    /// <summary>[out, in/groups, kh, kw] weight.</summary>
    public Parameter Weight { get; }

    /// <summary>[out] bias, or null.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Conv2d(input, Weight, Bias, Stride, Padding, Dilation, Groups);
}
