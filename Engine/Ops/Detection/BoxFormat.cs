namespace Scratch;

/// <summary>How the four numbers of a box are laid out (torchvision's <c>box_convert</c> formats).</summary>
public enum BoxFormat
{
    /// <summary>(x1, y1, x2, y2): top-left and bottom-right corners.</summary>
    Xyxy,

    /// <summary>(x1, y1, w, h): top-left corner, width and height.</summary>
    Xywh,

    /// <summary>(cx, cy, w, h): centre, width and height.</summary>
    Cxcywh,
}
