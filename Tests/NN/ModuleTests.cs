using Scratch.NN;
using Xunit;

namespace Scratch.Tests.NN;

public class ModuleTests
{
    private sealed class Block : Module<Tensor, Tensor>
    {
        public Block()
        {
            Fc = Add("fc", new Linear(2, 2));
            Stats = Buffer("running", Tensor.Zeros(new Shape(2)));
        }

        public Linear Fc { get; }

        public Tensor Stats { get; }

        public override Tensor Forward(Tensor input) => Fc.Forward(input);
    }

    [Fact]
    public void Keys_are_dotted_like_pytorch()
    {
        var net = new Sequential(new Block(), new Block());
        Assert.Equal(["0.fc.weight", "0.fc.bias", "1.fc.weight", "1.fc.bias"], net.NamedParameters().Select(p => p.Name));
        Assert.Equal(["0.running", "1.running"], net.NamedBuffers().Select(b => b.Name));
    }

    [Fact]
    public void Train_and_eval_propagate_to_children()
    {
        var net = new Sequential(new Block());
        net.Eval();
        Assert.All(net.NamedModules(), m => Assert.False(m.Module.Training));
        net.Train();
        Assert.All(net.NamedModules(), m => Assert.True(m.Module.Training));
    }

    [Fact]
    public void Moving_keeps_parameter_identity()
    {
        var b = new Block();
        var w = b.Fc.Weight;
        var before = w.ToArray<float>();
        b.To(Device.Reference);
        Assert.Same(w, b.Fc.Weight);
        Assert.Equal(Device.Reference, w.Device);
        Assert.Equal(Device.Reference, b.Stats.Device);
        Assert.Equal(before, w.ToArray<float>());
        Assert.True(w.RequiresGrad);
        b.To(DType.F64);
        Assert.Equal(DType.F64, b.Fc.Bias!.DType);
    }

    [Fact]
    public void Duplicate_or_dotted_names_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new Dup());
    }

    private sealed class Dup : Module
    {
        public Dup()
        {
            Param("w", Tensor.Zeros(new Shape(1)));
            Param("w", Tensor.Zeros(new Shape(1)));
        }
    }
}
