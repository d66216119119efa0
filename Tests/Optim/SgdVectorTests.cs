using Scratch.Optim;
using Xunit;

namespace Scratch.Tests.Optim;

/// <summary>The vectorised host SGD step against the scalar rule of torch.optim.SGD written out here, bit for bit:
/// momentum with dampening and weight decay, lengths off the vector width, F32 and F64, several steps.</summary>
public class SgdVectorTests
{
    [Theory]
    [InlineData(DType.F32)]
    [InlineData(DType.F64)]
    public void Momentum_step_equals_the_scalar_rule_exactly(DType dtype)
    {
        const int n = 1003;
        const double lr = 0.05, mom = 0.9, damp = 0.1, wd = 1e-3;
        var r = new Random(3);
        var p0 = Enumerable.Range(0, n).Select(_ => r.NextDouble() * 2 - 1).ToArray();
        var param = Tensor.FromDoubles(p0, new Shape(n), dtype).RequiresGrad_();
        var sgd = new Sgd([param], lr, mom, damp, wd);
        var (p, b) = (param.ToDoubleArray(), new double[n]);
        for (var step = 0; step < 3; step++)
        {
            var g = Enumerable.Range(0, n).Select(_ => r.NextDouble() - 0.5).ToArray();
            param.Grad = Tensor.FromDoubles(g, new Shape(n), dtype);
            var gh = param.Grad.ToDoubleArray();
            sgd.Step();
            for (var i = 0; i < n; i++)
            {
                if (dtype == DType.F32)
                {
                    float pf = (float)p[i], d = (float)gh[i] + (float)wd * pf;
                    var bf = step == 0 ? d : (float)mom * (float)b[i] + (float)(1 - damp) * d;
                    (b[i], p[i]) = (bf, pf - (float)lr * bf);
                }
                else
                {
                    var d = gh[i] + wd * p[i];
                    b[i] = step == 0 ? d : mom * b[i] + (1 - damp) * d;
                    p[i] -= lr * b[i];
                }
            }
            Assert.Equal(p, param.ToDoubleArray());
        }
    }
}
