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

/// <summary>Shared constructor checks and PyTorch initialisation of the conv layers.</summary>
internal static class ConvLayer
{
    public static void Check(string layer, int inChannels, int outChannels, Size2 kernelSize, int groups)
    {
        if (inChannels <= 0) throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels, $"{layer}: inChannels expected > 0, got {inChannels}.");
        if (outChannels <= 0) throw new ArgumentOutOfRangeException(nameof(outChannels), outChannels, $"{layer}: outChannels expected > 0, got {outChannels}.");
        kernelSize.AtLeast(1, layer, "kernelSize");
        if (groups <= 0) throw new ArgumentOutOfRangeException(nameof(groups), groups, $"{layer}: groups expected > 0, got {groups}.");
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"{layer}: groups expected to divide inChannels {inChannels} and outChannels {outChannels}, got {groups}.", nameof(groups));
    }

    /// <summary>kaiming_uniform(a=√5) on the weight and U(±1/√fan_in) on the bias (registered or marked absent).</summary>
    public static Parameter? InitParams(Parameter weight, bool bias, int biasSize, Generator? generator,
        Func<string, Tensor, Parameter> param, Action<string> noParam)
    {
        Init.KaimingUniform_(weight, Math.Sqrt(5), g: generator);
        if (!bias)
        {
            noParam("bias");
            return null;
        }
        var bound = 1 / Math.Sqrt(Init.Fans(weight).FanIn);
        var b = param("bias", Tensor.Empty(new Shape(biasSize)));
        Init.Uniform_(b, -bound, bound, generator);
        return b;
    }
}
