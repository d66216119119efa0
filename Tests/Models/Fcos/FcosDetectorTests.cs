using Scratch.Autograd;
using Scratch.Data;
using Scratch.Models.Common.Detection;
using Scratch.Models.Common.Necks;
using Scratch.Models.Fcos;
using Scratch.NN;
using Xunit;

namespace Scratch.Tests.Models.Fcos;

public class FcosDetectorTests
{
    /// <summary>A small CPU-friendly configuration.</summary>
    private static FcosOptions Small(int numClasses = 1, int freezeAt = 0) =>
        new(numClasses, "resnet18", FpnChannels: 32, NumConvs: 2, GroupNormGroups: 8, FreezeAt: freezeAt);

    /// <summary>Dark 64×64 images (0.1) with bright squares (0.9) as the objects of class 0.</summary>
    internal static DetectionBatch Squares(params (int X, int Y, int S)[][] images)
    {
        const int size = 64;
        var data = new float[images.Length * 3 * size * size];
        Array.Fill(data, 0.1f);
        var boxes = new Tensor[images.Length];
        var labels = new Tensor[images.Length];
        for (var n = 0; n < images.Length; n++)
        {
            foreach (var (x, y, s) in images[n])
                for (var c = 0; c < 3; c++)
                    for (var i = y; i < y + s; i++)
                        for (var j = x; j < x + s; j++) data[((n * 3 + c) * size + i) * size + j] = 0.9f;
            boxes[n] = Tensor.From(images[n].SelectMany(b => new float[] { b.X, b.Y, b.X + b.S, b.Y + b.S }).ToArray(),
                new Shape(images[n].Length, 4));
            labels[n] = Tensor.Zeros(new Shape(images[n].Length), DType.I64);
        }
        return new DetectionBatch(Tensor.From(data, new Shape(images.Length, 3, size, size)),
            [.. images.Select(_ => (size, size))], boxes, labels, null, [.. images.Select(_ => (object?)null)]);
    }

    [Fact]
    public void State_dict_keys_follow_cvpods()
    {
        var m = new FcosDetector(Small(3), new Generator(0));
        var keys = m.StateDict().Keys;
        string[] expected =
        [
            "backbone.fpn_lateral3.weight", "backbone.fpn_output3.bias", "backbone.fpn_lateral5.weight",
            "backbone.fpn_output5.weight", "backbone.top_block.p6.weight", "backbone.top_block.p7.bias",
            "backbone.bottom_up.conv1.weight", "backbone.bottom_up.layer4.1.bn2.running_var",
            "head.cls_subnet.0.weight", "head.cls_subnet.1.weight", "head.cls_subnet.3.bias", "head.bbox_subnet.4.bias",
            "head.cls_score.weight", "head.bbox_pred.bias", "head.centerness.weight", "head.scales.0.scale",
            "head.scales.4.scale",
        ];
        Assert.All(expected, k => Assert.Contains(k, keys));
        Assert.Equal("backbone.fpn_lateral3.weight", keys[0]);
        Assert.DoesNotContain(keys, k => k.StartsWith("backbone.fpn_lateral2", StringComparison.Ordinal) || k.Contains("cls_subnet.6"));
        // P6 from P5 (32 channels), prior-probability bias of cls_score, unit scales.
        Assert.Equal(new Shape(32, 32, 3, 3), m.StateDict()["backbone.top_block.p6.weight"].Shape);
        Assert.All(m.StateDict()["head.cls_score.bias"].ToDoubleArray(), b => Assert.Equal(-Math.Log(99), b, 5));
        Assert.Equal(1.0, m.StateDict()["head.scales.2.scale"].Item());
        var c5 = new Fpn([128, 256, 512], 3, 32, P6P7Source.C5, new Generator(0));
        Assert.Equal(new Shape(32, 512, 3, 3), c5.StateDict()["top_block.p6.weight"].Shape);
        Assert.Equal([8, 16, 32, 64, 128], c5.Strides);
    }

    [Fact]
    public void Head_outputs_have_per_level_shapes_and_boxes_decode_around_the_shifts()
    {
        var m = new FcosDetector(Small(4), new Generator(0));
        m.Eval();
        using var _ = GradMode.Disable();
        var fwd = m.RunNetwork(Tensor.Rand(new Shape(2, 3, 128, 96), new Generator(1)));
        int[][] hw = [[16, 12], [8, 6], [4, 3], [2, 2], [1, 1]];
        for (var l = 0; l < 5; l++)
        {
            var (h, w) = (hw[l][0], hw[l][1]);
            Assert.Equal(new Shape(2, 32, h, w), fwd.Features[l].Shape);
            Assert.Equal(new Shape(2, 4, h, w), fwd.Head.ClsLogits[l].Shape);
            Assert.Equal(new Shape(2, 4, h, w), fwd.Head.BoxRegression[l].Shape);
            Assert.Equal(new Shape(2, 1, h, w), fwd.Head.Centerness[l].Shape);
            Assert.Equal(new Shape(2, 32, h, w), fwd.Head.ClsTower[l].Shape);
            Assert.Equal(new Shape(2, 32, h, w), fwd.Head.BoxTower[l].Shape);
            Assert.Equal(new Shape(h * w, 2), fwd.Shifts[l].Shape);
            Assert.All(fwd.Head.BoxRegression[l].ToDoubleArray(), v => Assert.True(v >= 0));
        }
        var boxes = FcosDetector.DecodeBoxes(fwd.Head, fwd.Shifts);
        Assert.Equal(new Shape(2, 16 * 12, 4), boxes[0].Shape);
        var b = boxes[1].ToDoubleArray();
        var r = fwd.Head.BoxRegression[1].ToDoubleArray(); // [2, 4, 8, 6]
        var s = fwd.Shifts[1].ToDoubleArray();
        const int loc = 13; // row 2, column 1: (16, 32)
        Assert.Equal((16.0, 32.0), (s[2 * loc], s[2 * loc + 1]));
        Assert.Equal(s[2 * loc] - r[0 * 48 + loc], b[4 * loc], 4);
        Assert.Equal(s[2 * loc + 1] + r[3 * 48 + loc], b[4 * loc + 3], 4);
    }

    [Fact]
    public void Freeze_at_two_freezes_the_stem_and_res2_only()
    {
        var m = new FcosDetector(Small(1, freezeAt: 2), new Generator(0));
        foreach (var (name, p) in m.NamedParameters())
        {
            var frozen = name.StartsWith("backbone.bottom_up.conv1.", StringComparison.Ordinal) ||
                name.StartsWith("backbone.bottom_up.layer1.", StringComparison.Ordinal);
            Assert.True(frozen != p.RequiresGrad, name);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => new FcosDetector(Small(1, freezeAt: 6)));
    }

    [Fact]
    public void Zoo_builds_fcos_by_name()
    {
        var d = DetectorZoo.Create("fcos", new DetectorSpec(5, "resnet18", Seed: 3));
        var f = Assert.IsType<FcosDetector>(d);
        Assert.Equal(5, f.NumClasses);
        Assert.Equal(256, f.Options.FpnChannels);
        Assert.Contains("fcos", DetectorZoo.Names);
        Assert.Throws<ArgumentException>(() => new FcosDetector(new FcosOptions(2, "vgg16")));
    }

    [Fact]
    public void Sgd_steps_lower_the_loss_on_a_tiny_batch()
    {
        var m = new FcosDetector(Small(), new Generator(0));
        var batch = Squares([(8, 8, 20)], [(30, 20, 24)]);
        var opt = new Scratch.Optim.Sgd(m.Parameters().Where(p => p.RequiresGrad), lr: 0.01, momentum: 0.9);
        double Step()
        {
            opt.ZeroGrad();
            var losses = m.Losses(batch);
            Assert.Equal(["loss_box_reg", "loss_centerness", "loss_cls"], losses.Keys.Order());
            var total = losses.Values.Aggregate((a, b) => a + b);
            total.Backward();
            opt.Step();
            return total.Item();
        }
        var first = Step();
        for (var i = 0; i < 3; i++) Step();
        var last = Step();
        Assert.True(double.IsFinite(first) && last < first, $"loss went from {first} to {last}");
        Assert.NotNull(m.Head.Scales[0].Scale.Grad);
    }

    [Fact]
    public void Detect_returns_one_sorted_clipped_result_per_image()
    {
        var m = new FcosDetector(Small(2) with { PriorProb = 0.2 }, new Generator(0));
        m.Eval();
        using var _ = GradMode.Disable();
        var batch = Squares([(8, 8, 20)], []);
        batch = batch with { ImageSizes = [(64, 64), (50, 40)] };
        var dets = m.Detect(batch);
        Assert.Equal(2, dets.Count);
        foreach (var (d, (h, w)) in dets.Zip(batch.ImageSizes))
        {
            Assert.InRange(d.Count, 1, 100);
            var s = d.Scores.ToDoubleArray();
            Assert.True(s.Zip(s.Skip(1)).All(p => p.First >= p.Second));
            var b = d.Boxes.ToDoubleArray();
            for (var i = 0; i < d.Count; i++)
            {
                Assert.InRange(b[4 * i], 0, w);
                Assert.InRange(b[4 * i + 2], b[4 * i], w);
                Assert.InRange(b[4 * i + 3], b[4 * i + 1], h);
            }
            Assert.All(d.Labels.ToArray<long>(), l => Assert.InRange(l, 0, 1));
        }
    }
}
