using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Detection;

public class SigmoidFocalLossTests
{
    private static readonly (double Alpha, double Gamma, Reduction R)[] Settings =
        [(0.25, 2, Reduction.None), (-1, 2, Reduction.Mean), (0.4, 1.5, Reduction.Sum), (0.25, 0, Reduction.None)];

    [TensorProperty]
    public void Gradients_match_finite_differences(ShapeCase c)
    {
        foreach (var (alpha, gamma, r) in Settings)
            Verify.Gradients(x => F.SigmoidFocalLoss(x[0], x[1], alpha, gamma, r),
                Values.Uniform(c.Shape, c.Seed, DType.F64, -4, 4), Values.Uniform(c.Shape, c.Seed + 1, DType.F64, 0, 1));
    }

    [TensorProperty]
    public void Cpu_matches_reference(ShapeCase c)
    {
        foreach (var (alpha, gamma, r) in Settings)
        {
            Verify.SameOnBackends(x => F.SigmoidFocalLoss(x[0], x[1], alpha, gamma, r),
                [Values.Uniform(c.Shape, c.Seed, DType.F64, -4, 4), Values.Uniform(c.Shape, c.Seed + 1, DType.F64, 0, 1)],
                1e-12, 1e-10);
            Verify.SameOnBackends(x => F.SigmoidFocalLoss(x[0], x[1], alpha, gamma, r),
                [Values.Uniform(c.Shape, c.Seed, DType.F32, -4, 4), Values.Uniform(c.Shape, c.Seed + 1, DType.F32, 0, 1)],
                1e-5, 1e-4);
        }
    }

    [TensorProperty]
    public void Gamma_zero_and_no_alpha_is_bce_with_logits(ShapeCase c)
    {
        var x = Values.Uniform(c.Shape, c.Seed, DType.F64, -4, 4);
        var y = Values.Uniform(c.Shape, c.Seed + 1, DType.F64, 0, 1);
        Verify.Close(F.BinaryCrossEntropyWithLogits(x, y, reduction: Reduction.None), F.SigmoidFocalLoss(x, y, -1, 0),
            1e-15, 1e-14);
    }

    /// <summary>Golden case: x = [[-3, -0.5, 0, 0.7], [1.5, 4, -2, 0.2]], y = [[0, 1, 1, 0], [1, 0, 0.3, 1]]
    /// (float64, requiring grad); for reduction 'none' the backward is (l * [[1, -2, .5, 3], [.25, 1, -1, 2]]).sum()
    /// .backward(), else l.backward().</summary>
    private static void Focal(double alpha, double gamma, Reduction reduction, double[] loss, double[] gx, double[] gy)
    {
        foreach (var device in new[] { Device.Cpu, Device.Reference })
        {
            var x = Tensor.FromDoubles([-3, -0.5, 0, 0.7, 1.5, 4, -2, 0.2], new Shape(2, 4), DType.F64, device).RequiresGrad_();
            var y = Tensor.FromDoubles([0, 1, 1, 0, 1, 0, 0.3, 1], new Shape(2, 4), DType.F64, device).RequiresGrad_();
            var l = F.SigmoidFocalLoss(x, y, alpha, gamma, reduction);
            var what = $"alpha {alpha} gamma {gamma} {reduction} on {device}";
            Verify.Close(loss, l.ToDoubleArray(), 1e-14, 1e-12, what);
            var g = Tensor.FromDoubles([1, -2, 0.5, 3, 0.25, 1, -1, 2], new Shape(2, 4), DType.F64, device);
            (reduction == Reduction.None ? (l * g).Sum() : l).Backward();
            Verify.Close(gx, x.Grad!.ToDoubleArray(), 1e-14, 1e-12, what + " grad input");
            Verify.Close(gy, y.Grad!.ToDoubleArray(), 1e-14, 1e-12, what + " grad target");
        }
    }

    [Fact]
    public void Known_values_match_torchvision()
    {
        // torch 1.13: torchvision.ops.sigmoid_focal_loss(x, y, 0.25, 2, 'none')
        Focal(0.25, 2, Reduction.None,
            [8.196249337274787e-05, 0.09435290021485244, 0.04332169878499658, 0.3694086597123815, 0.0016757117316439148,
                2.9061804284680104, 0.05272359221204657, 0.030303125231616646],
            [0.00023615388486621043, 0.26307591093729155, -0.037285849392498294, 1.4066862651759688,
                -0.0010644440764522457, 0.8147968898136266, 0.0003758120843435041, -0.11225969582816592],
            [0.008134684979888663, 0.1320478025023939, -0.04332169878499657, -2.5578097743885646, -0.006874922451625104,
                -10.536410624841894, -0.33210392676723877, -0.16831422595264467]);
        // torch 1.13: torchvision.ops.sigmoid_focal_loss(x, y, -1, 2, 'none')
        Focal(-1, 2, Reduction.None,
            [0.00010928332449699716, 0.3774116008594098, 0.17328679513998632, 0.49254487961650867, 0.006702846926575659,
                3.8749072379573475, 0.0878726536867443, 0.12121250092646658],
            [0.0003148718464882806, 1.0523036437491662, -0.14914339756999317, 1.8755816869012918, -0.004257776305808983,
                1.0863958530848354, 0.0006263534739058343, -0.44903878331266367],
            [0.010919102189516215, -0.9814551934280638, 0.0, -2.425323273285069, -0.02414826634321259,
                -11.465276007817627, -0.626733756017685, -0.18840690010471237]);
        // torch 1.13: torchvision.ops.sigmoid_focal_loss(x, y, 0.25, 0, 'none')
        Focal(0.25, 0, Reduction.None,
            [0.03644051368030647, 0.24351924604502667, 0.17328679513998632, 0.8273895366640934, 0.050353319495688116,
                3.013612445938357, 0.4361568066257835, 0.14953471734539794],
            [0.03556940488317509, 0.3112296656009273, -0.0625, 1.503422487378374, -0.011401595237897272,
                0.7365103425284314, 0.10847824678672945, -0.22508300134376102],
            [2.225706324213129, 0.7240769841801068, -0.1732867951399863, -3.229779073328187, -0.11892665974784405,
                -5.009074963958905, -0.8365359944785135, -0.6981388693815919]);
        // torch 1.13: torchvision.ops.sigmoid_focal_loss(x, y, 0.4, 1.5, 'mean')
        Focal(0.4, 1.5, Reduction.Mean,
            [0.39454506700714653],
            [9.051377363572675e-05, -0.028829546369438, -0.018028754859849474, 0.04986475864212554,
                -0.001672984267248448, 0.07958509505866766, -0.0006792473341790362, -0.014248281713397315],
            [0.0033887557065543964, 0.014434925994965465, -0.006126613396678417, -0.07786429233263079,
                -0.010334018422214025, -0.8215425295672538, 0.05700269977354603, -0.010536742686505628]);
        // torch 1.13: torchvision.ops.sigmoid_focal_loss(x, y, 0.25, 2, 'sum')
        Focal(0.25, 2, Reduction.Sum,
            [3.498048078848921],
            [0.00023615388486621043, -0.13153795546864577, -0.07457169878499659, 0.46889542172532295,
                -0.004257776305808983, 0.8147968898136266, -0.0003758120843435041, -0.05612984791408296],
            [0.008134684979888663, -0.06602390125119695, -0.08664339756999315, -0.8526032581295215,
                -0.027499689806500416, -10.536410624841894, 0.33210392676723877, -0.08415711297632233]);    }

    [Fact]
    public void Bad_inputs_name_the_argument()
    {
        var a = Tensor.Zeros(new Shape(2, 3), DType.F64);
        Assert.Contains("target", Assert.Throws<ShapeMismatchException>(
            () => F.SigmoidFocalLoss(a, Tensor.Zeros(new Shape(3), DType.F64))).Message);
        Assert.Contains("alpha", Assert.Throws<ArgumentOutOfRangeException>(
            () => F.SigmoidFocalLoss(a, a, alpha: 1.5)).Message);
        Assert.Contains("gamma", Assert.Throws<ArgumentOutOfRangeException>(
            () => F.SigmoidFocalLoss(a, a, gamma: -1)).Message);
        Assert.Contains("input", Assert.Throws<DTypeMismatchException>(
            () => F.SigmoidFocalLoss(Tensor.Arange(3), Tensor.Arange(3))).Message);
    }
}
