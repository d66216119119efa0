using Scratch.IO;
using Scratch.Models.BorderDet;
using Scratch.NN;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Models.BorderDet;

public class BorderHeadTests
{
    private static readonly string FixturePath =
        Path.Combine(AppContext.BaseDirectory, "Fixtures", "borderdet", "border_head.safetensors");

    [Fact]
    public void State_dict_keys_follow_cvpods_head_keys()
    {
        var head = new BorderHead(16, 5, 8, 4, generator: new Generator(0));
        var keys = head.StateDict().Select(kv => $"{kv.Key} {string.Join("x", kv.Value.Shape.ToArray())}").ToArray();
        string[] branch(string p, int cb) =>
        [
            $"{p}.cur_point_conv.0.weight {cb}x16x1x1", $"{p}.cur_point_conv.0.bias {cb}",
            $"{p}.ltrb_conv.0.weight {4 * cb}x16x1x1", $"{p}.ltrb_conv.0.bias {4 * cb}",
            $"{p}.border_conv.0.weight 16x{5 * cb}x1x1", $"{p}.border_conv.0.bias 16",
        ];
        Assert.Equal([
            .. branch("border_cls_subnet", 8), .. branch("border_bbox_subnet", 4),
            "border_cls_score.weight 5x16x1x1", "border_cls_score.bias 5",
            "border_bbox_pred.weight 4x16x1x1", "border_bbox_pred.bias 4"], keys);
        Assert.All(head.ClsScore.Bias!.ToArray<float>(), b => Assert.Equal(-Math.Log(99), b, 5));
    }

    [Fact]
    public void Forward_shapes_per_level()
    {
        var head = new BorderHead(8, 3, 4, 2, generator: new Generator(1));
        var g = new Generator(2);
        var (h, w) = (4, 7);
        var ltrb = Tensor.Rand(new Shape(2, 4, h, w), g) * 20;
        var points = F.GridPoints(h, w, 8);
        var coarse = BorderHead.CoarseBoxes(ltrb, points);
        Assert.Equal(new Shape(2, h * w, 4), coarse.Shape);
        var align = BorderHead.AlignBoxes(coarse, 8, h, w);
        var (logits, deltas) = head.Forward(Tensor.Randn(new Shape(2, 8, h, w), g), Tensor.Randn(new Shape(2, 8, h, w), g), align);
        Assert.Equal(new Shape(2, 3, h, w), logits.Shape);
        Assert.Equal(new Shape(2, 4, h, w), deltas.Shape);
    }

    [Fact]
    public void Cpu_and_reference_devices_agree_with_gradients()
    {
        var g = new Generator(7);
        var (h, w) = (3, 5);
        var inputs = new[] { Tensor.Randn(new Shape(2, 8, h, w), g, DType.F64), Tensor.Randn(new Shape(2, 8, h, w), g, DType.F64) };
        var coarse = BorderHead.CoarseBoxes(Tensor.Rand(new Shape(2, 4, h, w), g, DType.F64) * 30, F.GridPoints(h, w, 8, dtype: DType.F64));
        var results = new List<Tensor[]>();
        foreach (var device in new[] { Device.Cpu, Device.Reference })
        {
            var head = new BorderHead(8, 3, 4, 2, generator: new Generator(8));
            head.To(DType.F64);
            head.To(device);
            var x = inputs.Select(t => t.To(device).Detach().RequiresGrad_()).ToArray();
            var (logits, deltas) = head.Forward(x[0], x[1], BorderHead.AlignBoxes(coarse.To(device), 8, h, w));
            (logits.Sum() + (deltas * deltas).Sum()).Backward();
            results.Add([logits, deltas, x[0].Grad!, x[1].Grad!, head.ClsSubnet.LtrbConv[0].NamedParameters().First().Value.Grad!]);
        }
        for (var i = 0; i < results[0].Length; i++)
            Verify.Close(results[1][i].To(Device.Cpu), results[0][i], 1e-10, 1e-8, $"output {i}");
    }

    [Fact]
    public void Align_boxes_are_divided_by_the_stride_and_clamped_to_the_map()
    {
        var coarse = Tensor.From(new float[] { -8, 4, 100, 30, 16, -3, 24, 200 }, new Shape(1, 2, 4));
        var align = BorderHead.AlignBoxes(coarse, 8, 3, 5);
        // x ∈ [0, 4], y ∈ [0, 2]
        Verify.Values(align, new Shape(1, 2, 4), [0, 0.5, 4, 2, 2, 0, 3, 2]);
    }

    [Fact]
    public void Bad_inputs_name_the_argument()
    {
        var head = new BorderHead(8, 3, 4, 2);
        var e = Assert.Throws<ShapeMismatchException>(() =>
            head.ClsSubnet.Forward(Tensor.Zeros(new Shape(1, 8, 2, 2)), Tensor.Zeros(new Shape(1, 5, 4))));
        Assert.Contains("alignBoxes", e.Message);
        var e2 = Assert.Throws<ShapeMismatchException>(() =>
            BorderHead.CoarseBoxes(Tensor.Zeros(new Shape(1, 4, 2, 2)), Tensor.Zeros(new Shape(3, 2))));
        Assert.Contains("points", e2.Message);
        var e3 = Assert.Throws<ArgumentOutOfRangeException>(() => new BorderBranch(8, 0));
        Assert.Contains("borderChannels", e3.Message);
    }

    /// <summary>Border branch + targets + losses against Tests/Fixtures/make_borderdet_fixture.py (torch 1.13,
    /// float64, written from cvpods' BorderDet): outputs, targets, losses and gradients w.r.t. both tower inputs
    /// and every weight.</summary>
    [Theory]
    [InlineData(DType.F64, 1e-9)]
    [InlineData(DType.F32, 1e-4)]
    public void Matches_the_pytorch_border_branch(DType dtype, double rtol)
    {
        var sd = Safetensors.Read(FixturePath).StateDict;
        Tensor T(string key) => sd[key].To(dtype);
        var head = new BorderHead(8, 3, 4, 2);
        var weights = new StateDict();
        foreach (var (k, v) in sd)
            if (k.StartsWith("w.", StringComparison.Ordinal)) weights.Add(k[2..], v);
        head.LoadStateDict(weights);
        head.To(dtype);

        var clsTower = T("in.cls_tower").RequiresGrad_();
        var bboxTower = T("in.bbox_tower").RequiresGrad_();
        var coarse = BorderHead.CoarseBoxes(T("in.ltrb"), T("in.points"));
        Verify.Close(T("out.coarse"), coarse, 1e-5, rtol, "coarse");
        var align = BorderHead.AlignBoxes(coarse, 8, 5, 6);
        Verify.Close(T("out.align"), align, 1e-6, rtol, "align");
        var (logits, deltas) = head.Forward(clsTower, bboxTower, align);
        Verify.Close(T("out.cls_logits"), logits, 1e-6, rtol, "logits");
        Verify.Close(T("out.bbox_deltas"), deltas, 1e-6, rtol, "deltas");

        var labels = new List<Tensor>();
        var targets = new List<Tensor>();
        for (var n = 0; n < 2; n++)
        {
            var (lab, tdel) = BorderTargets.Assign(coarse.Select(0, n), T("in.gt_boxes").Select(0, n),
                sd["in.gt_labels"].Select(0, n), 3);
            labels.Add(lab);
            targets.Add(tdel);
        }
        var allLabels = F.Cat(labels, 0);
        Assert.Equal(sd["out.labels"].Flatten().ToArray<long>(), allLabels.ToArray<long>());
        var fg = Tensor.From(allLabels.ToArray<long>().Select((l, i) => (l, (long)i)).Where(t => t.l != 3)
            .Select(t => t.Item2).ToArray());
        Verify.Close(T("out.target_deltas").Reshape(-1, 4).IndexSelect(0, fg), F.Cat(targets, 0).IndexSelect(0, fg),
            1e-6, rtol, "target deltas");

        var (cls, reg) = BorderLoss.Compute(logits.Permute(0, 2, 3, 1).Reshape(-1, 3),
            deltas.Permute(0, 2, 3, 1).Reshape(-1, 4), allLabels, F.Cat(targets, 0));
        Verify.Close(T("out.loss_border_cls").Reshape(), cls, 1e-6, rtol, "loss_border_cls");
        Verify.Close(T("out.loss_border_reg").Reshape(), reg, 1e-6, rtol, "loss_border_reg");
        (cls + reg).Backward();
        Verify.Close(T("grad.cls_tower"), clsTower.Grad!, 1e-6, rtol, "grad cls tower");
        Verify.Close(T("grad.bbox_tower"), bboxTower.Grad!, 1e-6, rtol, "grad bbox tower");
        foreach (var (name, p) in head.NamedParameters())
            Verify.Close(T("grad." + name), p.Grad!, 1e-6, rtol, "grad " + name);
    }
}
