using Scratch.NN;
using Scratch.Tests.Ops.Norm;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.NN;

public class LossModulesTests
{
    [Fact]
    public void Cross_entropy_loss_matches_torch_and_keeps_weight_as_buffer()
    {
        var l = new CrossEntropyLoss(Tensor.From(new[] { 0.2, 1.0, 0.5 }), reduction: Reduction.Sum, labelSmoothing: 0.05);
        Assert.Equal(["weight"], l.NamedBuffers().Select(b => b.Name));
        Assert.Empty(l.NamedParameters());
        Assert.Empty(new CrossEntropyLoss().NamedBuffers());
        // torch 1.13: nn.CrossEntropyLoss(weight=[0.2,1,0.5], label_smoothing=0.05, reduction="sum")(seq(4,3), [2,1,0,1])
        Verify.Values(l.Forward(SeqValues.Of(0, 4, 3), Tensor.From(new long[] { 2, 1, 0, 1 })), new Shape(), [2.6805246388], 1e-9);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CrossEntropyLoss(labelSmoothing: -1));
    }

    [Fact]
    public void Nll_loss_matches_torch()
    {
        var l = new NLLLoss(ignoreIndex: 0);
        // torch 1.13: nn.NLLLoss(ignore_index=0)(seq(4,3), [2,1,0,1])
        Verify.Values(l.Forward(SeqValues.Of(0, 4, 3), Tensor.From(new long[] { 2, 1, 0, 1 })), new Shape(), [-0.5555555556], 1e-9);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => l.Forward(SeqValues.Of(0, 4, 3), Tensor.From(new long[] { 2, 1, 7, 1 })));
        Assert.Contains("7", ex.Message);
    }
}
