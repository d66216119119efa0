using Scratch.Autograd;
using Scratch.Data;
using Scratch.Models.BorderDet;
using Scratch.Models.Common.Detection;
using Scratch.Models.Fcos;
using Scratch.NN;
using Xunit;

namespace Scratch.Tests.Models.BorderDet;

public class BorderDetDetectorTests
{
    private static BorderDetOptions Tiny(int numClasses = 2) => new(
        new FcosOptions(numClasses, "resnet18", FpnChannels: 16, NumConvs: 1, GroupNormGroups: 4, FreezeAt: 0),
        ClsBorderChannels: 8, RegBorderChannels: 4);

    /// <summary>Dark 64×64 images, each with one bright square of class 0 (random size and place, or
    /// [4, 4, 28, 28]).</summary>
    internal static DetectionBatch Squares(int count, int seed, bool fixedSquare = false)
    {
        var rng = new Random(seed);
        var samples = new List<DetectionSample>();
        for (var n = 0; n < count; n++)
        {
            var img = new float[3 * 64 * 64];
            var boxes = new List<float>();
            var labels = new List<int>();
            void Square(int x, int y, int s, float v, int label)
            {
                for (var c = 0; c < 3; c++)
                    for (var i = y; i < y + s; i++)
                        for (var j = x; j < x + s; j++) img[(c * 64 + i) * 64 + j] = v;
                boxes.AddRange([x, y, x + s, y + s]);
                labels.Add(label);
            }
            var size = fixedSquare ? 24 : rng.Next(18, 30);
            if (fixedSquare) Square(4, 4, size, 1f, 0);
            else Square(rng.Next(0, 64 - size), rng.Next(0, 64 - size), size, 1f, 0);
            samples.Add(new DetectionSample(img, 3, 64, 64, [.. boxes], [.. labels]));
        }
        return DetectionBatch.Collate(samples);
    }

    [Fact]
    public void Keys_follow_cvpods_and_the_zoo_builds_it()
    {
        var det = new BorderDetDetector(Tiny(), new Generator(0));
        var headKeys = det.StateDict().Keys.Where(k => k.StartsWith("head.", StringComparison.Ordinal))
            .Select(k => k.Split('.')[1]).Distinct().ToArray();
        Assert.Equal(["cls_subnet", "bbox_subnet", "cls_score", "bbox_pred", "centerness", "scales",
            "border_cls_subnet", "border_bbox_subnet", "border_cls_score", "border_bbox_pred"], headKeys);
        Assert.Contains("head.border_cls_subnet.ltrb_conv.0.weight", det.StateDict().Keys);
        Assert.Contains(det.StateDict().Keys, k => k.StartsWith("backbone.", StringComparison.Ordinal));
        Assert.Contains("borderdet", DetectorZoo.Names);
        var fromZoo = DetectorZoo.Create("borderdet", new DetectorSpec(3, "resnet18"));
        Assert.IsType<BorderDetDetector>(fromZoo);
        Assert.Equal(3, fromZoo.NumClasses);
        Assert.Equal(256, ((BorderDetDetector)fromZoo).Head.Border.ClsSubnet.BorderChannels);
    }

    [Fact]
    public void Forward_shapes_and_loss_keys()
    {
        var det = new BorderDetDetector(Tiny(), new Generator(1));
        var batch = Squares(2, 1);
        var fwd = det.RunBorderNetwork(batch.Images);
        Assert.Equal(5, fwd.BorderLogits.Count);
        Assert.Equal(new Shape(2, 2, 8, 8), fwd.BorderLogits[0].Shape);
        Assert.Equal(new Shape(2, 4, 8, 8), fwd.BorderDeltas[0].Shape);
        Assert.Equal(new Shape(2, 64, 4), fwd.CoarseBoxes[0].Shape);
        var losses = det.Losses(batch);
        Assert.Equal(["loss_border_cls", "loss_border_reg", "loss_box_reg", "loss_centerness", "loss_cls"],
            losses.Keys.Order(StringComparer.Ordinal));
        Assert.All(losses.Values, v => Assert.True(double.IsFinite(v.Item())));
    }

    [Fact]
    public void Border_targets_use_the_coarse_boxes_of_every_level()
    {
        var det = new BorderDetDetector(Tiny(), new Generator(2));
        var batch = Squares(2, 2);
        using var _ = GradMode.Disable();
        var fwd = det.RunBorderNetwork(batch.Images);
        var (labels, deltas) = det.BorderTargetsOf(fwd, batch);
        var r = fwd.CoarseBoxes.Sum(c => c.Size(1));
        Assert.Equal(new Shape(2 * r), labels.Shape);
        Assert.Equal(new Shape(2 * r, 4), deltas.Shape);
        var (l1, _) = BorderTargets.Assign(F.Cat([.. fwd.CoarseBoxes.Select(c => c.Select(0, 1))], 0), batch.Boxes[1],
            batch.Labels[1], 2);
        Assert.Equal(l1.ToArray<long>(), labels.Narrow(0, r, r).ToArray<long>());
    }

    [Fact]
    public void An_sgd_step_lowers_the_loss_and_reaches_every_border_weight()
    {
        var det = new BorderDetDetector(Tiny(), new Generator(3));
        // coarse boxes start as 24×24 squares around each P3 location, so the square [4, 4, 28, 28] (centred on
        // location (16, 16)) is a border positive from the first step
        using (GradMode.Disable())
            Init.Constant_(det.NamedParameters().Single(p => p.Name == "head.bbox_pred.bias").Value, 1.5);
        var batch = Squares(2, 3, fixedSquare: true);
        var opt = new Scratch.Optim.Sgd(det.Parameters(), lr: 0.01, momentum: 0.9);
        double Step()
        {
            opt.ZeroGrad();
            var l = det.Losses(batch);
            Assert.True(l["loss_border_reg"].Item() > 0, "no border positive");
            var total = l.Values.Aggregate((a, b) => a + b);
            total.Backward();
            opt.Step();
            return total.Item();
        }
        var first = Step();
        foreach (var (name, p) in det.Head.Border.NamedParameters())
            Assert.True(p.Grad is not null && p.Grad.Abs().Sum().Item() > 0, $"no gradient reached {name}");
        var last = first;
        for (var i = 0; i < 2; i++) last = Step();
        Assert.True(last < first, $"loss {first} → {last}");
    }

    [Fact]
    public void Detect_returns_sorted_clipped_detections_per_image()
    {
        var det = new BorderDetDetector(Tiny() with { Fcos = Tiny().Fcos with { Postprocess = new FcosPostprocessOptions(ScoreThreshold: 0.0) } }, new Generator(4));
        det.Eval();
        var batch = Squares(2, 4);
        using var _ = GradMode.Disable();
        var dets = det.Detect(batch);
        Assert.Equal(2, dets.Count);
        foreach (var d in dets)
        {
            Assert.True(d.Count > 0);
            var s = d.Scores.ToArray<float>();
            Assert.Equal(s.OrderDescending().ToArray(), s);
            Assert.All(d.Boxes.ToArray<float>(), v => Assert.InRange(v, 0f, 64f));
        }
    }

    /// <summary>Trains on bright squares for 80 iterations: the loss falls and the square is found.</summary>
    [Fact]
    [Trait("Category", "Long")]
    public void Learns_bright_squares()
    {
        var det = new BorderDetDetector(Tiny(1), new Generator(5));
        var opt = new Scratch.Optim.Sgd(det.Parameters(), lr: 0.01, momentum: 0.9);
        var fcos = new List<double>();
        var border = new List<double>();
        for (var it = 0; it < 80; it++)
        {
            var batch = Squares(4, 100 + it);
            opt.ZeroGrad();
            var l = det.Losses(batch);
            var total = l.Values.Aggregate((a, b) => a + b);
            total.Backward();
            opt.Step();
            fcos.Add(l["loss_cls"].Item() + l["loss_box_reg"].Item());
            border.Add(l["loss_border_cls"].Item());
        }
        // border losses are 0 until the coarse boxes overlap the squares (IoU ≥ 0.6), so the border
        // classification loss is compared from its first steps with positives
        Assert.True(fcos.TakeLast(10).Average() < 0.5 * fcos.Take(10).Average(),
            $"FCOS loss {fcos.Take(10).Average()} → {fcos.TakeLast(10).Average()}");
        Assert.True(border.TakeLast(10).Average() < 0.6 * border.Skip(5).Take(10).Average(),
            $"border loss {border.Skip(5).Take(10).Average()} → {border.TakeLast(10).Average()}");
        det.Eval();
        var test = Squares(4, 7);
        using var _ = GradMode.Disable();
        var dets = det.Detect(test);
        var best = new List<string>();
        var hits = 0;
        for (var i = 0; i < test.Count; i++)
        {
            if (dets[i].Count == 0) continue;
            var top = dets[i].Boxes.Narrow(0, 0, Math.Min(3, dets[i].Count));
            var iou = F.BoxIou(top, test.Boxes[i]).Max().Item();
            best.Add($"{iou:F2}@{dets[i].Scores.ToArray<float>()[0]:F2}");
            if (iou > 0.5) hits++;
        }
        Assert.True(hits >= 3, $"a top-3 detection matched {hits}/4 squares ({string.Join(", ", best)})");
    }
}
