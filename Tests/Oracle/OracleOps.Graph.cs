namespace Scratch.Tests.Oracle;

public static partial class OracleOps
{
    /// <summary>The "graph" family: each entry mirrors the Python lambda of the same case in make_fixtures.py.</summary>
    private static void Graphs(Dictionary<string, OpFn> t)
    {
        t["graph_x_times_x"] = (x, _) => One(x[0] * x[0]);
        t["graph_x_plus_xT"] = (x, _) => One(x[0] + x[0].T);
        t["graph_x_matmul_xT"] = (x, _) => One(F.Matmul(x[0], x[0].T));
        t["graph_softmax_times_x"] = (x, _) => One(F.Softmax(x[0], 1) * x[0]);
        t["graph_cat_x_x"] = (x, _) => One(F.Cat([x[0], x[0] * Scalar(2, x[0])], 0));
        t["graph_slices_of_x"] = (x, _) => One(F.Slice(x[0], 1, null, 3) * F.Slice(x[0], 1, 2));
        t["graph_shared_subgraph"] = (x, _) =>
        {
            var h = F.Tanh(F.Matmul(x[0], x[1]));
            return [F.Sum(h, [1]), F.Mean(h * h, [0])];
        };
        t["graph_detached_branch"] = (x, _) => One(x[0] * F.Exp(x[0].Detach()));
        t["graph_mlp"] = (x, _) => One(F.LogSoftmax(F.Linear(F.Gelu(F.Linear(x[0], x[1], x[2])), x[3], x[4]), 1));
        t["graph_attention"] = (x, _) =>
            One(F.Matmul(F.Softmax(F.Matmul(x[0], x[1].Transpose(-2, -1)) / Scalar(2, x[0]), -1), x[2]));
        t["graph_where_both_branches"] = (x, _) => One(F.Where(F.Gt(x[0], 0), F.Sqrt(x[0]), x[0] * x[0]));
    }

    private static Tensor Scalar(double v, Tensor like) => Tensor.Scalar(v, like.DType, like.Device);
}
