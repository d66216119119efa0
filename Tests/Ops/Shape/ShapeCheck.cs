using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.ShapeOps;

/// <summary>Helpers for the shape and indexing op tests.</summary>
public static class ShapeCheck
{
    /// <summary>Runs <paramref name="f"/> on the same strided view (<see cref="ViewCase"/>) built on the Cpu and on the
    /// Reference device, and asserts equal outputs and equal gradients with respect to the view (F32 gradients within
    /// 1e-5: the backward of broadcasting sums in a backend-specific order).</summary>
    public static void SameOnViews(ViewCase c, Func<Tensor, Tensor> f, DType dtype = DType.F64)
    {
        var xc = c.Make(dtype, Device.Cpu);
        var xr = c.Make(dtype, Device.Reference);
        xc.RequiresGrad = true;
        xr.RequiresGrad = true;
        var yc = f(xc);
        var yr = f(xr);
        Assert.Equal(Device.Cpu, yc.Device);
        Assert.Equal(Device.Reference, yr.Device);
        Verify.Close(yr.To(Device.Cpu), yc, 1e-12, 1e-12, "forward");
        if (!yc.RequiresGrad) return;
        var w = Values.Uniform(yc.Shape, 7, yc.DType, -1, 1);
        (yc * w).Sum().Backward();
        (yr * w.To(Device.Reference)).Sum().Backward();
        Assert.NotNull(xc.Grad);
        Assert.NotNull(xr.Grad);
        var tol = dtype == DType.F32 ? 1e-5 : 1e-12;
        Verify.Close(xr.Grad!.To(Device.Cpu), xc.Grad!, tol, tol, "grad");
    }

    /// <summary>The dims of a case, with a scalar replaced by a vector of 3 (for ops that need a dim).</summary>
    public static int[] AtLeast1D(int[] dims) => dims.Length == 0 ? [3] : dims;

    /// <summary>An int in [lo, hi] drawn from <paramref name="g"/>.</summary>
    public static int Pick(Generator g, int lo, int hi) => lo + (int)g.NextInt64(hi - lo + 1);

    /// <summary>A non-contiguous view with the same values as <paramref name="x"/> (differentiable): the last dim is
    /// interleaved with a copy and every second element taken.</summary>
    public static Tensor Stepped(Tensor x) =>
        x.Rank == 0 ? x : F.Stack([x, x], -1).Select(-1, 0);

    /// <summary>Asserts that <paramref name="act"/> throws <typeparamref name="TException"/> whose message names every
    /// fragment.</summary>
    public static TException Throws<TException>(Action act, params string[] fragments) where TException : Exception
    {
        var ex = Assert.Throws<TException>(act);
        foreach (var f in fragments) Assert.Contains(f, ex.Message);
        return ex;
    }
}
