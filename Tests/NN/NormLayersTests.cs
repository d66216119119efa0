using Scratch.Autograd;
using Scratch.NN;
using Scratch.Tests.Ops.Norm;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.NN;

public class NormLayersTests
{
    [Fact]
    public void Batch_norm_has_pytorch_keys_and_tracks_batches()
    {
        var m = new BatchNorm1d(3);
        Assert.Equal(["weight", "bias"], m.NamedParameters().Select(p => p.Name));
        Assert.Equal(["running_mean", "running_var", "num_batches_tracked"], m.NamedBuffers().Select(b => b.Name));
        Assert.Equal(DType.I64, m.NumBatchesTracked!.DType);
        var noAffine = new BatchNorm2d(2, affine: false, trackRunningStats: false);
        Assert.Empty(noAffine.NamedParameters());
        Assert.Empty(noAffine.NamedBuffers());
    }

    [Fact]
    public void Batch_norm_1d_matches_torch_in_train_and_eval()
    {
        var m = new BatchNorm1d(3);
        m.To(DType.F64);
        var rm = m.RunningMean!;
        // torch 1.13: nn.BatchNorm1d(3).double()(seq(4,3,2))
        Verify.Values(m.Forward(SeqValues.Of(0, 4, 3, 2)), new Shape(4, 3, 2),
            [-1.6666583334, -0.3333316667, 1.0441802772, -1.2048233968, 0.1458644329, 1.3127798958, -0.999995, 0.3333316667, 1.6867527555, -0.5622509185, 0.7293221643, -1.3127798958, -0.3333316667, 0.999995, -1.2048233968, 0.0803215598, 1.3127798958, -0.7293221643, 0.3333316667, 1.6666583334, -0.5622509185, 0.7228940381, -1.3127798958, -0.1458644329], 1e-9);
        // torch 1.13: running_mean, running_var after that step
        Verify.Values(m.RunningMean!, new Shape(3), [0.0, -0.0083333333, -0.0166666667], 1e-9);
        Verify.Values(m.RunningVar!, new Shape(3), [1.0142857143, 1.023015873, 1.0492063492], 1e-9);
        Assert.Same(rm, m.RunningMean);
        Assert.Equal(1L, m.NumBatchesTracked!.Item<long>());
        m.Eval();
        // torch 1.13: m.eval(); m(seq(2,3,2,k=4))
        Verify.Values(m.Forward(SeqValues.Of(4, 2, 3, 2)), new Shape(2, 3, 2),
            [0.0, 1.3239038386, -0.9804431274, 0.337799733, 1.643378492, -0.6345718929, 0.6619519193, -1.6548797982, -0.3213216972, 0.9969211632, -1.28541486, 0.0162710742], 1e-9);
        Assert.Equal(1L, m.NumBatchesTracked!.Item<long>());
    }

    [Fact]
    public void Batch_norm_2d_with_null_momentum_is_a_cumulative_average()
    {
        var m = new BatchNorm2d(2, momentum: null);
        m.To(DType.F64);
        m.Forward(SeqValues.Of(0, 2, 2, 2, 2));
        m.Forward(SeqValues.Of(5, 2, 2, 2, 2));
        // torch 1.13: nn.BatchNorm2d(2, momentum=None) after seq(2,2,2,2) and seq(2,2,2,2,k=5)
        Verify.Values(m.RunningMean!, new Shape(2), [0.0625, -0.1041666667], 1e-9);
        Verify.Values(m.RunningVar!, new Shape(2), [1.4474206349, 0.9672619048], 1e-9);
        Assert.Equal(2L, m.NumBatchesTracked!.Item<long>());
    }

    [Fact]
    public void Batch_norm_trains_weight_and_bias()
    {
        var m = new BatchNorm2d(2);
        var x = Values.Uniform(new Shape(3, 2, 2, 2), 5, DType.F32, -1, 1).RequiresGrad_();
        (m.Forward(x) * Values.Uniform(new Shape(3, 2, 2, 2), 6, DType.F32, -1, 1)).Sum().Backward();
        Assert.NotNull(m.Weight!.Grad);
        Assert.NotNull(m.Bias!.Grad);
        Assert.NotNull(x.Grad);
        var ex = Assert.Throws<ShapeMismatchException>(() => m.Forward(Tensor.Zeros(new Shape(2, 3, 2, 2))));
        Assert.Contains("input", ex.Message);
        Assert.Throws<ShapeMismatchException>(() => m.Forward(Tensor.Zeros(new Shape(2, 2))));
    }

    [Fact]
    public void Frozen_batch_norm_is_the_eval_batch_norm()
    {
        var f = new FrozenBatchNorm2d(3);
        Assert.Empty(f.NamedParameters());
        Assert.Equal(["weight", "bias", "running_mean", "running_var"], f.NamedBuffers().Select(b => b.Name));
        var bn = new BatchNorm2d(3);
        using (GradMode.Disable())
        {
            foreach (var (name, t) in new[] { ("weight", 2.0), ("bias", 3.0), ("running_mean", 5.0), ("running_var", 7.0) })
            {
                var v = Values.Uniform(new Shape(3), (ulong)t, DType.F32, 0.5, 2);
                f.NamedBuffers().Single(b => b.Name == name).Value.Copy_(v);
                var target = bn.NamedParameters().Select(q => (q.Name, Value: (Tensor)q.Value)).Concat(bn.NamedBuffers());
                target.Single(b => b.Name == name).Value.Copy_(v);
            }
        }
        bn.Eval();
        var x = Values.Uniform(new Shape(2, 3, 2, 2), 9, DType.F32, -2, 2);
        Verify.Close(bn.Forward(x), f.Forward(x), 1e-5, 1e-5);
    }

    [Fact]
    public void Instance_norm_2d_tracks_running_stats_like_torch()
    {
        var m = new InstanceNorm2d(2, affine: true, trackRunningStats: true);
        Assert.Equal(["weight", "bias"], m.NamedParameters().Select(p => p.Name));
        Assert.Equal(["running_mean", "running_var", "num_batches_tracked"], m.NamedBuffers().Select(b => b.Name));
        Assert.Empty(new InstanceNorm2d(2).NamedBuffers());
        Assert.Empty(new InstanceNorm2d(2).NamedParameters());
        m.To(DType.F64);
        m.Forward(SeqValues.Of(0, 2, 2, 2, 2));
        // torch 1.13: nn.InstanceNorm2d(2, affine=True, track_running_stats=True) after seq(2,2,2,2)
        Verify.Values(m.RunningMean!, new Shape(2), [-0.0291666667, 0.0], 1e-9);
        Verify.Values(m.RunningVar!, new Shape(2), [1.0791666667, 0.9925925926], 1e-9);
        m.Eval();
        // torch 1.13: then .eval() and m(seq(1,2,2,2,k=3))
        Verify.Values(m.Forward(SeqValues.Of(3, 1, 2, 2, 2)), new Shape(1, 2, 2, 2),
            [-1.2554135809, 0.0280763421, 1.311566265, -0.9345411002, 0.3345731172, 1.6728655861, -0.6691462344, 0.6691462344], 1e-9);
    }

    [Fact]
    public void Group_and_layer_norm_layers()
    {
        var g = new GroupNorm(2, 4);
        Assert.Equal(["weight", "bias"], g.NamedParameters().Select(p => p.Name));
        var x = Values.Uniform(new Shape(2, 4, 3), 3, DType.F32, -2, 2);
        Verify.Close(F.GroupNorm(x, 2), g.Forward(x), 1e-6, 1e-6);
        Assert.Throws<ArgumentOutOfRangeException>(() => new GroupNorm(3, 4));
        var l = new LayerNorm([4, 3]);
        Assert.Equal(["weight", "bias"], l.NamedParameters().Select(p => p.Name));
        Assert.Equal(new Shape(4, 3), l.Weight!.Shape);
        Verify.Close(F.LayerNorm(x, [4, 3]), l.Forward(x), 1e-6, 1e-6);
        Assert.Empty(new LayerNorm(3, elementwiseAffine: false).NamedParameters());
    }
}
