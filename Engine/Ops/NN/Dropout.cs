namespace Scratch;

public static partial class F
{
    /// <summary>Inverted dropout: when <paramref name="training"/>, each element is kept with probability 1 − p and
    /// scaled by 1/(1 − p), otherwise zeroed; the mask is drawn from <paramref name="generator"/>
    /// (<see cref="Generator.Default"/> when null), one uniform per element in row-major order (kept when u ≥ p).
    /// p = 0 or eval returns x itself; p = 1 gives zeros. Gradient: g·mask.</summary>
    public static Tensor Dropout(Tensor x, double p = 0.5, bool training = true, Generator? generator = null)
    {
        if (p < 0 || p > 1 || double.IsNaN(p))
            throw new ArgumentOutOfRangeException(nameof(p), p,
                $"Dropout: p expected a probability in [0, 1], got {p}.");
        RequireFloating(x, "Dropout");
        if (!training || p == 0) return x;
        var g = generator ?? Generator.Default;
        var mask = new double[x.Numel];
        var scale = p == 1 ? 0 : 1 / (1 - p);
        for (var i = 0; i < mask.Length; i++) mask[i] = g.NextDouble() >= p ? scale : 0;
        return x * Tensor.FromDoubles(mask, x.Shape, x.DType, x.Device);
    }
}
