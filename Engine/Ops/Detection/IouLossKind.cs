namespace Scratch;

/// <summary>Which function of the IoU an <see cref="F.IouLoss"/> returns (cvpods' <c>loss_type</c>).</summary>
public enum IouLossKind
{
    /// <summary>−ln(max(IoU, ε)) (UnitBox, FCOS).</summary>
    Iou,

    /// <summary>1 − IoU.</summary>
    LinearIou,

    /// <summary>1 − GIoU (Rezatofighi et al. 2019; BorderDet, AutoAssign).</summary>
    Giou,
}
