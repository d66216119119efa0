using Scratch.Autograd;
using Scratch.Models.Common.Backbones;
using Scratch.NN;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Models;

/// <summary>ResNet inference with grad mode off folds each eval batch norm into its conv (one fused conv + affine
/// + residual + ReLU per step); the result must equal the layer-by-layer forward.</summary>
public class ResNetFusedEvalTests
{
    [Theory]
    [InlineData(18, ResNetNorm.BatchNorm)]
    [InlineData(50, ResNetNorm.BatchNorm)]
    [InlineData(50, ResNetNorm.FrozenBatchNorm)]
    public void Fused_eval_forward_equals_the_layer_by_layer_forward(int depth, ResNetNorm norm)
    {
        var model = new ResNet(new ResNetConfig(depth, NumClasses: 5, Norm: norm), new Generator(0));
        model.Eval();
        // Non-trivial statistics and affines, so a wrong fold shows.
        ulong seed = 10;
        foreach (var (name, t) in model.StateDict())
        {
            if (t.DType != DType.F32 || t.Rank != 1) continue;
            var (lo, hi) = name.EndsWith("running_var", StringComparison.Ordinal) ? (0.5, 2.0) : (-0.5, 0.5);
            using (GradMode.Disable()) t.Copy_(Values.Uniform(t.Shape, seed++, DType.F32, lo, hi));
        }
        foreach (var p in model.Parameters()) p.RequiresGrad = false;
        var x = Values.Uniform(new Shape(2, 3, 40, 40), 1, DType.F32, -1, 1);
        var unfused = model.Forward(x); // grad mode on: the layers run one by one
        Tensor fused;
        using (GradMode.Disable()) fused = model.Forward(x);
        Verify.Close(unfused, fused, 0, 0);
        if (norm != ResNetNorm.BatchNorm) return;
        model.Train(); // batch statistics: no fold, a different result
        using (GradMode.Disable()) Assert.NotEqual(fused.ToArray<float>(), model.Forward(x).ToArray<float>());
    }
}
