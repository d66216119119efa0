using Scratch.Models.Common.Backbones;
using Scratch.Models.Common.Detection;
using Scratch.Models.Fcos;
using Xunit;

namespace Scratch.Tests.Models.Fcos;

public class FcosSpecTests
{
    [Fact]
    public void UnsetSpecFieldsKeepThePaperConfig()
    {
        var o = FcosOptions.FromSpec(new DetectorSpec(7, "resnet18"));
        Assert.Equal((256, 4, ResNetNorm.FrozenBatchNorm, 2), (o.FpnChannels, o.NumConvs, o.BackboneNorm, o.FreezeAt));
        Assert.Equal((7, "resnet18"), (o.NumClasses, o.Backbone));
    }

    [Fact]
    public void SetSpecFieldsOverrideAndBuildASmallTrainableModel()
    {
        var spec = new DetectorSpec(3, "resnet18", FpnChannels: 64, NumConvs: 2, BackboneNorm: ResNetNorm.BatchNorm, FreezeAt: 0);
        var o = FcosOptions.FromSpec(spec);
        Assert.Equal((64, 2, ResNetNorm.BatchNorm, 0), (o.FpnChannels, o.NumConvs, o.BackboneNorm, o.FreezeAt));
        var d = (FcosDetector)DetectorZoo.Create("fcos", spec);
        var small = d.Parameters().Sum(p => p.Numel);
        var paper = DetectorZoo.Create("fcos", new DetectorSpec(3, "resnet18")).Parameters().Sum(p => p.Numel);
        Assert.True(small < paper, $"{small} >= {paper}");
        // freeze_at 0 with trainable batch norm: every backbone parameter learns, the stem included.
        Assert.All(d.Backbone.BottomUp.Parameters(), p => Assert.True(p.RequiresGrad));
    }
}
