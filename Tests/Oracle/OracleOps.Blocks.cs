namespace Scratch.Tests.Oracle;

public static partial class OracleOps
{
    /// <summary>Batch norm on copies of the running statistics (the fixture keeps its inputs unchanged).</summary>
    private static Tensor Bn(Tensor x, Tensor[] p, int at, bool training) =>
        F.BatchNorm(x, p[at + 2].Detach().Clone(), p[at + 3].Detach().Clone(), p[at], p[at + 1], training);

    private static void Blocks(Dictionary<string, OpFn> t)
    {
        // inputs: x, then per conv: weight, bn weight, bn bias, running mean, running var.
        t["resnet_basic"] = (x, a) =>
        {
            var training = a.Bool("training");
            var y = F.Relu(Bn(F.Conv2d(x[0], x[1], stride: 2, padding: 1), x, 2, training));
            y = Bn(F.Conv2d(y, x[6], padding: 1), x, 7, training);
            var identity = Bn(F.Conv2d(x[0], x[11], stride: 2), x, 12, training);
            return One(F.Relu(y + identity));
        };
        t["resnet_bottleneck"] = (x, _) =>
        {
            var y = F.Relu(Bn(F.Conv2d(x[0], x[1]), x, 2, false));
            y = F.Relu(Bn(F.Conv2d(y, x[6], padding: 1), x, 7, false));
            y = Bn(F.Conv2d(y, x[11]), x, 12, false);
            return One(F.Relu(y + x[0]));
        };
        // inputs: c3, c4, c5, lateral (w, b) for 3, 4, 5, output (w, b) for 3, 4, 5.
        t["fpn"] = (x, _) =>
        {
            var p5 = F.Conv2d(x[2], x[7], x[8]);
            var p4 = F.Conv2d(x[1], x[5], x[6]) + F.Interpolate(p5, size: (x[1].Shape[2], x[1].Shape[3]));
            var p3 = F.Conv2d(x[0], x[3], x[4]) + F.Interpolate(p4, size: (x[0].Shape[2], x[0].Shape[3]));
            return [F.Conv2d(p3, x[9], x[10], padding: 1), F.Conv2d(p4, x[11], x[12], padding: 1),
                F.Conv2d(p5, x[13], x[14], padding: 1)];
        };
        // inputs: x, then twice (conv w, conv b, gn weight, gn bias), then the head conv (w, b).
        t["conv_gn_relu_tower"] = (x, _) =>
        {
            var y = x[0];
            for (var i = 0; i < 2; i++)
                y = F.Relu(F.GroupNorm(F.Conv2d(y, x[1 + 4 * i], x[2 + 4 * i], padding: 1), 4, x[3 + 4 * i], x[4 + 4 * i]));
            return One(F.Conv2d(y, x[9], x[10], padding: 1));
        };
    }
}
