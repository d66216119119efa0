namespace Scratch;

/// <summary>One entry of a PyTorch-style index expression <c>x[i, 1..^1, TensorIndex.Ellipsis, ...]</c>: an integer
/// (selects and removes a dim; negative counts from the end), a slice (<see cref="System.Range"/> or
/// <see cref="Slice"/>), <see cref="Ellipsis"/> (as many full slices as needed), <see cref="NewAxis"/> (inserts a
/// size-1 dim), or an int64 index / Bool mask tensor (advanced indexing, see <see cref="Tensor.this[TensorIndex[]]"/>).
/// </summary>
public readonly struct TensorIndex
{
    private TensorIndex(
        TensorIndexKind kind, int value = 0, int? start = null, int? end = null, int step = 1, Tensor? tensor = null)
    {
        Kind = kind;
        Value = value;
        Start = start;
        End = end;
        Step = step;
        Tensor = tensor;
    }

    /// <summary>What this entry does.</summary>
    public TensorIndexKind Kind { get; }

    /// <summary>The integer of an <see cref="TensorIndexKind.Int"/> entry.</summary>
    public int Value { get; }

    /// <summary>Slice start (null = from the beginning; negative counts from the end).</summary>
    public int? Start { get; }

    /// <summary>Slice end, exclusive (null = to the end; negative counts from the end).</summary>
    public int? End { get; }

    /// <summary>Slice step (≥ 1).</summary>
    public int Step { get; }

    /// <summary>The index or mask tensor of a <see cref="TensorIndexKind.Tensor"/> entry.</summary>
    public Tensor? Tensor { get; }

    /// <summary><c>...</c>: expands to full slices over the dims not named by the other entries (at most
    /// one).</summary>
    public static TensorIndex Ellipsis => new(TensorIndexKind.Ellipsis);

    /// <summary><c>None</c>: inserts a new dim of size 1.</summary>
    public static TensorIndex NewAxis => new(TensorIndexKind.NewAxis);

    /// <summary><c>:</c> — the whole dim.</summary>
    public static TensorIndex All => new(TensorIndexKind.Slice);

    /// <summary>Python's <c>start:end:step</c> (clamped like Python slicing; step ≥ 1).</summary>
    public static TensorIndex Slice(int? start = null, int? end = null, int step = 1)
    {
        if (step < 1)
            throw new ArgumentOutOfRangeException(
                nameof(step), step, $"TensorIndex.Slice: step must be >= 1, got {step}.");
        return new(TensorIndexKind.Slice, start: start, end: end, step: step);
    }

    /// <summary>A single position (negative counts from the end).</summary>
    public static implicit operator TensorIndex(int index) => new(TensorIndexKind.Int, index);

    /// <summary>A C# index: <c>^1</c> is Python's <c>-1</c> (<c>^0</c> is always out of range and throws).</summary>
    public static implicit operator TensorIndex(Index index)
    {
        if (index.IsFromEnd && index.Value == 0)
            throw new ArgumentOutOfRangeException(
                nameof(index), "^0", "TensorIndex: index ^0 is past the end; valid from-end indices are ^1 .. ^size.");
        return new(TensorIndexKind.Int, index.IsFromEnd ? -index.Value : index.Value);
    }

    /// <summary>A C# range as a slice: <c>1..^1</c> is Python's <c>1:-1</c>, <c>..</c> is <c>:</c>.</summary>
    public static implicit operator TensorIndex(Range range)
    {
        static int? Bound(Index i, bool isEnd) => i.IsFromEnd
            ? i.Value == 0 ? isEnd ? null : int.MaxValue : -i.Value
            : i.Value;
        return new(TensorIndexKind.Slice, start: Bound(range.Start, false), end: Bound(range.End, true));
    }

    /// <summary>An int64 index tensor or a Bool mask (advanced indexing).</summary>
    public static implicit operator TensorIndex(Tensor tensor) => new(TensorIndexKind.Tensor, tensor: tensor);

    /// <summary>A readable form (<c>1</c>, <c>1:-1:2</c>, <c>...</c>, <c>None</c>, <c>tensor[2]</c>).</summary>
    public override string ToString() => Kind switch
    {
        TensorIndexKind.Int => Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        TensorIndexKind.Slice => $"{Start}:{End}" + (Step != 1 ? $":{Step}" : ""),
        TensorIndexKind.Ellipsis => "...",
        TensorIndexKind.NewAxis => "None",
        _ => $"tensor{Tensor!.Shape}",
    };
}
