using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Backends.Gpu;

public abstract partial class GpuOpsTests
{
    [GpuFact]
    public void ErfAndGeluMatchReference()
    {
        for (var c = 0; c < 6; c++)
        {
            var dtype = Floats[c % 2];
            // float: within 1e-6 relative of the host; double: as the other exp-based kernels (the device exp differs).
            var (atol, rtol) = dtype == DType.F32 ? (1e-7, 1e-6) : Tol(dtype);
            // Every branch of erf: the series (|x| ≤ 2.5), the continued fraction (2.5 < |x| < 6) and ±1 beyond.
            var x = Values.Uniform(new Shape(3, 5), (ulong)c, dtype, -3 * (c + 1), 3 * (c + 1));
            var what = $"case {c} {dtype}";
            SameWithGrads(t => F.Erf(t[0]), [x], atol, rtol, "erf " + what);
            SameWithGrads(t => F.Gelu(t[0]), [x], atol, rtol, "gelu " + what);
            SameWithGrads(t => F.Gelu(t[0], "tanh"), [x], atol, rtol, "gelu tanh " + what);
        }
    }

    [GpuFact]
    public void ErfOfSpecialValuesMatchesTorch()
    {
        // torch 1.13: torch.erf(torch.tensor([0., -0.5, 1., 2.75, -7., float('inf'), float('-inf'), float('nan')]))
        double[] expected = [0, -0.5204998851, 0.8427007794, 0.9998993874, -1, 1, -1, double.NaN];
        var x = Tensor.FromDoubles([0, -0.5, 1, 2.75, -7, double.PositiveInfinity, double.NegativeInfinity, double.NaN],
            new Shape(8), DType.F32).To(Device);
        Verify.Close(expected, F.Erf(x).ToDoubleArray(), 1e-7, 1e-6, "erf");
        // torch 1.13: torch.nn.functional.gelu(torch.tensor([-1., 0.5, 3.]))
        var g = F.Gelu(Tensor.FromDoubles([-1, 0.5, 3], new Shape(3), DType.F32).To(Device));
        Verify.Close([-0.1586552858, 0.3457311988, 2.9959502220], g.ToDoubleArray(), 1e-7, 1e-6, "gelu");
    }
}
