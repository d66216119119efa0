using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.ShapeOps;

public class ConvertTests
{
    [TensorProperty]
    public void Gradient_flows_between_float_dtypes_and_devices(ShapeCase c)
    {
        // Through float32 the finite difference itself is too coarse, so the gradient is checked exactly instead.
        var x = c.Make().RequiresGrad_();
        (x.To(DType.F32) * 2).Sum().Backward();
        Assert.Equal(DType.F64, x.Grad!.DType);
        Assert.All(x.Grad.ToArray<double>(), g => Assert.Equal(2.0, g));
        Verify.Gradients(t => (t[0].To(Device.Reference) * 3).To(Device.Cpu), c.Make());
    }

    [TensorProperty]
    public void Casts_agree_on_both_backends(ShapeCase c)
    {
        var x = c.Make(lo: -300, hi: 300);
        foreach (var dt in new[] { DType.F32, DType.I32, DType.I64, DType.U8, DType.Bool })
            Assert.Equal(x.To(dt).ToDoubleArray(), x.To(Device.Reference).To(dt).ToDoubleArray());
    }

    [Fact]
    public void Known_conversions()
    {
        // torch 1.13: torch.tensor([-1.7, -0.2, 0., 2.9, 300.]).to(torch.int64) -> [-1, 0, 0, 2, 300]
        var x = Tensor.From(new[] { -1.7, -0.2, 0.0, 2.9, 300.0 });
        Assert.Equal([-1L, 0, 0, 2, 300], x.To(DType.I64).ToArray<long>());
        Assert.Equal([true, true, false, true, true], x.To(DType.Bool).ToArray<bool>());
        Assert.Equal(Device.Reference, x.To(Device.Reference).Device);
        Assert.Same(x, x.To(DType.F64));
        Assert.Same(x, x.To(Device.Cpu));
    }

    [Fact]
    public void Integer_results_do_not_track_gradients()
    {
        var x = Tensor.From(new[] { 1.5 }).RequiresGrad_();
        Assert.False(x.To(DType.I64).RequiresGrad);
        Assert.True(x.To(DType.F32).RequiresGrad);
    }
}
