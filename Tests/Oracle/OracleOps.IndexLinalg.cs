namespace Scratch.Tests.Oracle;

public static partial class OracleOps
{
    private static void IndexAndLinalg(Dictionary<string, OpFn> t)
    {
        t["gather"] = (x, a) => One(F.Gather(x[0], a.Int("dim"), x[1]));
        t["index_select"] = (x, a) => One(F.IndexSelect(x[0], a.Int("dim"), x[1]));
        t["scatter"] = (x, a) => One(F.Scatter(x[0], a.Int("dim"), x[1], x[2]));
        t["scatter_value"] = (x, a) => One(F.Scatter(x[0], a.Int("dim"), x[1], a.Double("value")));
        t["scatter_add"] = (x, a) => One(F.ScatterAdd(x[0], a.Int("dim"), x[1], x[2]));
        t["index_add"] = (x, a) => One(F.IndexAdd(x[0], a.Int("dim"), x[1], x[2], a.Double("alpha", 1)));
        t["masked_select"] = (x, _) => One(F.MaskedSelect(x[0], x[1]));
        t["nonzero"] = (x, _) => One(F.Nonzero(x[0]));
        t["sort"] = (x, a) => F.Sort(x[0], a.Int("dim"), a.Bool("descending")) is var (v, i) ? [v, i] : [];
        t["argsort"] = (x, a) => One(F.Argsort(x[0], a.Int("dim"), a.Bool("descending")));
        t["topk"] = (x, a) => F.TopK(x[0], a.Int("k"), a.Int("dim"), a.Bool("largest", true)) is var (v, i) ? [v, i] : [];

        t["indexer_tensor0"] = (x, _) => One(x[0][x[1]]);
        t["indexer_tensor1"] = (x, _) => One(x[0][TensorIndex.All, x[1]]);
        t["indexer_mask"] = (x, _) => One(x[0][x[1]]);
        t["indexer_mixed"] = (x, _) => One(x[0][1..3, TensorIndex.NewAxis, TensorIndex.Ellipsis, -1]);
        t["indexer_step"] = (x, _) => One(x[0][TensorIndex.Slice(step: 2), 1, TensorIndex.Slice(1, 5, 3)]);

        t["matmul"] = (x, _) => One(F.Matmul(x[0], x[1]));
        t["linear"] = (x, _) => One(F.Linear(x[0], x[1], x.Length > 2 ? x[2] : null));
    }
}
