using Scratch.Models.EqCo;
using Scratch.Optim;
using Xunit;

namespace Scratch.Tests.Models.EqCo;

public class SiMoTrainingTests
{
    /// <summary>A few SGD steps on one fixed pair of views must lower the SiMo loss well below its chance value
    /// ln(1 + K): fails if the gradient does not reach the query net, has the wrong sign, or the EMA pulls the key
    /// net away from the query net.</summary>
    [Fact]
    public void SiMo_steps_on_a_fixed_batch_drive_the_loss_below_chance()
    {
        var g = new Generator(3);
        var x1 = Tensor.Randn(new Shape(16, 1, 8, 8), g);
        var x2 = x1 + Tensor.Randn(new Shape(16, 1, 8, 8), g) * 2;
        var simo = new SiMo(new ContrastiveConfig(K: 15, Alpha: 15, Momentum: 0.9, Width: 4, Dim: 16), new Generator(1));
        var opt = new Sgd(simo.Parameters(), lr: 0.1, momentum: 0.9);
        var chance = Math.Log(16);
        double first = 0, last = 0;
        for (var step = 0; step < 30; step++)
        {
            opt.ZeroGrad();
            var loss = simo.Step(x1, x2, g);
            loss.Backward();
            opt.Step();
            if (step == 0) first = loss.Item();
            last = loss.Item();
        }
        Assert.True(last < first - 0.5 && last < chance - 1, $"loss {first:F3} -> {last:F3}, chance {chance:F3}");
    }
}
