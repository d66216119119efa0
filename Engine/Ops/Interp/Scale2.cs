namespace Scratch;

/// <summary>A (height, width) pair of positive scale factors; converts from one double or an (h, w) tuple.</summary>
/// <param name="H">Height factor.</param>
/// <param name="W">Width factor.</param>
public readonly record struct Scale2(double H, double W)
{
    /// <summary>(v, v).</summary>
    public static implicit operator Scale2(double v) => new(v, v);

    /// <summary>(h, w).</summary>
    public static implicit operator Scale2((double H, double W) t) => new(t.H, t.W);

    /// <summary>"(h, w)".</summary>
    public override string ToString() => $"({H}, {W})";
}
