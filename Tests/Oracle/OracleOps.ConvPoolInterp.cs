namespace Scratch.Tests.Oracle;

public static partial class OracleOps
{
    private static Size2 S(OracleArgs a, string key) => a.Pair(key);

    private static void ConvPoolInterp(Dictionary<string, OpFn> t)
    {
        t["conv2d"] = (x, a) => One(F.Conv2d(x[0], x[1], x.Length > 2 ? x[2] : null, S(a, "stride"),
            S(a, "padding"), S(a, "dilation"), a.Int("groups")));
        t["conv_transpose2d"] = (x, a) => One(F.ConvTranspose2d(x[0], x[1], x.Length > 2 ? x[2] : null,
            S(a, "stride"), S(a, "padding"), S(a, "output_padding"), a.Int("groups"), S(a, "dilation")));

        t["max_pool2d"] = (x, a) => One(F.MaxPool2d(x[0], S(a, "kernel"), S(a, "stride"), S(a, "padding"),
            S(a, "dilation"), a.Bool("ceil_mode")));
        t["max_pool2d_indices"] = (x, a) => F.MaxPool2dWithIndices(x[0], S(a, "kernel"), S(a, "stride"),
            S(a, "padding"), S(a, "dilation"), a.Bool("ceil_mode")) is var (v, i) ? [v, i] : [];
        t["avg_pool2d"] = (x, a) => One(F.AvgPool2d(x[0], S(a, "kernel"), S(a, "stride"), S(a, "padding"),
            a.Bool("ceil_mode"), a.Bool("count_include_pad", true),
            a.Has("divisor_override") ? a.Int("divisor_override") : null));
        t["adaptive_avg_pool2d"] = (x, a) => One(F.AdaptiveAvgPool2d(x[0], S(a, "size")));
        t["adaptive_max_pool2d"] = (x, a) => One(F.AdaptiveMaxPool2d(x[0], S(a, "size")));
        t["adaptive_max_pool2d_indices"] = (x, a) =>
            F.AdaptiveMaxPool2dWithIndices(x[0], S(a, "size")) is var (v, i) ? [v, i] : [];

        t["interpolate"] = (x, a) => One(F.Interpolate(x[0], a.Has("size") ? S(a, "size") : null,
            a.Has("scale") ? (Scale2)a.DoublePair("scale") : null,
            a.Str("mode") == "bilinear" ? InterpolateMode.Bilinear : InterpolateMode.Nearest,
            a.Has("align_corners") ? a.Bool("align_corners") : null));
    }
}
