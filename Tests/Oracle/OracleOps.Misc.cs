namespace Scratch.Tests.Oracle;

public static partial class OracleOps
{
    private static (double, double, double, double) Weights(OracleArgs a) =>
        a.Doubles("weights") is [var x, var y, var w, var h] ? (x, y, w, h) : throw new ArgumentException("weights");

    private static IouLossKind Kind(string name) => name switch
    {
        "linear_iou" => IouLossKind.LinearIou,
        "giou" => IouLossKind.Giou,
        _ => IouLossKind.Iou,
    };

    private static void BoxCoderInPlaceConvert(Dictionary<string, OpFn> t)
    {
        t["encode_box_deltas"] = (x, a) => One(F.EncodeBoxDeltas(x[0], x[1], Weights(a)));
        t["decode_box_deltas"] = (x, a) => One(F.DecodeBoxDeltas(x[0], x[1], Weights(a)));
        t["encode_ltrb"] = (x, a) => One(F.EncodeLtrb(x[0], x[1], a.Double("stride")));
        t["decode_ltrb"] = (x, a) => One(F.DecodeLtrb(x[0], x[1], a.Double("stride")));
        t["encode_border_deltas"] = (x, a) => One(F.EncodeBorderDeltas(x[0], x[1], a.Double("std")));
        t["decode_border_deltas"] = (x, a) => One(F.DecodeBorderDeltas(x[0], x[1], a.Double("std")));
        t["iou_loss"] = (x, a) => One(F.IouLoss(x[0], x[1], Kind(a.Str("kind")), a.Bool("ltrb"), At(x, 2),
            a.Has("reduction") ? a.Reduction : Reduction.None, a.Bool("smooth")));
        t["cell_anchors"] = (_, a) => One(F.CellAnchors(a.Doubles("sizes"), a.Doubles("ratios"), device: _device));
        t["grid_anchors"] = (x, a) => One(F.GridAnchors(a.Int("height"), a.Int("width"), a.Double("stride"), x[0],
            a.Double("offset")));
        t["grid_points"] = (_, a) => One(F.GridPoints(a.Int("height"), a.Int("width"), a.Double("stride"),
            a.Double("offset"), device: _device));

        t["add_"] = (x, _) => One(x[0].Clone().Add_(x[1]));
        t["sub_"] = (x, _) => One(x[0].Clone().Sub_(x[1]));
        t["mul_"] = (x, _) => One(x[0].Clone().Mul_(x[1]));
        t["div_"] = (x, _) => One(x[0].Clone().Div_(x[1]));
        t["add_scalar_"] = (x, a) => One(x[0].Clone().Add_(a.Double("value")));
        t["mul_scalar_"] = (x, a) => One(x[0].Clone().Mul_(a.Double("value")));
        t["relu_"] = (x, _) => One(x[0].Clone().Relu_());
        t["clamp_"] = (x, a) => One(x[0].Clone().Clamp_(a.Double("min"), a.Double("max")));
        t["copy_"] = (x, _) => One(x[0].Clone().Copy_(x[1]));
        t["fill_"] = (x, a) => One(x[0].Clone().Fill_(a.Double("value")));
        t["zero_slice_"] = (x, _) =>
        {
            var y = x[0].Clone();
            y.Select(1, 1).Zero_();
            return One(y);
        };
        t["scatter_"] = (x, a) => One(x[0].Clone().Scatter_(a.Int("dim"), x[1], x[2]));
        t["scatter_add_"] = (x, a) => One(x[0].Clone().ScatterAdd_(a.Int("dim"), x[1], x[2]));
        t["index_add_"] = (x, a) => One(x[0].Clone().IndexAdd_(a.Int("dim"), x[1], x[2], a.Double("alpha")));

        t["to"] = (x, a) => One(x[0].To(a.Str("dtype") switch
        {
            "F64" => DType.F64,
            "F32" => DType.F32,
            "I64" => DType.I64,
            "I32" => DType.I32,
            "U8" => DType.U8,
            _ => DType.Bool,
        }));
    }
}
