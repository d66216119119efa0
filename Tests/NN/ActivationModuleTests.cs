using Scratch.NN;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.NN;

public class ActivationModuleTests
{
    private static readonly (Module<Tensor, Tensor> Layer, Func<Tensor, Tensor> F)[] Layers =
    [
        (new ReLU(), F.Relu),
        (new LeakyReLU(), x => F.LeakyRelu(x)),
        (new LeakyReLU(0.3), x => F.LeakyRelu(x, 0.3)),
        (new Sigmoid(), F.Sigmoid),
        (new Tanh(), F.Tanh),
        (new GELU(), x => F.Gelu(x)),
        (new GELU("tanh"), x => F.Gelu(x, "tanh")),
        (new SiLU(), F.Silu),
        (new Softplus(), x => F.Softplus(x)),
        (new Softplus(2, 1), x => F.Softplus(x, 2, 1)),
        (new Identity(), x => x),
    ];

    [TensorProperty]
    public void Layers_compute_their_functional_op(ShapeCase c)
    {
        var x = c.Make();
        foreach (var (layer, f) in Layers)
            Verify.Close(f(x), layer.Forward(x), 1e-15, 1e-14, layer.GetType().Name);
    }

    [Fact]
    public void Layers_have_no_parameters_or_buffers_and_pass_gradients()
    {
        foreach (var (layer, _) in Layers)
        {
            Assert.Empty(layer.NamedParameters());
            Assert.Empty(layer.NamedBuffers());
            var x = Tensor.From(new double[] { -1, 0.5, 2 }).RequiresGrad_();
            layer.Forward(x).Sum().Backward();
            Assert.NotNull(x.Grad);
        }
    }

    [Fact]
    public void Known_values_match_torch()
    {
        var x = Tensor.From(new double[] { -1.5, 0.3, 2.5 });
        // torch 1.13: nn.LeakyReLU()(x), nn.GELU()(x), nn.Softplus(beta=2, threshold=3)(x), nn.SiLU()(x) for x = [-1.5, 0.3, 2.5]
        Verify.Close([-0.015, 0.3, 2.5], new LeakyReLU().Forward(x).ToDoubleArray(), 1e-15, 1e-12);
        Verify.Close([-0.10021080190328704, 0.1853734266566858, 2.4844758366855597], new GELU().Forward(x).ToDoubleArray(), 1e-15, 1e-12);
        Verify.Close([0.02429367578687103, 0.5187439752429428, 2.5], new Softplus(2, 3).Forward(x).ToDoubleArray(), 1e-15, 1e-12);
        Verify.Close([-0.2736382857095345, 0.1723327550434977, 2.3103545499468914], new SiLU().Forward(x).ToDoubleArray(), 1e-15, 1e-12);
    }

    [Fact]
    public void Layers_compose_in_a_sequential()
    {
        var net = new Sequential(new Linear(3, 4, generator: new Generator(1)), new GELU(), new Linear(4, 2, generator: new Generator(2)), new Tanh());
        var y = net.Forward(Tensor.Ones(new Shape(5, 3)));
        Assert.Equal(new Shape(5, 2), y.Shape);
        Assert.Equal(4, net.NamedParameters().Count());
    }

    [Fact]
    public void Bad_arguments_name_the_argument()
    {
        Assert.Contains("approximate", Assert.Throws<ArgumentException>(() => new GELU("erf")).Message);
        Assert.Contains("beta", Assert.Throws<ArgumentOutOfRangeException>(() => new Softplus(-1)).Message);
    }
}
