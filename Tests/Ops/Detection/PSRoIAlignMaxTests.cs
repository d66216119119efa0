using FsCheck;
using FsCheck.Fluent;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Detection;

public class PSRoIAlignMaxTests
{
    public static class Arbs
    {
        /// <summary>RoiCase with C = (output channels)·ph·pw.</summary>
        public static Arbitrary<RoiCase> Cases() =>
            Arb.From(
                from n in Gen.Choose(1, 2)
                from cout in Gen.Choose(1, 2)
                from h in Gen.Choose(1, 6)
                from w in Gen.Choose(1, 6)
                from k in Gen.Frequency((1, Gen.Constant(0)), (6, Gen.Choose(1, 4)))
                from ph in Gen.Choose(1, 3)
                from pw in Gen.Choose(1, 3)
                from ratio in Gen.Choose(-1, 3)
                from aligned in Gen.Elements(false, true)
                from seed in Gen.Choose(0, int.MaxValue)
                select new RoiCase(n, cout * ph * pw, h, w, k, ph, pw, ratio, aligned, (ulong)seed));
    }

    private static Tensor Apply(RoiCase c, Tensor x, Tensor rois, int ratio) =>
        F.PSRoIAlignMax(x, rois, (c.Ph, c.Pw), 0.5, ratio, aligned: true);

    /// <summary>Oracle from the (separately tested) RoIAlign: with one sample per bin at gy·ph × gx·pw resolution it
    /// reads exactly the samples of the max op; returns, per output element, its gy·gx sample values.</summary>
    private static double[][] Samples(RoiCase c, Tensor x, Tensor rois, int g)
    {
        var fine = F.RoIAlign(x, rois, (c.Ph * g, c.Pw * g), 0.5, 1, aligned: true).ToDoubleArray();
        var (bins, cout) = (c.Ph * c.Pw, c.C / (c.Ph * c.Pw));
        var (fh, fw) = (c.Ph * g, c.Pw * g);
        var result = new double[c.K * cout * bins][];
        for (var k = 0; k < c.K; k++)
            for (var o = 0; o < cout; o++)
                for (var i = 0; i < c.Ph; i++)
                    for (var j = 0; j < c.Pw; j++)
                    {
                        var ch = (o * c.Ph + i) * c.Pw + j;
                        var v = new double[g * g];
                        for (var iy = 0; iy < g; iy++)
                            for (var ix = 0; ix < g; ix++)
                                v[iy * g + ix] = fine[((k * c.C + ch) * fh + i * g + iy) * fw + j * g + ix];
                        result[(k * cout + o) * bins + i * c.Pw + j] = v;
                    }
        return result;
    }

    private static int FixedRatio(RoiCase c) => c.Ratio > 0 ? c.Ratio : 2;

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Each_output_is_the_max_of_its_samples(RoiCase c)
    {
        var (x, rois, g) = (c.Input(), c.Rois(), FixedRatio(c));
        var expected = Samples(c, x, rois, g).Select(v => v.Max()).ToArray();
        foreach (var device in new[] { Device.Cpu, Device.Reference })
            Verify.Close(expected, Apply(c, x.To(device), rois.To(device), g).ToDoubleArray(), 1e-12, 1e-12,
                device.ToString());
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Gradients_match_finite_differences(RoiCase c)
    {
        var (x, rois, g) = (c.Input(), c.Rois(), FixedRatio(c));
        // Piecewise linear in the input, with kinks at ties of the maximum. Exact ties (gap 0) come from samples
        // clamped to the same point, which move together and are harmless; near ties would straddle a kink.
        var gaps = Samples(c, x, rois, g)
            .Select(v => v.Length < 2 ? double.PositiveInfinity : v.OrderDescending().Take(2).Aggregate((a, b) => a - b));
        if (gaps.Any(d => d > 0 && d < 1e-4)) return;
        Verify.Gradients(t => Apply(c, t[0], rois, g), x);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Cpu_matches_reference(RoiCase c)
    {
        Tensor Run(Tensor x, Tensor rois) =>
            F.PSRoIAlignMax(x, rois.To(x.Device), (c.Ph, c.Pw), 0.5, c.Ratio, c.Aligned);
        var rois = c.Rois();
        Verify.SameOnBackends(t => Run(t[0], rois), [c.Input()], 1e-13, 1e-12);
        var rois32 = c.Rois(DType.F32);
        Verify.SameOnBackends(t => Run(t[0], rois32), [c.Input(DType.F32)], 1e-5, 1e-5);
    }

    /// <summary>x = torch.sin(torch.arange(480.) * 0.37).reshape(2, 8, 5, 6), rois = [[0, .6, .4, 11.4, 9.2],
    /// [1, .3, .1, 4.2, 5.3], [1, 5.3, 3.1, 10.6, 8.4], [0, 2, 2, 4.5, 4.5]], output 2×2, scale 0.5, ratio 2.</summary>
    private static void Golden(bool aligned, double[] y, int[] gradIndex, double[] gradValue)
    {
        foreach (var device in new[] { Device.Cpu, Device.Reference })
        {
            var x = Tensor.FromDoubles(Enumerable.Range(0, 480).Select(i => Math.Sin(i * 0.37)).ToArray(),
                new Shape(2, 8, 5, 6), DType.F64, device).RequiresGrad_();
            var rois = Tensor.FromDoubles(
                [0, 0.6, 0.4, 11.4, 9.2, 1, 0.3, 0.1, 4.2, 5.3, 1, 5.3, 3.1, 10.6, 8.4, 0, 2.0, 2.0, 4.5, 4.5],
                new Shape(4, 5), DType.F64, device);
            var r = F.PSRoIAlignMax(x, rois, 2, 0.5, 2, aligned);
            Assert.Equal(new Shape(4, 2, 2, 2), r.Shape);
            Verify.Close(y, r.ToDoubleArray(), 1e-14, 1e-12, $"aligned {aligned} on {device}");
            var g = Tensor.FromDoubles(Enumerable.Range(0, 32).Select(i => Math.Cos(i)).ToArray(), r.Shape, DType.F64,
                device);
            (r * g).Sum().Backward();
            var expected = new double[480];
            for (var i = 0; i < gradIndex.Length; i++) expected[gradIndex[i]] = gradValue[i];
            Verify.Close(expected, x.Grad!.ToDoubleArray(), 1e-14, 1e-12, $"aligned {aligned} on {device} grad");
        }
    }

    [Fact]
    public void Known_values_match_torchvision_roi_align_then_block_max()
    {
        // torch 1.13 (independent formulation): ra = torchvision.ops.roi_align(x, rois, (4, 4), 0.5, 1, aligned)
        // reads one sample per 4×4 sub-bin, i.e. the 2×2 samples of every 2×2 bin; y[k, c, i, j] =
        // ra[k, (c*2+i)*2+j, 2i:2i+2, 2j:2j+2].max(); g = torch.cos(torch.arange(32.)).reshape(y.shape);
        // (y * g).sum().backward(); x.grad nonzeros listed. (No near ties: top-2 gaps > 1e-6.)
        Golden(true, [0.5248525909673198, 0.3130872741244214, 0.23208732855311634, 0.3816594768451355, 0.617317905436286, 0.5034259434196261, 0.057694905622973, 0.25279513381137747, 0.8149271598095107, 0.3881286208420787, 0.6126148633819405, 0.6684214927759942, 0.9685163515174491, 0.4387670361337829, 0.5520414963706171, 0.7207364142571469, 0.1761827286115321, -0.2424685032566409, 0.03266274154674677, -0.39036214393290214, 0.5284405438877369, -0.3270605239247984, 0.23176004549411044, -0.23369270555118507, 0.605835563029479, 0.9047258435586607, 0.4263487790112632, -0.054995793297980794, 0.37422551395012066, 0.936031911145443, 0.4740370839352155, 0.13806128518645952],
            [0, 1, 2, 6, 7, 8, 31, 32, 34, 35, 37, 38, 40, 41, 66, 67, 72, 73, 78, 79, 97, 98, 103, 104, 105, 106, 111, 112, 120, 121, 122, 126, 127, 128, 151, 152, 154, 155, 157, 158, 160, 161, 186, 187, 192, 193, 198, 199, 217, 218, 223, 224, 225, 226, 231, 232, 240, 241, 255, 256, 261, 262, 271, 272, 277, 278, 279, 280, 285, 286, 306, 312, 321, 322, 327, 328, 337, 338, 343, 344, 352, 353, 358, 359, 360, 361, 375, 376, 381, 382, 391, 392, 397, 398, 406, 407, 412, 413, 426, 427, 432, 433, 441, 442, 447, 448, 457, 458, 463, 464, 472, 473, 478, 479],
            [0.004556610430377897, 0.13994898354890312, 0.6187500000000001, 0.14125492334171483, 0.313418490016001, 0.20625, 0.012583629447485504, 0.018391458423248044, 0.19248269646552466, 0.21274403293558017, 0.39009251287205066, 0.5701352111206894, 0.06416089882184153, 0.07091467764519338, 0.008212842959250318, 0.2545981317367598, -0.10815901318946773, 0.2633866007211695, -0.09831469013426232, -0.08895138631195164, -0.048214315113299135, -0.07046707593482182, -0.07046707593482182, -0.10299034175089342, -0.4492090953324524, -0.09528677779779282, -0.36753471436291524, -0.07796190910728495, -0.11374541974994293, -0.3029410720336946, -0.40444199040935996, -0.2171503467953456, -0.44315666138571547, -0.13481399680311995, -0.01680207342074903, -0.006574724382032229, 0.10105465357127427, 0.11169198552614541, -0.5208642760432199, -0.2038164558429991, 0.033684884523758084, 0.037230661842048464, 0.0019582703599009695, 0.06070638115693005, 0.28011125771937934, 0.3395691983090753, 0.2268402302211488, 0.20523639877151562, 0.1509682211610994, 0.22064586169699144, 0.22064586169699144, 0.32248241324944904, 0.3420831479082747, 0.07256309198054303, 0.2798862119249517, 0.059369802529535144, -0.09002814591907961, -0.05547188788953392, -0.7841211080882213, -0.13164076997101506, -0.03587482193867694, -0.006022780325471304, -0.2786065503919238, -0.15418032400329776, -0.30793355569633685, -0.17040983179311858, -0.03298735486251379, -0.13726996055691176, -0.020325541884983256, -0.0845804807471881, -0.14683751758837904, -0.6922340114880734, 0.35690633953020834, 0.05991858254886701, 0.20848984190378542, 0.0350019442612194, 0.0004985825389663456, 0.000275914608942541, 0.0023504605408413465, 0.001300740299300552, 0.3315636385598658, 0.2925561516704688, 0.1936856898518031, 0.17089913810453153, 0.5221346369657295, 0.3217193217667627, 0.33413312881525425, 0.056095342793801725, 0.015287136612462678, 0.002566453591873293, 0.27748021114031773, 0.15355701004852546, 0.30668865441824594, 0.1697209058431071, -0.27825074332877425, -0.24551536176068228, -0.01273042616536881, -0.011232728969443028, 0.06980007685703005, 0.04300812816443267, 0.014806076909066984, 0.009122936277303904, -0.5404866388602574, -0.09073863280135695, -0.3157298187401508, -0.05300573599287196, -0.08558359143300148, -0.047361793317292115, -0.40346550246986457, -0.2232770256386631, -0.17868638592039932, -0.15766445816505767, -0.10438115613171858, -0.09210102011622194]);
        Golden(false, [0.4862867890047068, 0.6063799284823808, 0.4925802292195087, 0.04768476000354508, 0.28195726222409123, 0.4986675596657127, 0.79627464556304, 0.44878538748181573, 0.4890561030521719, 0.8080155275705816, 0.48842146742085046, 0.5103355817312575, 0.4364140073923797, 0.5398747425699727, 0.3576601518860467, 0.5375554087524078, 0.4437896516187209, 0.27232773943372995, 0.7913478497495896, 0.535895972162739, 0.48058852117532547, 0.3945394719748488, 0.755448568809269, 0.7278533967641766, 0.2438820828039091, 0.7506997171082477, 0.7606281509150654, 0.6656114051670345, -0.06597660087823301, 0.6839281697263258, 0.5782992134005412, 0.8214819274754456],
            [0, 1, 6, 7, 8, 13, 14, 33, 34, 37, 38, 39, 40, 43, 44, 73, 74, 79, 80, 86, 87, 104, 105, 110, 111, 119, 120, 121, 126, 127, 128, 133, 134, 153, 154, 157, 158, 159, 160, 163, 164, 187, 188, 193, 194, 206, 207, 224, 225, 230, 231, 239, 240, 241, 246, 247, 255, 256, 261, 262, 277, 278, 283, 284, 286, 287, 292, 293, 306, 307, 312, 313, 320, 321, 326, 327, 343, 344, 349, 350, 352, 353, 358, 359, 360, 361, 366, 367, 369, 370, 375, 376, 397, 398, 403, 404, 406, 407, 412, 413, 426, 427, 432, 433, 440, 441, 446, 447, 457, 458, 463, 464, 472, 473, 478, 479],
            [0.006249999999999978, 0.24375000000000002, 0.018749999999999933, 1.033229000340499, 0.05592203710009237, 0.05592203710009237, 0.010355932796313402, 0.04389956235178638, 0.09117601411524856, 0.18294661273652002, 0.6533807597732858, 0.13169868705535914, 0.2735280423457457, 0.03387900235861482, 0.12099643699505293, 0.4946658490071537, 0.0916047868531766, 0.05117232920763659, 0.009476357260673442, -0.28089911466932105, -0.13524772187782136, -0.23993040834487914, -0.024820387070159912, -0.024820387070159912, -0.0025676262486372323, -0.9899924966004454, -0.00408527263039756, -0.15932563258550542, -0.01225581789119268, -1.1632695506301394, -0.12690604682844872, -0.12690604682844872, -0.02350111978304606, 0.023047552568887145, 0.04786799379691942, -0.1380692120226768, -0.4931043286524172, 0.06914265770666143, 0.14360398139075825, -0.025568372596792004, -0.09131561641711429, 0.028470238309329477, 0.005272266353579533, 0.10167942253331956, 0.018829522691355474, 0.6481149434889969, 0.3120553431613691, 0.7512678934703231, 0.07771736829003342, 0.07771736829003342, 0.008039727754141388, 0.7539022543433046, -0.05513087218529497, -0.03580664894508849, -0.03307852331117698, -0.021483989367053095, -0.15565707412600016, -0.28127506377154393, -0.18550911573920578, -0.33521822668663476, -0.5607722033693348, -0.3275798019682251, -0.014378774445367637, -0.008399482101749407, -0.003923227280813894, -0.12162004570522715, -0.004675627033298754, -0.14494443803225712, -0.16532331221334473, -0.10737493473650227, -0.34336380228925456, -0.2230094798373509, 0.0016249981491944347, 0.08504156980784085, 0.010755940130382245, 0.5628942001566626, 0.001885762252096014, 0.0011015838898382653, 0.0009079596028610446, 0.0005303922432554615, 0.004055233785531364, 0.12571224735146863, 0.026841785532802927, 0.8320953515168663, 0.31974153905098335, 0.20766718515682425, 0.19184492343059, 0.12460031109409456, 0.017263784099371224, 0.03119596074096903, 0.12811545042164973, 0.23150686655140196, 0.5585051362706754, 0.32625547564326574, 0.014320644519760988, 0.008365525016494037, -0.007809421093041545, -0.2420920538842808, -0.009307118288967327, -0.2885206669579787, 0.02694150502501221, 0.017498090892533704, 0.05595543351348691, 0.03634218877680078, -0.0024608410962055805, -0.12878401736809017, -0.016288424398694133, -0.8524275435316472, -0.03549166967887301, -0.2114069020002439, -0.07371346779458242, -0.439075873385122, -0.002185447934961257, -0.06774888598379698, -0.014465583950457888, -0.44843310246418144]);
    }

    [Fact]
    public void Hand_computed_ramp()
    {
        // One 4×4 plane per bin of a 1×2 output, plane value = 10·row + col. RoI (0, 0, 0, 4, 2), scale 1, ratio 2,
        // legacy: bins are 2 wide and 2 high; bin j samples x ∈ {2j + 0.5, 2j + 1.5}, y ∈ {0.5, 1.5}; the max is at
        // (1.5, 2j + 1.5): 16.5 for j = 0; for j = 1, x = 3.5 clamps to the last column: 15 + 3 = 18.
        var plane = Enumerable.Range(0, 16).Select(i => 10.0 * (i / 4) + i % 4).ToArray();
        foreach (var device in new[] { Device.Cpu, Device.Reference })
        {
            var x = Tensor.FromDoubles([.. plane, .. plane], new Shape(1, 2, 4, 4), DType.F64, device).RequiresGrad_();
            var rois = Tensor.FromDoubles([0, 0, 0, 4, 2], new Shape(1, 5), DType.F64, device);
            var y = F.PSRoIAlignMax(x, rois, (1, 2), 1.0, 2);
            Verify.Values(y, new Shape(1, 1, 1, 2), [16.5, 18], 1e-14);
            y.Sum().Backward();
            var expected = new double[32];
            // (1.5, 1.5) → ¼ to rows 1, 2 × cols 1, 2 of channel 0; (1.5, 3.5) → x clamps to col 3: ½ to rows 1, 2.
            foreach (var p in new[] { 5, 6, 9, 10 }) expected[p] = 0.25;
            (expected[16 + 7], expected[16 + 11]) = (0.5, 0.5);
            Verify.Close(expected, x.Grad!.ToDoubleArray(), 1e-14, 0, device.ToString());
        }
    }

    [Fact]
    public void Empty_grids_give_zero()
    {
        // Adaptive sampling of a RoI of size 0 has no samples: output 0 and no gradient.
        var x = Values.Uniform(new Shape(1, 4, 3, 3), 2, DType.F64, 1, 2).RequiresGrad_();
        var rois = Tensor.FromDoubles([0, 1, 1, 1, 1], new Shape(1, 5), DType.F64);
        var y = F.PSRoIAlignMax(x, rois, 2, 1.0, -1);
        Assert.All(y.ToDoubleArray(), v => Assert.Equal(0.0, v));
        y.Sum().Backward();
        Assert.All(x.Grad!.ToDoubleArray(), v => Assert.Equal(0.0, v));
        Assert.Equal(new Shape(0, 1, 2, 2), F.PSRoIAlignMax(x, Tensor.Zeros(new Shape(0, 5), DType.F64), 2).Shape);
    }

    [Fact]
    public void Bad_inputs_name_the_argument()
    {
        var x = Tensor.Zeros(new Shape(1, 6, 4, 4), DType.F64);
        var rois = Tensor.FromDoubles([0, 0, 0, 1, 1], new Shape(1, 5), DType.F64);
        Assert.Contains("input", Assert.Throws<ShapeMismatchException>(() => F.PSRoIAlignMax(x, rois, 2)).Message);
        Assert.Contains("rois", Assert.Throws<ArgumentOutOfRangeException>(
            () => F.PSRoIAlignMax(x, Tensor.FromDoubles([1, 0, 0, 1, 1], new Shape(1, 5), DType.F64), 1)).Message);
        Assert.Contains("rois", Assert.Throws<ShapeMismatchException>(
            () => F.PSRoIAlignMax(x, Tensor.Zeros(new Shape(1, 4), DType.F64), 1)).Message);
        Assert.Contains("outputSize", Assert.Throws<ArgumentOutOfRangeException>(
            () => F.PSRoIAlignMax(x, rois, (1, 0))).Message);
        Assert.Contains("spatialScale", Assert.Throws<ArgumentOutOfRangeException>(
            () => F.PSRoIAlignMax(x, rois, 1, double.NaN)).Message);
    }
}
