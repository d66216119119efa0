namespace Scratch;

/// <summary>A (height, width) pair for 2-D op arguments (kernel size, stride, padding, dilation, output size).
/// Converts implicitly from one int (both sides) or from an (h, w) tuple, as PyTorch's int-or-tuple
/// arguments.</summary>
/// <param name="H">The height component.</param>
/// <param name="W">The width component.</param>
public readonly record struct Size2(int H, int W)
{
    /// <summary>(v, v).</summary>
    public static implicit operator Size2(int v) => new(v, v);

    /// <summary>(h, w).</summary>
    public static implicit operator Size2((int H, int W) t) => new(t.H, t.W);

    /// <summary>"(h, w)".</summary>
    public override string ToString() => $"({H}, {W})";

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming <paramref name="op"/> and
    /// <paramref name="arg"/> unless both components are at least <paramref name="min"/>.</summary>
    internal Size2 AtLeast(int min, string op, string arg)
    {
        if (H < min || W < min)
            throw new ArgumentOutOfRangeException(arg, this,
                $"{op}: {arg} expected both components >= {min}, got {this}.");
        return this;
    }
}
