using Scratch.Tests.Ops.Norm;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Reduce;

public class LogSumExpTests
{
    private static int[] DimsFor(ShapeCase c) =>
        c.Dims.Length == 0 ? [] : Enumerable.Range(0, c.Dims.Length).Where(i => (c.Seed >> i & 1) == 1).ToArray();

    [TensorProperty]
    public void Gradients_match_finite_differences(ShapeCase c)
    {
        var dims = DimsFor(c);
        var keep = (c.Seed & 16) != 0;
        if (c.Shape.Numel == 0) return;
        Verify.Gradients(x => F.LogSumExp(x[0], dims, keep), c.Make());
    }

    [TensorProperty]
    public void Cpu_matches_reference(ShapeCase c)
    {
        var dims = DimsFor(c);
        Verify.SameOnBackends(x => F.LogSumExp(x[0], dims), [c.Make()], 1e-12, 1e-10);
        Verify.SameOnBackends(x => F.LogSumExp(x[0], dims, true), [c.Make(DType.F32)], 1e-5, 1e-5);
    }

    [TensorProperty]
    public void Is_stable_and_shift_equivariant(ShapeCase c)
    {
        var dims = DimsFor(c);
        var x = c.Make();
        if (c.Shape.Numel == 0) return;
        var y = F.LogSumExp(x, dims);
        Verify.Close(y + 1e4, F.LogSumExp(x + 1e4, dims), 1e-9, 1e-12);
        Verify.Close(y - 1e4, F.LogSumExp(x - 1e4, dims), 1e-9, 1e-12);
        Verify.Close(F.Log(F.Sum(F.Exp(x), dims)), y, 1e-12, 1e-10);
    }

    [Fact]
    public void Known_values()
    {
        var x = SeqValues.Of(0, 2, 3);
        // torch 1.13: torch.logsumexp(seq(2,3), 1)
        Verify.Values(x.LogSumExp(1), new Shape(2), [1.2874924965, 1.6208258298], 1e-9);
        // torch 1.13: torch.logsumexp(seq(2,3), (0,1))
        Verify.Values(x.LogSumExp([0, 1], keepDim: true), new Shape(1, 1), [2.1611314045], 1e-9);
        // torch 1.13: torch.logsumexp(torch.tensor([1e4,-1e4,1e4-1],dtype=torch.float64),0)
        Verify.Values(Tensor.From(new[] { 1e4, -1e4, 1e4 - 1 }).LogSumExp(0), new Shape(), [10000.3132616875], 1e-9);
        Verify.Values(Tensor.From(new[] { -1e4f, -1e4f }).LogSumExp(0), new Shape(), [-1e4 + Math.Log(2)], 1e-2);
        Verify.Values(Tensor.Zeros(new Shape(0, 2)).LogSumExp(0), new Shape(2), [double.NegativeInfinity, double.NegativeInfinity]);
        Verify.Values(Tensor.From(new[] { double.NegativeInfinity, double.NegativeInfinity }).LogSumExp(0), new Shape(), [double.NegativeInfinity]);
        Verify.Values(Tensor.From(new[] { double.PositiveInfinity, 1.0 }).LogSumExp(0), new Shape(), [double.PositiveInfinity]);
    }

    [Fact]
    public void Bad_input_is_rejected()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros(new Shape(2)).LogSumExp(1));
        Assert.Contains("dim", ex.Message);
        var dt = Assert.Throws<DTypeMismatchException>(() => Tensor.Zeros(new Shape(2), DType.I64).LogSumExp(0));
        Assert.Contains("input", dt.Message);
    }
}
