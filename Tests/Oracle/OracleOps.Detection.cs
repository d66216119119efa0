namespace Scratch.Tests.Oracle;

public static partial class OracleOps
{
    private static BoxFormat Format(string name) => name switch
    {
        "xywh" => BoxFormat.Xywh,
        "cxcywh" => BoxFormat.Cxcywh,
        _ => BoxFormat.Xyxy,
    };

    private static void Detection(Dictionary<string, OpFn> t)
    {
        t["roi_align"] = (x, a) => One(F.RoIAlign(x[0], x[1], a.Pair("output_size"), a.Double("spatial_scale"),
            a.Int("sampling_ratio"), a.Bool("aligned")));
        t["ps_roi_align"] = (x, a) => One(F.PSRoIAlign(x[0], x[1], a.Pair("output_size"), a.Double("spatial_scale"),
            a.Int("sampling_ratio")));
        t["ps_roi_align_max"] = (x, a) => One(F.PSRoIAlignMax(x[0], x[1], a.Pair("output_size"),
            a.Double("spatial_scale"), a.Int("sampling_ratio"), a.Bool("aligned")));
        t["border_align"] = (x, a) => One(F.BorderAlign(x[0], x[1], a.Int("pool_size")));
        t["rotated_iou"] = (x, _) => One(F.RotatedBoxIou(x[0], x[1]));
        t["rotated_nms"] = (x, a) => One(F.RotatedNms(x[0], x[1], a.Double("iou_threshold")));
        t["ohem_topk"] = (x, a) => One(F.OhemTopK(x[0], a.Int("k")));
        t["nms"] = (x, a) => One(F.Nms(x[0], x[1], a.Double("iou_threshold")));
        t["batched_nms"] = (x, a) => One(F.BatchedNms(x[0], x[1], x[2], a.Double("iou_threshold")));
        t["box_iou"] = (x, _) => One(F.BoxIou(x[0], x[1]));
        t["generalized_box_iou"] = (x, _) => One(F.GeneralizedBoxIou(x[0], x[1]));
        t["box_area"] = (x, _) => One(F.BoxArea(x[0]));
        t["box_convert"] = (x, a) => One(F.BoxConvert(x[0], Format(a.Str("from")), Format(a.Str("to"))));
        t["clip_boxes"] = (x, a) => One(F.ClipBoxesToImage(x[0], a.Int("height"), a.Int("width")));
        t["remove_small_boxes"] = (x, a) => One(F.RemoveSmallBoxes(x[0], a.Double("min_size")));
        t["soft_nms"] = (x, a) => F.SoftNms(x[0], x[1], a.Double("iou_threshold"), a.Double("sigma"),
            a.Double("score_threshold"), a.Str("method") switch
            {
                "gaussian" => SoftNmsMethod.Gaussian,
                "hard" => SoftNmsMethod.Hard,
                _ => SoftNmsMethod.Linear,
            }) is var (k, s) ? [k, s] : [];
        t["sigmoid_focal_loss"] = (x, a) =>
            One(F.SigmoidFocalLoss(x[0], x[1], a.Double("alpha"), a.Double("gamma"), a.Reduction));
    }
}
