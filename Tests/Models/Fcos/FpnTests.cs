using Scratch.Autograd;
using Scratch.Models.Common.Necks;
using Scratch.Models.Fcos;
using Scratch.NN;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Models.Fcos;

public class FpnTests
{
    private static Tensor[] Inputs() =>
    [
        Tensor.Randn(new Shape(1, 4, 8, 8), new Generator(1)), Tensor.Randn(new Shape(1, 6, 4, 4), new Generator(2)),
        Tensor.Randn(new Shape(1, 8, 2, 2), new Generator(3)),
    ];

    [Fact]
    public void Top_down_pathway_and_p6_p7_sources()
    {
        using var _ = GradMode.Disable();
        var x = Inputs();
        foreach (var src in new[] { P6P7Source.P5, P6P7Source.C5 })
        {
            var fpn = new Fpn([4, 6, 8], 3, 8, src, new Generator(0));
            var p = fpn.Forward(x);
            Assert.Equal([8, 4, 2, 1, 1], p.Select(t => t.Size(2)));
            Assert.All(p, t => Assert.Equal(8, t.Size(1)));
            var sd = fpn.StateDict();
            Tensor Conv(string name, Tensor input, int stride = 1) =>
                F.Conv2d(input, sd[name + ".weight"], sd[name + ".bias"], stride, sd[name + ".weight"].Size(3) / 2);
            // P4 = output4(lateral4(C4) + up2(lateral5(C5))).
            var inner5 = Conv("fpn_lateral5", x[2]);
            var p4 = Conv("fpn_output4", Conv("fpn_lateral4", x[1]) + F.Interpolate(inner5, scaleFactor: 2.0));
            Verify.Close(p4, p[1], 1e-5, 1e-5, "p4");
            var p6 = Conv("top_block.p6", src == P6P7Source.P5 ? p[2] : x[2], 2);
            Verify.Close(p6, p[3], 1e-5, 1e-5, "p6");
            Verify.Close(Conv("top_block.p7", F.Relu(p6), 2), p[4], 1e-5, 1e-5, "p7");
        }
    }

    [Fact]
    public void Without_a_top_block_there_are_only_the_input_levels()
    {
        var fpn = new Fpn([4, 6, 8], 3, 8, null, new Generator(0));
        Assert.Equal([8, 16, 32], fpn.Strides);
        Assert.DoesNotContain(fpn.StateDict().Keys, k => k.StartsWith("top_block", StringComparison.Ordinal));
        Assert.Equal(3, fpn.Forward(Inputs()).Length);
    }

    [Fact]
    public void Wrong_level_count_is_rejected()
    {
        var fpn = new Fpn([4, 6, 8], 3, 8);
        var e = Assert.Throws<ArgumentException>(() => fpn.Forward(Inputs()[..2]));
        Assert.Contains("features", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Fpn([4], 3, 0));
        var h = Assert.Throws<ArgumentException>(() => new FcosHead(new FcosHeadOptions(20, 2, [8])));
        Assert.Contains("GroupNormGroups", h.Message);
    }

    /// <summary>A head extended the way BorderDet's is: extra modules beside the FCOS ones under <c>head</c>.</summary>
    private sealed class ExtendedHead : FcosHead
    {
        public ExtendedHead(FcosHeadOptions o) : base(o) => Add("border_cls_score", new Conv2d(o.InChannels, o.NumClasses, 1));
    }

    private sealed class ExtendedDetector(FcosOptions o) : FcosDetector(o, h => new ExtendedHead(h));

    [Fact]
    public void A_derived_detector_can_supply_an_extended_head()
    {
        var d = new ExtendedDetector(new FcosOptions(2, "resnet18", FpnChannels: 32, GroupNormGroups: 8));
        Assert.IsType<ExtendedHead>(d.Head);
        Assert.Contains("head.border_cls_score.weight", d.StateDict().Keys);
        Assert.Contains("head.cls_score.weight", d.StateDict().Keys);
    }
}
