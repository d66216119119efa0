using Scratch.Optim;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Backends.Gpu;

public abstract partial class GpuOpsTests
{
    [GpuFact]
    public void OptimizerStepsMatchReference()
    {
        (string Name, Func<Tensor[], Optimizer> Make)[] optimizers =
        [
            ("sgd", p => new Sgd(p, 0.1)),
            ("sgd momentum", p => new Sgd(p, 0.1, momentum: 0.9, dampening: 0.2, weightDecay: 0.01)),
            ("sgd nesterov", p => new Sgd(p, 0.05, momentum: 0.8, weightDecay: 0.1, nesterov: true)),
            ("adam", p => new Adam(p, 0.01)),
            ("adam l2 amsgrad", p => new Adam(p, 0.01, weightDecay: 0.1, amsgrad: true)),
            ("adamw", p => new AdamW(p, 0.01, weightDecay: 0.1)),
        ];
        var c = 0;
        foreach (var (name, make) in optimizers)
        {
            var dtype = Floats[c++ % 2];
            var (atol, rtol) = Tol(dtype);
            var x = Values.Uniform(new Shape(3, 4), (ulong)c, dtype, -1, 1);
            var w = Values.Uniform(new Shape(3, 4), (ulong)c + 50, dtype, -2, 2);
            Tensor Run(Device device)
            {
                var p = x.To(device).Detach();
                p.RequiresGrad = true;
                var opt = make([p]);
                for (var step = 0; step < 3; step++)
                {
                    opt.ZeroGrad();
                    (p * p * w.To(device)).Sum().Backward();
                    opt.Step();
                }
                Assert.Equal(device, p.Device);
                return p.Detach().To(Device.Cpu);
            }
            Verify.Close(Run(Device.Reference), Run(Device), atol, rtol, $"{name} {dtype}");
        }
    }
}
