namespace Scratch.NN;

/// <summary>Shared constructor checks and PyTorch initialisation of the conv layers.</summary>
internal static class ConvLayer
{
    public static void Check(string layer, int inChannels, int outChannels, Size2 kernelSize, int groups)
    {
        if (inChannels <= 0) throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels,
            $"{layer}: inChannels expected > 0, got {inChannels}.");
        if (outChannels <= 0) throw new ArgumentOutOfRangeException(nameof(outChannels), outChannels,
            $"{layer}: outChannels expected > 0, got {outChannels}.");
        kernelSize.AtLeast(1, layer, "kernelSize");
        if (groups <= 0) throw new ArgumentOutOfRangeException(nameof(groups), groups,
            $"{layer}: groups expected > 0, got {groups}.");
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"{layer}: groups expected to divide inChannels {inChannels} and outChannels {outChannels}, got {groups}.", nameof(groups));
    }

    /// <summary>kaiming_uniform(a=√5) on the weight and U(±1/√fan_in) on the bias (registered or marked
    /// absent).</summary>
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
