namespace Scratch.Tests.Oracle;

public static partial class OracleOps
{
    private static void ReduceAndShape(Dictionary<string, OpFn> t)
    {
        t["sum"] = (x, a) => One(F.Sum(x[0], a.IntsOrNull("dims"), a.Bool("keepdim")));
        t["mean"] = (x, a) => One(F.Mean(x[0], a.IntsOrNull("dims"), a.Bool("keepdim")));
        t["amax"] = (x, a) => One(F.Amax(x[0], a.IntsOrNull("dims"), a.Bool("keepdim")));
        t["amin"] = (x, a) => One(F.Amin(x[0], a.IntsOrNull("dims"), a.Bool("keepdim")));
        t["logsumexp"] = (x, a) => One(F.LogSumExp(x[0], a.IntsOrNull("dims"), a.Bool("keepdim")));
        t["prod"] = (x, a) => One(F.Prod(x[0], a.IntsOrNull("dims"), a.Bool("keepdim")));
        t["max_dim"] = (x, a) => F.Max(x[0], a.Int("dim"), a.Bool("keepdim")) is var (v, i) ? [v, i] : [];
        t["min_dim"] = (x, a) => F.Min(x[0], a.Int("dim"), a.Bool("keepdim")) is var (v, i) ? [v, i] : [];
        t["max_all"] = (x, _) => One(F.Max(x[0]));
        t["min_all"] = (x, _) => One(F.Min(x[0]));
        t["argmax"] = (x, a) => One(F.Argmax(x[0], a.Has("dim") ? a.Int("dim") : null, a.Bool("keepdim")));
        t["argmin"] = (x, a) => One(F.Argmin(x[0], a.Has("dim") ? a.Int("dim") : null, a.Bool("keepdim")));
        t["norm"] = (x, a) => One(F.Norm(x[0], a.Double("p"), a.IntsOrNull("dims"), a.Bool("keepdim")));
        t["var"] = (x, a) => One(F.Var(x[0], a.IntsOrNull("dims"), a.Int("correction", 1), a.Bool("keepdim")));
        t["std"] = (x, a) => One(F.Std(x[0], a.IntsOrNull("dims"), a.Int("correction", 1), a.Bool("keepdim")));
        t["var_mean"] = (x, a) =>
            F.VarMean(x[0], a.IntsOrNull("dims"), a.Int("correction", 1), a.Bool("keepdim")) is var (v, m) ? [v, m] : [];
        t["cumsum"] = (x, a) => One(F.Cumsum(x[0], a.Int("dim")));
        t["cumprod"] = (x, a) => One(F.Cumprod(x[0], a.Int("dim")));
        t["softmax"] = (x, a) => One(F.Softmax(x[0], a.Int("dim")));
        t["log_softmax"] = (x, a) => One(F.LogSoftmax(x[0], a.Int("dim")));
        t["kthvalue"] = (x, a) => F.KthValue(x[0], a.Int("k"), a.Int("dim"), a.Bool("keepdim")) is var (v, i) ? [v, i] : [];

        t["reshape"] = (x, a) => One(x[0].Reshape(a.Ints("shape")));
        t["permute"] = (x, a) => One(x[0].Permute(a.Ints("dims")));
        t["transpose"] = (x, a) => One(x[0].Transpose(a.Int("dim0"), a.Int("dim1")));
        t["permute_reshape"] = (x, a) => One(x[0].Permute(a.Ints("dims")).Reshape(a.Ints("shape")));
        t["expand"] = (x, a) => One(x[0].Expand(a.Ints("shape")));
        t["cat"] = (x, a) => One(F.Cat(x, a.Int("dim")));
        t["stack"] = (x, a) => One(F.Stack(x, a.Int("dim")));
        t["split"] = (x, a) => F.Split(x[0], a.Ints("sizes"), a.Int("dim"));
        t["split_size"] = (x, a) => F.Split(x[0], a.Int("size"), a.Int("dim"));
        t["chunk"] = (x, a) => F.Chunk(x[0], a.Int("chunks"), a.Int("dim"));
        t["unbind"] = (x, a) => F.Unbind(x[0], a.Int("dim"));
        t["narrow"] = (x, a) => One(F.Narrow(x[0], a.Int("dim"), a.Int("start"), a.Int("length")));
        t["slice"] = (x, a) => One(F.Slice(x[0], a.Int("dim"), a.Has("start") ? a.Int("start") : null,
            a.Has("end") ? a.Int("end") : null, a.Int("step", 1)));
        t["select"] = (x, a) => One(F.Select(x[0], a.Int("dim"), a.Int("index")));
        t["flip"] = (x, a) => One(F.Flip(x[0], a.Ints("dims")));
        t["squeeze"] = (x, a) => One(x[0].Squeeze(a.Has("dim") ? a.Int("dim") : null));
        t["unsqueeze"] = (x, a) => One(x[0].Unsqueeze(a.Int("dim")));
        t["flatten"] = (x, a) => One(x[0].Flatten(a.Int("start"), a.Int("end")));
        t["repeat"] = (x, a) => One(F.Repeat(x[0], a.Ints("repeats")));
        t["contiguous"] = (x, _) => One(x[0].Transpose(0, 1).Contiguous());
        t["pad"] = (x, a) => One(F.Pad(x[0], a.Ints("pads"), a.Str("mode") switch
        {
            "reflect" => PadMode.Reflect,
            "replicate" => PadMode.Replicate,
            _ => PadMode.Constant,
        }, a.Double("value", 0)));
    }
}
