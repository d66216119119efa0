using Scratch.Autograd;
using Scratch.Models.Fcos;
using Xunit;
using Xunit.Abstractions;

namespace Scratch.Tests.Models.Fcos;

public class FcosTrainingTests(ITestOutputHelper output)
{
    [Fact]
    [Trait("Category", "Long")]
    public void A_tiny_fcos_learns_to_find_bright_squares()
    {
        var options = new FcosOptions(1, "resnet18", FpnChannels: 32, NumConvs: 2, GroupNormGroups: 8, FreezeAt: 0);
        var m = new FcosDetector(options, new Generator(0));
        var batch = FcosDetectorTests.Squares([(8, 8, 20), (36, 30, 22)], [(20, 24, 24)]);
        var opt = new Scratch.Optim.Adam(m.Parameters().Where(p => p.RequiresGrad), lr: 1e-3);
        var first = 0.0;
        var last = 0.0;
        for (var it = 0; it < 80; it++)
        {
            opt.ZeroGrad();
            var losses = m.Losses(batch);
            var total = losses.Values.Aggregate((a, b) => a + b);
            total.Backward();
            opt.Step();
            if (it == 0) first = total.Item();
            last = total.Item();
            if (it % 10 == 0)
                output.WriteLine($"{it}: {string.Join(", ", losses.Select(kv => $"{kv.Key} {kv.Value.Item():F4}"))}");
        }
        output.WriteLine($"loss {first:F4} -> {last:F4}");
        Assert.True(last < 0.5 * first, $"loss went from {first} to {last}");
        m.Eval();
        using var _ = GradMode.Disable();
        var dets = m.Detect(batch);
        for (var n = 0; n < batch.Count; n++)
        {
            var gt = batch.Boxes[n];
            var d = dets[n];
            output.WriteLine($"image {n}: {d.Count} detections, top scores {string.Join(", ", d.Scores.ToDoubleArray().Take(4).Select(s => s.ToString("F3")))}");
            Assert.True(d.Count >= gt.Shape[0]);
            // Each square is found: some detection among the top K (K = number of squares) overlaps it by IoU > 0.5.
            var top = d.Boxes.Narrow(0, 0, (int)gt.Shape[0]);
            var iou = F.BoxIou(gt, top).Amax(1).ToDoubleArray();
            output.WriteLine($"image {n}: best IoU per square {string.Join(", ", iou.Select(v => v.ToString("F3")))}");
            Assert.All(iou, v => Assert.True(v > 0.5, $"IoU {v}"));
        }
    }
}
