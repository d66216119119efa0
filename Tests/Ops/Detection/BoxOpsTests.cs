using Scratch.Tests.Properties;
using Xunit;
using static Scratch.Tests.Ops.Detection.DetectionArbs;

namespace Scratch.Tests.Ops.Detection;

public class BoxOpsTests
{
    private static Tensor A(Device device) => Tensor.FromDoubles(
        [0, 0, 4, 3, 1, 2, 5, 7, 2.5, 1, 3, 9], new Shape(3, 4), DType.F64, device);

    private static Tensor B(Device device) => Tensor.FromDoubles(
        [1, 1, 3, 3.5, 0, 4, 6, 6], new Shape(2, 4), DType.F64, device);

    [FsCheck.Xunit.Property(Arbitrary = [typeof(DetectionArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Pairwise_iou_gradients_match_finite_differences(BoxCase c)
    {
        // IoU and GIoU have kinks where a coordinate of one box equals one of the other (min/max ties, overlap
        // starting at 0): snapping the two sets to offset 0.01-grids keeps every such pair at least 0.004 apart.
        var (a, b) = (OnGrid(RandomBoxes(c.N, c.Seed), 0.003), OnGrid(RandomBoxes(c.M, c.Seed + 1), 0.007));
        Verify.Gradients(x => F.BoxIou(x[0], x[1]), a, b);
        Verify.Gradients(x => F.GeneralizedBoxIou(x[0], x[1]), a, b);
        Verify.Gradients(x => F.BoxConvert(x[0], BoxFormat.Cxcywh, BoxFormat.Xywh) * F.BoxArea(x[0]).Unsqueeze(-1), a);
    }

    private static Tensor OnGrid(Tensor boxes, double phase) =>
        Tensor.FromDoubles(boxes.ToDoubleArray().Select(v => Math.Floor(v * 100) / 100 + phase).ToArray(), boxes.Shape, DType.F64);

    [FsCheck.Xunit.Property(Arbitrary = [typeof(DetectionArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Cpu_matches_reference(BoxCase c)
    {
        Tensor[] x = [RandomBoxes(c.N, c.Seed), RandomBoxes(c.M, c.Seed + 1)];
        Verify.SameOnBackends(t => F.BoxIou(t[0], t[1]), x, 1e-12, 1e-12);
        Verify.SameOnBackends(t => F.GeneralizedBoxIou(t[0], t[1]), x, 1e-12, 1e-12);
        Verify.SameOnBackends(t => F.ClipBoxesToImage(t[0], 5, 6), x, 0, 0);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(DetectionArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Iou_properties(BoxCase c)
    {
        var (a, b) = (RandomBoxes(c.N, c.Seed), RandomBoxes(c.M, c.Seed + 1));
        var iou = F.BoxIou(a, b).ToDoubleArray();
        var giou = F.GeneralizedBoxIou(a, b).ToDoubleArray();
        Verify.Close(F.BoxIou(b, a).Transpose(0, 1).ToDoubleArray(), iou, 1e-15, 1e-12, "symmetry");
        for (var i = 0; i < iou.Length; i++)
        {
            Assert.InRange(iou[i], 0, 1);
            Assert.InRange(giou[i], -1, iou[i] + 1e-15);
        }
        Verify.Close(Enumerable.Repeat(1.0, c.M).ToArray(),
            Enumerable.Range(0, c.M).Select(i => F.BoxIou(b, b).ToDoubleArray()[i * c.M + i]).ToArray(), 1e-15, 0, "self");
        foreach (var from in Enum.GetValues<BoxFormat>())
            foreach (var to in Enum.GetValues<BoxFormat>())
                Verify.Close(a, F.BoxConvert(F.BoxConvert(a, from, to), to, from), 1e-12, 0, $"round trip {from} {to}");
    }

    [Fact]
    public void Pairwise_iou_matches_torchvision()
    {
        var g = Tensor.FromDoubles([1, -2, 0.5, 3, 2, 1], new Shape(3, 2), DType.F64);
        foreach (var device in new[] { Device.Cpu, Device.Reference })
        {
            // torch 1.13: r = torchvision.ops.box_iou(a, b); (r * g).sum().backward()
            // a = [[0,0,4,3],[1,2,5,7],[2.5,1,3,9]], b = [[1,1,3,3.5],[0,4,6,6]], g = [[1,-2],[.5,3],[2,1]], float64
            Check(device, F.BoxIou, g,
                [0.3076923076923077, 0.0, 0.13636363636363635, 0.3333333333333333, 0.16129032258064516,
                    0.06666666666666667],
                [0.07100591715976332, 0.09467455621301776, -0.07100591715976332, 0.10650887573964499,
                    -0.1288739669421488, 0.1274104683195592, 0.10950413223140498, -0.17906336088154268,
                    -0.5228997571973639, -0.05188807954676841, 0.1482899757197364, -0.023033876748757082],
                [-0.04957546251329861, -0.1393231449281019, 0.4435550787016698, 0.0647145618329481, 0.09222222222222222,
                    -0.4255555555555555, -0.09222222222222222, 0.4255555555555555]);
            // torch 1.13: r = torchvision.ops.generalized_box_iou(a, b); (r * g).sum().backward()
            Check(device, F.GeneralizedBoxIou, g,
                [0.23626373626373628, -0.3333333333333333, 0.053030303030303025, 0.1333333333333333,
                    -0.35433467741935487, -0.6208333333333333],
                [0.1444186155724617, 0.07426639294771162, -0.2555297266835728, 0.027143796374565612,
                    -0.4601239669421488, 0.1657438016528925, 0.39908746556473834, -0.25211891643709816,
                    -1.3353997571973637, 0.006054628786564924, 0.8748524757197365, -0.11027346008209041],
                [0.10741858510574898, -0.2628040477058796, 0.41416519774928895, 0.1297655822411114, 0.3026388888888889,
                    -0.40680555555555553, -0.19152777777777777, 0.6290277777777777]);
        }
    }

    private static void Check(Device device, Func<Tensor, Tensor, Tensor> f, Tensor g, double[] y, double[] da, double[] db)
    {
        var (a, b) = (A(device).RequiresGrad_(), B(device).RequiresGrad_());
        var r = f(a, b);
        (r * g.To(device)).Sum().Backward();
        Verify.Close(y, r.ToDoubleArray(), 1e-15, 1e-13, "iou");
        Verify.Close(da, a.Grad!.ToDoubleArray(), 1e-15, 1e-13, "grad a");
        Verify.Close(db, b.Grad!.ToDoubleArray(), 1e-15, 1e-13, "grad b");
    }

    [Fact]
    public void Conversions_area_clip_and_small_boxes_match_torchvision()
    {
        var a = A(Device.Cpu);
        // torch 1.13: torchvision.ops.box_area(a)
        Verify.Close([12.0, 20.0, 4.0], F.BoxArea(a).ToDoubleArray(), 0, 0);
        // torch 1.13: torchvision.ops.box_convert(a, 'xyxy', 'xywh')
        Verify.Close([0.0, 0.0, 4.0, 3.0, 1.0, 2.0, 4.0, 5.0, 2.5, 1.0, 0.5, 8.0],
            F.BoxConvert(a, BoxFormat.Xyxy, BoxFormat.Xywh).ToDoubleArray(), 0, 0);
        // torch 1.13: torchvision.ops.box_convert(a, 'xywh', 'xyxy')
        Verify.Close([0.0, 0.0, 4.0, 3.0, 1.0, 2.0, 6.0, 9.0, 2.5, 1.0, 5.5, 10.0],
            F.BoxConvert(a, BoxFormat.Xywh, BoxFormat.Xyxy).ToDoubleArray(), 0, 0);
        // torch 1.13: torchvision.ops.box_convert(a, 'xyxy', 'cxcywh')
        Verify.Close([2.0, 1.5, 4.0, 3.0, 3.0, 4.5, 4.0, 5.0, 2.75, 5.0, 0.5, 8.0],
            F.BoxConvert(a, BoxFormat.Xyxy, BoxFormat.Cxcywh).ToDoubleArray(), 0, 0);
        // torch 1.13: torchvision.ops.box_convert(a, 'cxcywh', 'xyxy')
        Verify.Close([-2.0, -1.5, 2.0, 1.5, -1.5, -1.5, 3.5, 5.5, 1.0, -3.5, 4.0, 5.5],
            F.BoxConvert(a, BoxFormat.Cxcywh, BoxFormat.Xyxy).ToDoubleArray(), 0, 0);
        // torch 1.13: torchvision.ops.box_convert(a, 'xywh', 'cxcywh')
        Verify.Close([2.0, 1.5, 4.0, 3.0, 3.5, 5.5, 5.0, 7.0, 4.0, 5.5, 3.0, 9.0],
            F.BoxConvert(a, BoxFormat.Xywh, BoxFormat.Cxcywh).ToDoubleArray(), 0, 0);
        // torch 1.13: torchvision.ops.clip_boxes_to_image(torch.tensor([[-1., 2., 7., 9.], [3., -4., 5., 1.]]), (6, 5))
        var clip = F.ClipBoxesToImage(Tensor.FromDoubles([-1, 2, 7, 9, 3, -4, 5, 1], new Shape(2, 4)), 6, 5);
        Verify.Close([0.0, 2.0, 5.0, 6.0, 3.0, 0.0, 5.0, 1.0], clip.ToDoubleArray(), 0, 0);
        // torch 1.13: torchvision.ops.remove_small_boxes(torch.tensor([[0., 0., 1., 1.], [0., 0., .5, 2.], [1., 1., 3., 3.], [0., 0., 2., .9]]), 1.0)
        var keep = F.RemoveSmallBoxes(Tensor.FromDoubles([0, 0, 1, 1, 0, 0, 0.5, 2, 1, 1, 3, 3, 0, 0, 2, 0.9], new Shape(4, 4)), 1.0);
        Assert.Equal(DType.I64, keep.DType);
        Assert.Equal([0L, 2L], keep.ToArray<long>());
    }

    [Fact]
    public void Empty_box_sets_give_empty_results()
    {
        var none = Tensor.Zeros(new Shape(0, 4), DType.F64);
        Assert.Equal(new Shape(0, 2), F.BoxIou(none, B(Device.Cpu)).Shape);
        Assert.Equal(new Shape(2, 0), F.GeneralizedBoxIou(B(Device.Cpu), none).Shape);
        Assert.Equal(new Shape(0), F.RemoveSmallBoxes(none, 1).Shape);
    }

    [Fact]
    public void Bad_inputs_name_the_argument()
    {
        var good = B(Device.Cpu);
        Assert.Contains("b", Assert.Throws<ShapeMismatchException>(
            () => F.BoxIou(good, Tensor.Zeros(new Shape(2, 5), DType.F64))).Message);
        Assert.Contains("a", Assert.Throws<ShapeMismatchException>(
            () => F.GeneralizedBoxIou(Tensor.Zeros(new Shape(4), DType.F64), good)).Message);
        Assert.Contains("b", Assert.Throws<DTypeMismatchException>(() => F.BoxIou(good, good.To(DType.F32))).Message);
        Assert.Contains("boxes", Assert.Throws<DTypeMismatchException>(
            () => F.BoxArea(Tensor.Zeros(new Shape(2, 4), DType.I64))).Message);
        Assert.Contains("boxes", Assert.Throws<ShapeMismatchException>(
            () => F.BoxConvert(Tensor.Zeros(new Shape(3)), BoxFormat.Xyxy, BoxFormat.Xywh)).Message);
        Assert.Contains("height", Assert.Throws<ArgumentOutOfRangeException>(
            () => F.ClipBoxesToImage(good, -1, 3)).Message);
        Assert.Contains("boxes", Assert.Throws<ShapeMismatchException>(
            () => F.RemoveSmallBoxes(Tensor.Zeros(new Shape(1, 2, 4)), 1)).Message);
    }
}
