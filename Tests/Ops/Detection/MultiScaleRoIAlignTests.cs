using FsCheck;
using FsCheck.Fluent;
using Scratch.NN;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Detection;

/// <summary>A random pyramid problem: N images of 16×16 (or 16×12), maps at strides 2, 4, 8 (levels 1–3 with
/// canonical scale 8 at level 2, so boxes of side 1–20 spread over all levels), K boxes per image.</summary>
public sealed record PyramidCase(int N, int C, int K, int Ph, int Pw, int Ratio, ulong Seed)
{
    public override string ToString() => $"N={N} C={C} K={K}/image out ({Ph}, {Pw}) ratio {Ratio} seed {Seed}";

    public static readonly (int Height, int Width)[] Sizes = [(8, 8), (4, 4), (2, 2)];

    public Tensor[] Features(DType dtype = DType.F64) =>
        [.. Sizes.Select((s, l) => Values.Uniform(new Shape(N, C, s.Height, s.Width), Seed + (ulong)l, dtype, -2, 2))];

    /// <summary>Boxes with corners in [−2, 18) and sides in [0.5, 20) (some beyond the image).</summary>
    public Tensor[] Boxes(DType dtype = DType.F64)
    {
        var g = new Generator(Seed + 7);
        var result = new Tensor[N];
        for (var i = 0; i < N; i++)
        {
            var v = new double[4 * K];
            for (var k = 0; k < K; k++)
            {
                v[4 * k] = -2 + 20 * g.NextDouble();
                v[4 * k + 1] = -2 + 20 * g.NextDouble();
                v[4 * k + 2] = v[4 * k] + 0.5 + 19.5 * g.NextDouble();
                v[4 * k + 3] = v[4 * k + 1] + 0.5 + 19.5 * g.NextDouble();
            }
            result[i] = Tensor.FromDoubles(v, new Shape(K, 4), dtype);
        }
        return result;
    }

    public (int Height, int Width)[] ImageShapes => [.. Enumerable.Range(0, N).Select(i => (16, i == 0 ? 16 : 12))];

    public Tensor Apply(Tensor[] features, Tensor[] boxes) =>
        F.MultiScaleRoIAlign(features, [.. boxes.Select(b => b.To(features[0].Device))], ImageShapes, (Ph, Pw),
            Ratio, canonicalScale: 8, canonicalLevel: 2);
}

public class MultiScaleRoIAlignTests
{
    public static class Arbs
    {
        public static Arbitrary<PyramidCase> Cases() =>
            Arb.From(
                from n in Gen.Choose(1, 2)
                from c in Gen.Choose(1, 2)
                from k in Gen.Frequency((1, Gen.Constant(0)), (6, Gen.Choose(1, 4)))
                from ph in Gen.Choose(1, 2)
                from pw in Gen.Choose(1, 2)
                from ratio in Gen.Choose(-1, 2)
                from seed in Gen.Choose(0, int.MaxValue)
                select new PyramidCase(n, c, k, ph, pw, ratio, (ulong)seed));
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Gradients_match_finite_differences(PyramidCase c)
    {
        var boxes = c.Boxes();
        Verify.Gradients(x => c.Apply(x, boxes), c.Features());
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Cpu_matches_reference(PyramidCase c)
    {
        var boxes = c.Boxes();
        Verify.SameOnBackends(x => c.Apply(x, boxes), c.Features(), 1e-13, 1e-12);
        var boxes32 = c.Boxes(DType.F32);
        Verify.SameOnBackends(x => c.Apply(x, boxes32), c.Features(DType.F32), 1e-5, 1e-5);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Each_row_is_roi_align_of_the_box_on_its_fpn_level_in_box_order(PyramidCase c)
    {
        var (features, boxes) = (c.Features(), c.Boxes());
        var y = c.Apply(features, boxes).ToDoubleArray();
        var rowSize = c.C * c.Ph * c.Pw;
        var row = 0;
        for (var i = 0; i < c.N; i++)
        {
            var b = boxes[i].ToDoubleArray();
            for (var k = 0; k < c.K; k++, row++)
            {
                // FPN eq. 1 written out: k0 = 2 at s0 = 8, clamped to the levels 1 (stride 2) … 3 (stride 8).
                var side = Math.Sqrt((b[4 * k + 2] - b[4 * k]) * (b[4 * k + 3] - b[4 * k + 1]));
                var level = Math.Clamp((int)Math.Floor(2 + Math.Log2(side / 8) + 1e-6), 1, 3);
                var roi = Tensor.FromDoubles([i, b[4 * k], b[4 * k + 1], b[4 * k + 2], b[4 * k + 3]], new Shape(1, 5),
                    DType.F64);
                var expected = F.RoIAlign(features[level - 1], roi, (c.Ph, c.Pw), Math.Pow(2, -level), c.Ratio);
                Verify.Close(expected.ToDoubleArray(), y.AsSpan(row * rowSize, rowSize).ToArray(), 0, 0,
                    $"row {row} (level {level})");
            }
        }
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void One_map_is_plain_roi_align_at_its_inferred_scale(PyramidCase c)
    {
        var (features, boxes) = (c.Features(), c.Boxes());
        var y = F.MultiScaleRoIAlign([features[1]], boxes, c.ImageShapes, (c.Ph, c.Pw), c.Ratio);
        var rois = F.Cat([.. boxes.Select((b, i) => F.Cat([Tensor.Full(new Shape(c.K, 1), i, DType.F64), b], 1))], 0);
        Verify.Close(F.RoIAlign(features[1], rois, (c.Ph, c.Pw), 0.25, c.Ratio), y, 0, 0);
    }

    [Fact]
    public void Known_values_match_torchvision()
    {
        // torchvision 0.14: f(n,c,h,w,phase) = torch.sin(0.37 * torch.arange(n*c*h*w, dtype=torch.float64)
        //   .reshape(n, c, h, w) + phase); x = {'p2': f(2,2,64,64,0), 'p3': f(2,2,32,32,1), 'p4': f(2,2,16,16,2),
        //   'p5': f(2,2,8,8,3)}; torchvision.ops.MultiScaleRoIAlign(['p2','p3','p4','p5'], 2, 2)(x, [b0, b1],
        //   [(256, 256), (200, 240)]) with b0, b1 below (float64); its scales [0.25, 0.125, 0.0625, 0.03125],
        //   k_min 2, k_max 5, levels [0, 0, 1, 2, 0, 3].
        static Tensor Map(int h, double phase)
        {
            var v = new double[2 * 2 * h * h];
            for (var i = 0; i < v.Length; i++) v[i] = Math.Sin(0.37 * i + phase);
            return Tensor.FromDoubles(v, new Shape(2, 2, h, h), DType.F64);
        }
        Tensor[] features = [Map(64, 0), Map(32, 1), Map(16, 2), Map(8, 3)];
        var b0 = Tensor.FromDoubles([10, 20, 40, 50, 5, 7, 120, 90, 30, 40, 200, 210, 0, 0, 250, 255], new Shape(4, 4),
            DType.F64);
        var b1 = Tensor.FromDoubles([100, 60, 130.5, 99.25, -20, -30, 400, 500], new Shape(2, 4), DType.F64);
        double[] expected =
        [
            -0.15938074427606733, -0.07837128178723746, -0.14706611947160683, 0.03264386362463517,
            -0.09425279569096973, 0.1193535940423343, 0.014182514972819638, 0.1595266148468998,
            0.08469240053749627, 0.14223798644426822, -0.019471750583669595, -0.14796253233082599,
            -0.08647563618992277, 0.048224467620806614, 0.15324635301432266, 0.027423396608272366,
            0.013591723399897337, -0.14008421211800257, -0.18117715631817202, 0.11353630616228444,
            0.17095788438764642, -0.07296511178599627, 0.07904715105061194, -0.1731689032431773,
            0.5084009065382261, -0.5453575631894904, -0.4356507289743261, 0.504040349678281,
            0.3478191161353215, -0.4414881637458164, -0.2299315567911841, 0.3455279079638583,
            0.07515734176780642, -0.16632333580622766, 0.19612081028771727, 0.005941892382035074,
            -0.151765099009726, -0.14666732746328526, 0.033303307941704496, -0.18569181740031415,
            -0.2899642016478481, -0.21442585701046452, 0.0, 0.0,
            0.32527022964048063, -0.2108322740223435, 0.0, 0.0,
        ];
        (int, int)[] shapes = [(256, 256), (200, 240)];
        Verify.Values(F.MultiScaleRoIAlign(features, [b0, b1], shapes, 2, 2), new Shape(6, 2, 2, 2), expected, 1e-12);
        Assert.Equal([0L, 0, 1, 2, 0, 3], F.FpnLevels(F.Cat([b0, b1], 0), 2, 5).ToArray<long>());
        var module = new MultiScaleRoIAlign(["p2", "p3", "p4", "p5"], 2, 2);
        var named = new Dictionary<string, Tensor>
        {
            ["p5"] = features[3], ["p4"] = features[2], ["unused"] = features[0], ["p3"] = features[1],
            ["p2"] = features[0],
        };
        Verify.Values(module.Forward(new PyramidRois(named, [b0, b1], shapes)), new Shape(6, 2, 2, 2), expected, 1e-12);
        Verify.Values(F.MultiScaleRoIAlign(features.Select(f => f.To(Device.Reference)).ToArray(),
            [b0.To(Device.Reference), b1.To(Device.Reference)], shapes, 2, 2), new Shape(6, 2, 2, 2), expected, 1e-12);
    }

    [Fact]
    public void Levels_clamp_and_inverted_or_nan_boxes_give_zero_rows()
    {
        // Zero area → log2 0 = −∞ → the finest level; negative area or NaN → no level (−1) → a zero row.
        var boxes = Tensor.FromDoubles([0, 0, 0, 5, 0, 0, 1000, 1000, 5, 5, 1, 9, double.NaN, 0, 4, 4],
            new Shape(4, 4), DType.F64);
        Assert.Equal([0L, 3, -1, -1], F.FpnLevels(boxes, 2, 5).ToArray<long>());
        var c = new PyramidCase(1, 2, 0, 2, 2, 2, 3);
        var y = F.MultiScaleRoIAlign(c.Features(), [boxes], [(16, 16)], 2, 2, canonicalScale: 8, canonicalLevel: 2);
        Assert.Equal(new Shape(4, 2, 2, 2), y.Shape);
        Assert.All(y.ToDoubleArray().Skip(16), v => Assert.Equal(0.0, v));
        Assert.Contains(y.ToDoubleArray().Take(16), v => v != 0);
    }

    [Fact]
    public void No_boxes_give_an_empty_output()
    {
        var c = new PyramidCase(2, 3, 0, 2, 3, 2, 1);
        var y = c.Apply(c.Features(), c.Boxes());
        Assert.Equal(new Shape(0, 3, 2, 3), y.Shape);
    }

    [Fact]
    public void Bad_inputs_name_the_argument()
    {
        var c = new PyramidCase(2, 2, 1, 2, 2, 2, 5);
        var (f, b) = (c.Features(), c.Boxes());
        (int, int)[] shapes = [(16, 16), (16, 12)];
        var e1 = Assert.Throws<ArgumentException>(() => F.MultiScaleRoIAlign([], b, shapes, 2, 2));
        Assert.Contains("features", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => F.MultiScaleRoIAlign(f, b, [], 2, 2));
        Assert.Contains("imageShapes", e2.Message);
        var e3 = Assert.Throws<ShapeMismatchException>(() => F.MultiScaleRoIAlign(f, [b[0]], shapes, 2, 2));
        Assert.Contains("boxes", e3.Message);
        var e4 = Assert.Throws<ShapeMismatchException>(() =>
            F.MultiScaleRoIAlign([f[0], Tensor.Zeros(new Shape(2, 3, 4, 4), DType.F64)], b, shapes, 2, 2));
        Assert.Contains("features[1]", e4.Message);
        var e5 = Assert.Throws<ShapeMismatchException>(() =>
            F.MultiScaleRoIAlign(f, [b[0], Tensor.Zeros(new Shape(1, 5), DType.F64)], shapes, 2, 2));
        Assert.Contains("boxes[1]", e5.Message);
        Assert.Throws<DTypeMismatchException>(() => F.MultiScaleRoIAlign(f, [b[0], b[1].To(DType.F32)], shapes, 2, 2));
        var e6 = Assert.Throws<ArgumentOutOfRangeException>(() => F.FpnLevels(b[0], 3, 2));
        Assert.Contains("kMax", e6.Message);
        var e7 = Assert.Throws<ArgumentException>(() => new MultiScaleRoIAlign(["p2", "p2"], 7, 2));
        Assert.Contains("featureNames", e7.Message);
        var module = new MultiScaleRoIAlign(["p2", "p3"], 7, 2);
        var e8 = Assert.Throws<KeyNotFoundException>(() =>
            module.Forward(new PyramidRois(new Dictionary<string, Tensor> { ["p2"] = f[0] }, b, shapes)));
        Assert.Contains("p3", e8.Message);
    }
}
