namespace Scratch;

/// <summary>The kinds of <see cref="TensorIndex"/> entries.</summary>
public enum TensorIndexKind
{
    /// <summary>A single position; removes the dim.</summary>
    Int,

    /// <summary>A strided range; keeps the dim.</summary>
    Slice,

    /// <summary>Full slices over the remaining dims.</summary>
    Ellipsis,

    /// <summary>A new size-1 dim.</summary>
    NewAxis,

    /// <summary>An int64 index tensor or Bool mask.</summary>
    Tensor,
}
