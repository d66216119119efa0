namespace Scratch;

/// <summary>How <see cref="F.Pad"/> fills the border.</summary>
public enum PadMode
{
    /// <summary>A constant value (negative pads crop).</summary>
    Constant,

    /// <summary>Mirror without repeating the edge: [a b c] padded by 2 on the left gives [c b | a b c].</summary>
    Reflect,

    /// <summary>Repeat the edge element: [a b c] padded by 2 on the left gives [a a | a b c].</summary>
    Replicate,
}
