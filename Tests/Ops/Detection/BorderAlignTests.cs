using FsCheck;
using FsCheck.Fluent;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Detection;

/// <summary>A random BorderAlign problem: input [N, 4C, H, W], K boxes per image, pool size P.</summary>
public sealed record BorderCase(int N, int C, int H, int W, int K, int P, ulong Seed)
{
    public override string ToString() => $"input [{N}, {4 * C}, {H}, {W}] K={K} P={P} seed {Seed}";

    public Tensor Input(DType dtype = DType.F64) => Values.Uniform(new Shape(N, 4 * C, H, W), Seed, dtype, -2, 2);

    /// <summary>Any boxes: corners in [−2, W + 1) × [−2, H + 1), some inverted, some partly off the map.</summary>
    public Tensor AnyBoxes(DType dtype = DType.F64)
    {
        var g = new Generator(Seed + 1);
        var v = new double[N * K * 4];
        for (var i = 0; i < v.Length; i++) v[i] = -2 + ((i % 2 == 0 ? W : H) + 3) * g.NextDouble();
        return Tensor.FromDoubles(v, new Shape(N, K, 4), dtype);
    }

    /// <summary>Ordered boxes inside [0, W − 1] × [0, H − 1] with sides ≥ ⅓ (so the P + 1 samples of a side are
    /// distinct points); needs H, W ≥ 2.</summary>
    public Tensor InsideBoxes()
    {
        var g = new Generator(Seed + 2);
        var v = new double[N * K * 4];
        for (var b = 0; b < N * K; b++)
            for (var axis = 0; axis < 2; axis++)
            {
                var extent = (axis == 0 ? W : H) - 1.0;
                var size = 1.0 / 3 + (extent - 1.0 / 3) * g.NextDouble();
                var lo = (extent - size) * g.NextDouble();
                (v[4 * b + axis], v[4 * b + 2 + axis]) = (lo, lo + size);
            }
        return Tensor.FromDoubles(v, new Shape(N, K, 4), DType.F64);
    }
}

public class BorderAlignTests
{
    public static class Arbs
    {
        public static Arbitrary<BorderCase> Cases() =>
            Arb.From(
                from n in Gen.Choose(1, 2)
                from c in Gen.Choose(1, 2)
                from h in Gen.Choose(1, 5)
                from w in Gen.Choose(1, 5)
                from k in Gen.Frequency((1, Gen.Constant(0)), (6, Gen.Choose(1, 3)))
                from p in Gen.Choose(1, 4)
                from seed in Gen.Choose(0, int.MaxValue)
                select new BorderCase(n, c, h, w, k, p, (ulong)seed));
    }

    /// <summary>Independent oracle for boxes inside the map: the P + 1 sample values of every output
    /// [n, c, k, side], by plain bilinear interpolation of the 4 surrounding pixels.</summary>
    private static double[][] Samples(BorderCase c, double[] x, double[] b)
    {
        var result = new double[c.N * c.C * c.K * 4][];
        double At(int plane, double yy, double xx)
        {
            var (y0, x0) = ((int)Math.Floor(yy), (int)Math.Floor(xx));
            var (y1, x1) = (Math.Min(y0 + 1, c.H - 1), Math.Min(x0 + 1, c.W - 1));
            var (ly, lx) = (yy - y0, xx - x0);
            double Px(int r, int q) => x[(plane * c.H + r) * c.W + q];
            return (1 - ly) * ((1 - lx) * Px(y0, x0) + lx * Px(y0, x1)) + ly * ((1 - lx) * Px(y1, x0) + lx * Px(y1, x1));
        }
        for (var n = 0; n < c.N; n++)
            for (var ch = 0; ch < c.C; ch++)
                for (var k = 0; k < c.K; k++)
                {
                    var o = (n * c.K + k) * 4;
                    var (bx1, by1, bx2, by2) = (b[o], b[o + 1], b[o + 2], b[o + 3]);
                    for (var s = 0; s < 4; s++)
                    {
                        var v = new double[c.P + 1];
                        for (var i = 0; i <= c.P; i++)
                        {
                            var t = (double)i / c.P;
                            var (yy, xx) = s switch
                            {
                                0 => (by1, bx1 + t * (bx2 - bx1)),
                                1 => (by1 + t * (by2 - by1), bx1),
                                2 => (by2, bx2 - t * (bx2 - bx1)),
                                _ => (by2 - t * (by2 - by1), bx2),
                            };
                            v[i] = At(n * 4 * c.C + s * c.C + ch, yy, xx);
                        }
                        result[((n * c.C + ch) * c.K + k) * 4 + s] = v;
                    }
                }
        return result;
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Output_is_the_max_of_the_border_samples(BorderCase c)
    {
        if (c.H < 2 || c.W < 2) return;
        var (x, boxes) = (c.Input(), c.InsideBoxes());
        var expected = Samples(c, x.ToDoubleArray(), boxes.ToDoubleArray()).Select(v => v.Max()).ToArray();
        foreach (var device in new[] { Device.Cpu, Device.Reference })
            Verify.Close(expected, F.BorderAlign(x.To(device), boxes.To(device), c.P).ToDoubleArray(), 1e-12, 1e-12,
                device.ToString());
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Gradients_match_finite_differences(BorderCase c)
    {
        if (c.H < 2 || c.W < 2) return;
        var (x, boxes) = (c.Input(), c.InsideBoxes());
        // The output is piecewise linear in the input with kinks only at ties of the maximum: skip the rare case of a
        // near tie (the finite difference would straddle it).
        var gap = Samples(c, x.ToDoubleArray(), boxes.ToDoubleArray())
            .Select(v => v.Length < 2 ? double.PositiveInfinity : v.OrderDescending().Take(2).Aggregate((a, b) => a - b))
            .DefaultIfEmpty(double.PositiveInfinity).Min();
        if (gap < 1e-4) return;
        Verify.Gradients(t => F.BorderAlign(t[0], boxes, c.P), x);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Cpu_matches_reference(BorderCase c)
    {
        var boxes = c.AnyBoxes();
        Verify.SameOnBackends(t => F.BorderAlign(t[0], boxes.To(t[0].Device), c.P), [c.Input()], 1e-13, 1e-12);
        var boxes32 = c.AnyBoxes(DType.F32);
        Verify.SameOnBackends(t => F.BorderAlign(t[0], boxes32.To(t[0].Device), c.P), [c.Input(DType.F32)], 1e-5,
            1e-5);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Cpu_matches_reference_bitwise_across_vector_lanes_and_box_blocks(BorderCase c)
    {
        // 9–19 channels per side (vector lanes and scalar tail), up to 40 boxes (several blocks of 16), and inputs
        // on a ½ grid so that equal samples tie: the arg-max (seen through the gradient) must be the first maximum.
        var wide = c with { C = 9 + 5 * c.C % 11, K = c.K * 13 };
        var boxes = wide.AnyBoxes();
        var coarse = Tensor.FromDoubles([.. wide.Input().ToDoubleArray().Select(v => Math.Round(v * 2) / 2)],
            new Shape(wide.N, 4 * wide.C, wide.H, wide.W), DType.F64);
        Verify.SameOnBackends(x => F.BorderAlign(x[0], boxes.To(x[0].Device), wide.P), [coarse], 0, 0);
        var boxes32 = wide.AnyBoxes(DType.F32);
        Verify.SameOnBackends(x => F.BorderAlign(x[0], boxes32.To(x[0].Device), wide.P), [coarse.To(DType.F32)], 0, 0);
    }

    [Fact]
    public void Hand_computed_ramp()
    {
        // One channel per side, plane value = 10·row + col, box (0.5, 1, 2.5, 3), P = 2 on a 4×4 map.
        // top: y = 1, x ∈ {0.5, 1.5, 2.5} → max 10 + 2.5 = 12.5 at i = 2; left: x = 0.5, y ∈ {1, 2, 3} → 30.5;
        // bottom: y = 3, x ∈ {2.5, 1.5, 0.5} → 32.5 at i = 0; right: x = 2.5, y ∈ {3, 2, 1} → 32.5 at i = 0.
        var plane = Enumerable.Range(0, 16).Select(i => 10.0 * (i / 4) + i % 4).ToArray();
        foreach (var device in new[] { Device.Cpu, Device.Reference })
        {
            var x = Tensor.FromDoubles([.. plane, .. plane, .. plane, .. plane], new Shape(1, 4, 4, 4), DType.F64,
                device).RequiresGrad_();
            var boxes = Tensor.FromDoubles([0.5, 1, 2.5, 3], new Shape(1, 1, 4), DType.F64, device);
            var y = F.BorderAlign(x, boxes, 2);
            Verify.Values(y, new Shape(1, 1, 1, 4), [12.5, 30.5, 32.5, 32.5], 1e-14);
            y.Sum().Backward();
            var g = x.Grad!.ToDoubleArray();
            // top (1, 2.5) → ½ to (1, 2) and (1, 3); left (3, 0.5) → ½ to (3, 0), (3, 1); bottom (3, 2.5) and
            // right (3, 2.5) → ½ to (3, 2), (3, 3) in their own planes.
            var expected = new double[64];
            (expected[6], expected[7]) = (0.5, 0.5);
            (expected[16 + 12], expected[16 + 13]) = (0.5, 0.5);
            (expected[32 + 14], expected[32 + 15]) = (0.5, 0.5);
            (expected[48 + 14], expected[48 + 15]) = (0.5, 0.5);
            Verify.Close(expected, g, 1e-14, 0, device.ToString());
        }
    }

    [Fact]
    public void Known_values_match_torch_grid_sample()
    {
        // torch 1.13 (independent formulation with grid_sample): x = torch.sin(torch.arange(480.) * 0.37)
        // .reshape(2, 8, 5, 6); per (n, k, side) the P + 1 = 5 points of the side (x1 + i·w/P, y1), (x1, y1 + i·h/P),
        // (x2 − i·w/P, y2), (x2, y2 − i·h/P) are sampled with F.grid_sample(x[n:n+1, s*C:(s+1)*C], grid,
        // align_corners=True) (grid = 2·p/(size − 1) − 1) and reduced with .max(dim=1); y[n, :, k, s] = that max;
        // g = torch.cos(torch.arange(y.numel())).reshape(y.shape); (y * g).sum().backward(); x.grad nonzeros listed.
        double[] y = [0.4722793316786616, 0.5804727314647512, 0.09240024315471483, 0.8211373883284285, 0.994150562459523, 0.9186838642783556, -0.30748660621129903, 0.9998746336661238, -0.3921464830882917, 0.6185573303020792, 0.46935237115309836, 0.41981833623363485, 0.4635245896480515, 0.5615997040561698, 0.8312241251202173, 0.3625859052938028, 0.37428850114575674, 0.7193514679763593, 0.9029323225709881, 0.7399537824819777, 0.1510876751493304, 0.7213896433661009, 0.42016310701727827, 0.9119449833672556, 0.6828405196543511, 0.5460668221812196, 0.5511056507740073, 0.7127742584839772, -0.09078140813771139, 0.6625691596827559, 0.23958929318433694, 0.6775985135300066, 0.9653200019143422, 0.7166089367771851, -0.5507496118182656, 0.6825348106536995, 0.5025762229051562, 0.6960633263673831, -0.561458876730548, 0.46881808341086223, 0.451737119863005, 0.6766791983096794, 0.4763960157460112, 0.9249369723750779, 0.938767330299503, 0.7683722174386994, 0.6874994629673125, 0.9637749164797579];
        int[] gradIndex = [0, 1, 4, 5, 6, 7, 8, 9, 14, 15, 34, 35, 38, 39, 40, 41, 44, 45, 68, 69, 72, 73, 74, 75, 78, 79, 91, 92, 98, 99, 104, 105, 108, 109, 114, 115, 138, 139, 140, 141, 144, 145, 146, 147, 168, 169, 170, 171, 174, 175, 176, 177, 188, 189, 191, 194, 195, 202, 203, 208, 209, 218, 219, 224, 225, 226, 227, 232, 233, 241, 242, 243, 247, 248, 259, 260, 265, 266, 273, 274, 275, 279, 280, 289, 290, 295, 296, 310, 311, 312, 316, 317, 318, 342, 346, 347, 348, 361, 362, 367, 368, 375, 376, 381, 382, 389, 392, 393, 398, 399, 405, 406, 411, 412, 414, 427, 428, 429, 430, 431, 433, 434, 435, 436, 459, 460, 463, 464, 465, 466, 479];
        double[] gradValue = [0.2799999999999999, 0.11999999999999997, -0.6209614398204315, -0.03268218104318048, 0.42000000000000004, 0.18000000000000002, -0.036375008452153385, -0.036375008452153385, -0.036375008452153385, -0.036375008452153385, 0.10126247504789897, -0.7213803718782869, 0.10202051545334799, 0.10202051545334799, 0.1518937125718485, 0.3544186626676468, 0.10202051545334799, 0.10202051545334799, -0.022778256547116942, -0.022778256547116942, 0.28365871058077335, 0.3484977671909124, -0.37605443730257626, -0.4327868743952215, 0.09455290352692446, 0.04052267294011048, -0.22013067044127754, -0.05503266761031937, -0.013693231505606722, -0.013693231505606722, -0.2601713986065275, -0.2601713986065275, 0.5875717909890023, 0.2518164818524295, 0.04764095602613513, 0.020417552582629343, -0.029130278558300006, -0.012484405096414271, -0.2936750351767584, -0.2936750351767584, -0.2621725070246998, 0.6557765834525642, 0.06617332796860556, -0.1258607293614678, 0.009571605274548365, 0.004102116546235008, -0.06999725784762467, -0.6299753206286215, 0.0861444474709352, 0.5651724155113791, 0.10206451685697701, -0.26998942312655183, 0.00022128489940253946, 0.0019915640946228533, 0.7539022543433046, 0.00022128489940253946, 0.0019915640946228533, -0.02969977489801337, -0.06929947476203126, -0.2672979740821201, -0.6236952728582807, -0.002664165101666992, -0.023977485915002907, -0.05061913693167281, -0.4555722323850548, -0.1709297803932347, 0.5898684639357878, -0.056976593464411564, -0.13294538475029377, 0.11877012205435919, 0.6376847640684935, 0.4171116802532551, 0.02969253051358979, 0.05514327095380959, -0.11551270395762789, -0.26952964256779866, -0.1732690559364419, -0.4042944638516981, -0.07165966619134664, -0.030711285510577106, 0.9998433086476912, -0.017914916547836657, -0.007677821377644274, -0.08003256739827136, -0.18674265726263334, -0.12004885109740708, -0.2801139858939501, -0.5386014213760806, -0.05984460237511983, 0.8788057834540667, -0.13465035534401992, -0.014961150593779934, 0.09912028118634744, 1.2141946355685387, -0.8886053497714441, -0.0987339277523823, 0.07654140519453441, 0.027765260979765158, 0.06478560895278529, 0.018510173986510097, 0.043190405968523506, 0.4075591730670435, 0.17466821702873275, 0.04528435256300487, 0.019407579669859218, -0.8485702747846052, -0.02399911889930121, -0.2159920700937096, -0.01599941259953413, -0.14399471339580633, 0.6016963957497959, 0.25786988389276944, 0.06685515508331072, 0.028652209321418855, -0.4321779448847783, 0.21953816587308767, 0.5122557203705371, -0.1738225911966326, -0.0744953962271282, -0.9036922050915067, 0.05488454146827198, 0.12806393009263445, -0.03067457491705279, -0.013146246393022613, 0.06999376974448354, 0.029997329890492922, 0.16653399045618786, 0.3885793110644378, 0.11665628290747257, 0.0499955498174882, -0.9923354691509287];
        foreach (var device in new[] { Device.Cpu, Device.Reference })
        {
            var x = Tensor.FromDoubles(Enumerable.Range(0, 480).Select(i => Math.Sin(i * 0.37)).ToArray(),
                new Shape(2, 8, 5, 6), DType.F64, device).RequiresGrad_();
            var boxes = Tensor.FromDoubles(
                [0.3, 0.6, 4.7, 3.9, 1.2, 0.0, 5.0, 4.0, 2.5, 1.5, 2.9, 3.3,
                    0.0, 0.2, 3.3, 2.1, 4.1, 3.6, 1.7, 0.4, 0.0, 0.0, 5.0, 4.0], new Shape(2, 3, 4), DType.F64, device);
            var r = F.BorderAlign(x, boxes, 4);
            Assert.Equal(new Shape(2, 2, 3, 4), r.Shape);
            Verify.Close(y, r.ToDoubleArray(), 1e-14, 1e-12, device.ToString());
            var g = Tensor.FromDoubles(Enumerable.Range(0, 48).Select(i => Math.Cos(i)).ToArray(), r.Shape, DType.F64,
                device);
            (r * g).Sum().Backward();
            var expected = new double[480];
            for (var i = 0; i < gradIndex.Length; i++) expected[gradIndex[i]] = gradValue[i];
            Verify.Close(expected, x.Grad!.ToDoubleArray(), 1e-14, 1e-12, $"{device} grad");
        }
    }

    [Fact]
    public void Empty_boxes_and_out_of_map_samples()
    {
        var x = Values.Uniform(new Shape(2, 8, 3, 3), 5, DType.F64, 1, 2);
        Assert.Equal(new Shape(2, 2, 0, 4), F.BorderAlign(x, Tensor.Zeros(new Shape(2, 0, 4), DType.F64)).Shape);
        // A box entirely beyond x > W reads 0 on every side.
        var far = Tensor.FromDoubles([10, 0, 12, 2, 10, 0, 12, 2], new Shape(2, 1, 4), DType.F64);
        Assert.All(F.BorderAlign(x, far, 3).ToDoubleArray(), v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void Bad_inputs_name_the_argument()
    {
        var x = Tensor.Zeros(new Shape(1, 8, 4, 4), DType.F64);
        var boxes = Tensor.Zeros(new Shape(1, 2, 4), DType.F64);
        Assert.Contains("input", Assert.Throws<ShapeMismatchException>(
            () => F.BorderAlign(Tensor.Zeros(new Shape(1, 6, 4, 4), DType.F64), boxes)).Message);
        Assert.Contains("input", Assert.Throws<ShapeMismatchException>(
            () => F.BorderAlign(Tensor.Zeros(new Shape(8, 4, 4), DType.F64), boxes)).Message);
        Assert.Contains("boxes", Assert.Throws<ShapeMismatchException>(
            () => F.BorderAlign(x, Tensor.Zeros(new Shape(1, 2, 5), DType.F64))).Message);
        Assert.Contains("boxes", Assert.Throws<ShapeMismatchException>(
            () => F.BorderAlign(x, Tensor.Zeros(new Shape(2, 2, 4), DType.F64))).Message);
        Assert.Contains("boxes", Assert.Throws<ShapeMismatchException>(
            () => F.BorderAlign(x, Tensor.Zeros(new Shape(2, 4), DType.F64))).Message);
        Assert.Contains("poolSize", Assert.Throws<ArgumentOutOfRangeException>(
            () => F.BorderAlign(x, boxes, 0)).Message);
        Assert.Throws<DTypeMismatchException>(() => F.BorderAlign(x, Tensor.Zeros(new Shape(1, 2, 4), DType.F32)));
    }
}
