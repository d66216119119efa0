namespace Scratch.Tests.Oracle;

public static partial class OracleOps
{
    private static Tensor? At(Tensor[] x, int i) => x.Length > i ? x[i] : null;

    private static void NormLossNN(Dictionary<string, OpFn> t)
    {
        t["batch_norm"] = (x, a) =>
        {
            var (rm, rv) = (x[1].Detach().Clone(), x[2].Detach().Clone());
            var training = a.Bool("training");
            var y = F.BatchNorm(x[0], rm, rv, At(x, 3), At(x, 4), training, a.Double("momentum"), a.Double("eps"));
            return training ? [y, rm, rv] : [y];
        };
        t["group_norm"] = (x, a) => One(F.GroupNorm(x[0], a.Int("groups"), At(x, 1), At(x, 2), a.Double("eps")));
        t["instance_norm"] = (x, a) =>
            One(F.InstanceNorm(x[0], null, null, At(x, 1), At(x, 2), useInputStats: true, eps: a.Double("eps")));
        t["layer_norm"] = (x, a) =>
            One(F.LayerNorm(x[0], a.Ints("normalized_shape"), At(x, 1), At(x, 2), a.Double("eps")));

        t["mse"] = (x, a) => One(F.MseLoss(x[0], x[1], a.Reduction));
        t["l1"] = (x, a) => One(F.L1Loss(x[0], x[1], a.Reduction));
        t["smooth_l1"] = (x, a) => One(F.SmoothL1Loss(x[0], x[1], a.Reduction, a.Double("beta")));
        t["bce"] = (x, a) => One(F.BinaryCrossEntropy(x[0], x[1], At(x, 2), a.Reduction));
        t["bce_logits"] = (x, a) => One(F.BinaryCrossEntropyWithLogits(x[0], x[1], At(x, 2), At(x, 3), a.Reduction));
        t["cross_entropy"] = (x, a) => One(F.CrossEntropy(x[0], x[1], At(x, 2), a.Int("ignore_index", -100),
            a.Double("label_smoothing", 0), a.Reduction));
        t["nll"] = (x, a) => One(F.NllLoss(x[0], x[1], At(x, 2), a.Int("ignore_index", -100), a.Reduction));

        t["dropout_eval"] = (x, a) => One(F.Dropout(x[0], a.Double("p"), training: false));
        t["dropout_p0"] = (x, a) => One(F.Dropout(x[0], a.Double("p"), training: true));
    }
}
