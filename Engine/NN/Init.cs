namespace Scratch.NN;

/// <summary>Weight initialisers, all drawing from an explicit <see cref="Generator"/> and filling in place under
/// no-grad (PyTorch's <c>torch.nn.init</c>).</summary>
/// <remarks>fan_in = size(1)·receptive field, fan_out = size(0)·receptive field, receptive field = product of dims
/// from 2 on. Gains: linear/identity 1, relu √2, leaky_relu √(2/(1+a²)), tanh 5/3.</remarks>
public static class Init
{
    /// <summary>(fan_in, fan_out) of a weight tensor of rank ≥ 2.</summary>
    public static (int FanIn, int FanOut) Fans(Tensor w)
    {
        if (w.Rank < 2) throw new ShapeMismatchException("Init.Fans", "tensor", "at least 2 dims", w.Shape.ToString());
        var receptive = 1;
        for (var i = 2; i < w.Rank; i++) receptive *= w.Size(i);
        return (w.Size(1) * receptive, w.Size(0) * receptive);
    }

    /// <summary>The recommended gain for a nonlinearity ("linear", "relu", "leaky_relu", "tanh", "sigmoid").</summary>
    public static double Gain(string nonlinearity, double param = 0.01) => nonlinearity switch
    {
        "linear" or "identity" or "conv2d" or "sigmoid" => 1,
        "relu" => Math.Sqrt(2),
        "leaky_relu" => Math.Sqrt(2 / (1 + param * param)),
        "tanh" => 5.0 / 3,
        _ => throw new ArgumentException($"Init.Gain: unknown nonlinearity '{nonlinearity}'.", nameof(nonlinearity)),
    };

    /// <summary>U(a, b) in place.</summary>
    public static Tensor Uniform_(Tensor t, double a, double b, Generator? g = null) =>
        Fill(t, Tensor.Rand(t.Shape, g, t.DType) * (b - a) + a);

    /// <summary>N(mean, std²) in place.</summary>
    public static Tensor Normal_(Tensor t, double mean = 0, double std = 1, Generator? g = null) =>
        Fill(t, Tensor.Randn(t.Shape, g, t.DType) * std + mean);

    /// <summary>Constant in place.</summary>
    public static Tensor Constant_(Tensor t, double value) => Fill(t, Tensor.Full(t.Shape, value, t.DType));

    /// <summary>Kaiming (He) uniform: U(−b, b), b = gain·√(3/fan), fan = fan_in (mode "fan_in") or fan_out.</summary>
    public static Tensor KaimingUniform_(Tensor t, double a = 0, string mode = "fan_in", string nonlinearity = "leaky_relu", Generator? g = null)
    {
        var std = Gain(nonlinearity, a) / Math.Sqrt(Fan(t, mode));
        var bound = Math.Sqrt(3) * std;
        return Uniform_(t, -bound, bound, g);
    }

    /// <summary>Kaiming (He) normal: N(0, (gain/√fan)²).</summary>
    public static Tensor KaimingNormal_(Tensor t, double a = 0, string mode = "fan_in", string nonlinearity = "leaky_relu", Generator? g = null) =>
        Normal_(t, 0, Gain(nonlinearity, a) / Math.Sqrt(Fan(t, mode)), g);

    /// <summary>Xavier (Glorot) uniform: U(−b, b), b = gain·√(6/(fan_in+fan_out)).</summary>
    public static Tensor XavierUniform_(Tensor t, double gain = 1, Generator? g = null)
    {
        var (fi, fo) = Fans(t);
        var bound = gain * Math.Sqrt(6.0 / (fi + fo));
        return Uniform_(t, -bound, bound, g);
    }

    /// <summary>Xavier (Glorot) normal: N(0, gain²·2/(fan_in+fan_out)).</summary>
    public static Tensor XavierNormal_(Tensor t, double gain = 1, Generator? g = null)
    {
        var (fi, fo) = Fans(t);
        return Normal_(t, 0, gain * Math.Sqrt(2.0 / (fi + fo)), g);
    }

    private static int Fan(Tensor t, string mode)
    {
        var (fi, fo) = Fans(t);
        return mode switch
        {
            "fan_in" => fi,
            "fan_out" => fo,
            _ => throw new ArgumentException($"Init: mode expected 'fan_in' or 'fan_out', got '{mode}'.", nameof(mode)),
        };
    }

    private static Tensor Fill(Tensor t, Tensor values)
    {
        using var _ = Autograd.GradMode.Disable();
        return t.Copy_(values.To(t.Device));
    }
}
