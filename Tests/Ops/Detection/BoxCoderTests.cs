using FsCheck;
using FsCheck.Fluent;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Detection;

public class BoxCoderTests
{
    private static readonly (double, double, double, double) RcnnWeights = (10, 10, 5, 5);

    private static Tensor Src(Device? device = null) =>
        Tensor.FromDoubles([0, 0, 10, 20, 5, 3, 9, 4.5, -2, 1, 30, 7], new Shape(3, 4), DType.F64, device);

    [Fact]
    public void Encode_matches_detectron2()
    {
        // torch 1.13, detectron2 Box2BoxTransform((10, 10, 5, 5)).get_deltas(src, tgt) formula:
        // (wx*(tx-sx)/sw, wy*(ty-sy)/sh, ww*log(tw/sw), wh*log(th/sh)) with centres x1 + 0.5*w
        var tgt = Tensor.FromDoubles([1, -2, 12, 18, 4, 3.5, 9.5, 6, 0, 0, 31, 9], new Shape(3, 4), DType.F64);
        Verify.Values(F.EncodeBoxDeltas(Src(), tgt, RcnnWeights), new Shape(3, 4), [1.5, -1.0, 0.47655089902162473, 0.0, -0.625, 6.666666666666667, 1.5922686555926733, 2.5541281188299534, 0.46875, 0.8333333333333334, -0.1587434915729015, 2.027325540540822], 1e-12);
    }

    [Fact]
    public void Decode_matches_detectron2_with_class_specific_deltas_and_the_scale_clamp()
    {
        // torch 1.13, detectron2 Box2BoxTransform(weights).apply_deltas(d, src) formula with scale_clamp
        // log(1000/16), d [3, 8] (two boxes per row; rows 0 and 2 have dw = 10 and 8, beyond the clamp at weights 1)
        var d = Tensor.FromDoubles([0.1, -0.2, 0.3, -0.4, 1, 2, 10, -3, 0.5, 0.5, 0, 0, -1, 0.25, 0.7, 0.2, 0, 0, 8,
            0.1, 0.3, -0.3, -0.5, 0.5], new Shape(3, 8), DType.F64);
        foreach (var device in new[] { Device.Cpu, Device.Reference })
        {
            Verify.Values(F.DecodeBoxDeltas(d.To(device), Src(device), RcnnWeights), new Shape(3, 8),
                [-0.20918273272679855, 0.3688365361336423, 10.409182732726798, 18.831163463866357, -30.945280494653254, 8.511883639059736, 42.945280494653254, 19.488116360940264, 5.2, 3.075, 9.2, 4.575, 4.299452402285545, 3.006891919355709, 8.900547597714453, 4.568108080644292, -65.24851879032184, 0.9393959799197327, 93.24851879032184, 7.060604020080268, 0.48260131142464857, 0.5044872457730567, 29.437398688575353, 7.1355127542269425], 1e-12);
            Verify.Values(F.DecodeBoxDeltas(d.To(device), Src(device)), new Shape(3, 8),
                [-0.7492940378800164, -0.7032004603563919, 12.749294037880016, 12.703200460356392, -297.5000000000001, 49.50212931632136, 327.5000000000001, 50.49787068367864, 7.0, 3.75, 11.0, 5.25, -1.0275054149409533, 3.2089479313798726, 7.027505414940953, 5.041052068620127, -986.0000000000003, 0.6844872457730569, 1014.0000000000003, 7.315512754226943, 13.895509444597867, -2.7461638121003844, 33.30449055540214, 7.146163812100385], 1e-10);
        }
    }

    public static class Arbs
    {
        public static Arbitrary<BoxCase> Cases() => DetectionArbs.Boxes();
    }

    private static (double, double, double, double) RandomWeights(ulong seed)
    {
        var g = new Generator(seed + 9);
        return (0.5 + 10 * g.NextDouble(), 0.5 + 10 * g.NextDouble(), 0.5 + 5 * g.NextDouble(), 0.5 + 5 * g.NextDouble());
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Decode_inverts_encode(BoxCase c)
    {
        var (src, tgt, w) = (DetectionArbs.RandomBoxes(c.N, c.Seed), DetectionArbs.RandomBoxes(c.N, c.Seed + 1),
            RandomWeights(c.Seed));
        // Size ratios stay within (0.1, 10), far inside the clamp e^4.1.
        Verify.Close(tgt, F.DecodeBoxDeltas(F.EncodeBoxDeltas(src, tgt, w), src, w), 1e-10, 1e-10);
        var d = Values.Uniform(new Shape(c.N, 4), c.Seed + 2, DType.F64, -2, 2);
        Verify.Close(d, F.EncodeBoxDeltas(src, F.DecodeBoxDeltas(d, src, w), w), 1e-10, 1e-10);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Coder_gradients_match_finite_differences(BoxCase c)
    {
        var (src, tgt, w) = (DetectionArbs.RandomBoxes(c.N, c.Seed), DetectionArbs.RandomBoxes(c.N, c.Seed + 1),
            RandomWeights(c.Seed));
        var d = Values.Uniform(new Shape(c.N, 8), c.Seed + 2, DType.F64, -2, 2);
        Verify.Gradients(t => F.DecodeBoxDeltas(t[0], t[1], w), d, src);
        Verify.Gradients(t => F.EncodeBoxDeltas(t[0], t[1], w), src.Detach(), tgt);
        var points = Values.Uniform(new Shape(c.N, 2), c.Seed + 3, DType.F64, 0, 10);
        var ltrb = DetectionArbs.RandomLtrb(c.N, c.Seed + 4);
        Verify.Gradients(t => F.DecodeLtrb(t[0], t[1], 8), points, ltrb);
        Verify.Gradients(t => F.EncodeBorderDeltas(t[0], t[1], 0.5), src.Detach(), tgt.Detach());
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Cpu_matches_reference(BoxCase c)
    {
        var src = DetectionArbs.RandomBoxes(c.N, c.Seed);
        var d = Values.Uniform(new Shape(c.N, 4), c.Seed + 2, DType.F64, -5, 5);
        Verify.SameOnBackends(t => F.DecodeBoxDeltas(t[0], t[1], RcnnWeights), [d, src], 1e-12, 1e-12);
        Verify.SameOnBackends(t => F.EncodeBoxDeltas(t[0], t[1], RcnnWeights),
            [src, DetectionArbs.RandomBoxes(c.N, c.Seed + 1)], 1e-12, 1e-12);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Ltrb_and_border_coders_round_trip(BoxCase c)
    {
        var boxes = DetectionArbs.RandomBoxes(c.N, c.Seed);
        var points = Values.Uniform(new Shape(c.N, 2), c.Seed + 3, DType.F64, -2, 14);
        var ltrb = F.EncodeLtrb(points, boxes, 16);
        Verify.Close(boxes, F.DecodeLtrb(points, ltrb, 16), 1e-12, 1e-12);
        // All four distances are positive exactly when the point is strictly inside the box.
        var (l, p, b) = (ltrb.ToDoubleArray(), points.ToDoubleArray(), boxes.ToDoubleArray());
        for (var i = 0; i < c.N; i++)
        {
            var inside = p[2 * i] > b[4 * i] && p[2 * i] < b[4 * i + 2] && p[2 * i + 1] > b[4 * i + 1] &&
                p[2 * i + 1] < b[4 * i + 3];
            Assert.Equal(inside, l.Skip(4 * i).Take(4).All(v => v > 0));
        }
        var target = DetectionArbs.RandomBoxes(c.N, c.Seed + 1);
        Verify.Close(target, F.DecodeBorderDeltas(F.EncodeBorderDeltas(boxes, target), boxes), 1e-12, 1e-12);
    }

    [Fact]
    public void Ltrb_and_border_hand_computed()
    {
        // Point (6, 5), box (2, 3, 10, 13), stride 2: (6−2, 5−3, 10−6, 13−5)/2 = (2, 1, 2, 4).
        var p = Tensor.FromDoubles([6, 5], new Shape(1, 2), DType.F64);
        var box = Tensor.FromDoubles([2, 3, 10, 13], new Shape(1, 4), DType.F64);
        Verify.Values(F.EncodeLtrb(p, box, 2), new Shape(1, 4), [2, 1, 2, 4], 1e-15);
        // Coarse (2, 3, 10, 13): w = 8, h = 10; target (3, 1, 14, 13), std ½: (1/4, −2/5, 4/4, 0/5) = (.25, −.4, 1, 0).
        var target = Tensor.FromDoubles([3, 1, 14, 13], new Shape(1, 4), DType.F64);
        Verify.Values(F.EncodeBorderDeltas(box, target), new Shape(1, 4), [0.25, -0.4, 1, 0], 1e-15);
    }

    [Fact]
    public void Ohem_keeps_the_largest_losses_first()
    {
        // torch 1.13: torch.argsort(torch.tensor([0.3, 2.5, -1.0, 2.5, 0.7, 9.0, 0.3]), descending=True,
        // stable=True)[:4] -> [5, 1, 3, 4]
        var losses = Tensor.FromDoubles([0.3, 2.5, -1.0, 2.5, 0.7, 9.0, 0.3], new Shape(7), DType.F32);
        foreach (var device in new[] { Device.Cpu, Device.Reference })
        {
            var kept = F.OhemTopK(losses.To(device), 4);
            Assert.Equal(DType.I64, kept.DType);
            Assert.Equal(new double[] { 5, 1, 3, 4 }, kept.ToDoubleArray());
        }
        Assert.Equal(7, F.OhemTopK(losses, 100).Shape[0]);
        Assert.Equal(0, F.OhemTopK(losses, 0).Shape[0]);
    }

    [Fact]
    public void Bad_inputs_name_the_argument()
    {
        var b = Tensor.Zeros(new Shape(2, 4), DType.F64);
        Assert.Contains("target", Assert.Throws<ShapeMismatchException>(
            () => F.EncodeBoxDeltas(b, Tensor.Zeros(new Shape(3, 4), DType.F64))).Message);
        Assert.Contains("weights", Assert.Throws<ArgumentOutOfRangeException>(
            () => F.EncodeBoxDeltas(b, b, (1, 0, 1, 1))).Message);
        Assert.Contains("deltas", Assert.Throws<ShapeMismatchException>(
            () => F.DecodeBoxDeltas(Tensor.Zeros(new Shape(2, 6), DType.F64), b)).Message);
        Assert.Contains("deltas", Assert.Throws<ShapeMismatchException>(
            () => F.DecodeBoxDeltas(Tensor.Zeros(new Shape(3, 4), DType.F64), b)).Message);
        Assert.Contains("boxes", Assert.Throws<ShapeMismatchException>(
            () => F.DecodeBoxDeltas(b, Tensor.Zeros(new Shape(2, 5), DType.F64))).Message);
        Assert.Throws<DTypeMismatchException>(() => F.DecodeBoxDeltas(Tensor.Zeros(new Shape(2, 4)), b));
        Assert.Contains("points", Assert.Throws<ShapeMismatchException>(
            () => F.EncodeLtrb(Tensor.Zeros(new Shape(2, 3), DType.F64), b)).Message);
        Assert.Contains("ltrb", Assert.Throws<ShapeMismatchException>(
            () => F.DecodeLtrb(Tensor.Zeros(new Shape(3, 2), DType.F64), b)).Message);
        Assert.Contains("stride", Assert.Throws<ArgumentOutOfRangeException>(
            () => F.EncodeLtrb(Tensor.Zeros(new Shape(2, 2), DType.F64), b, 0)).Message);
        Assert.Contains("std", Assert.Throws<ArgumentOutOfRangeException>(() => F.EncodeBorderDeltas(b, b, -1)).Message);
        Assert.Contains("losses", Assert.Throws<ShapeMismatchException>(() => F.OhemTopK(b, 1)).Message);
        Assert.Contains("k", Assert.Throws<ArgumentOutOfRangeException>(
            () => F.OhemTopK(Tensor.Zeros(new Shape(3)), -1)).Message);
    }
}
