using Scratch.Tests.Ops.Norm;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Reduce;

public class SoftmaxTests
{
    private static int DimFor(ShapeCase c) => c.Dims.Length == 0 ? 0 : (int)(c.Seed % (ulong)c.Dims.Length);

    [TensorProperty]
    public void Gradients_match_finite_differences(ShapeCase c)
    {
        var d = DimFor(c);
        Verify.Gradients(x => F.Softmax(x[0], d), c.Make());
        Verify.Gradients(x => F.LogSoftmax(x[0], d), c.Make());
    }

    [TensorProperty]
    public void Cpu_matches_reference(ShapeCase c)
    {
        var d = DimFor(c);
        Verify.SameOnBackends(x => F.Softmax(x[0], d), [c.Make()], 1e-12, 1e-10);
        Verify.SameOnBackends(x => F.LogSoftmax(x[0], d), [c.Make()], 1e-12, 1e-10);
        Verify.SameOnBackends(x => F.Softmax(x[0], d), [c.Make(DType.F32)], 1e-6, 1e-5);
        Verify.SameOnBackends(x => F.LogSoftmax(x[0], d), [c.Make(DType.F32)], 1e-5, 1e-5);
    }

    [TensorProperty]
    public void Rows_sum_to_one_and_log_matches(ShapeCase c)
    {
        var d = DimFor(c);
        var x = c.Make(lo: -20, hi: 20);
        var y = F.Softmax(x, d);
        if (c.Dims.Length > 0 && c.Dims[d] > 0)
            Verify.Close(Tensor.Ones(y.Sum(d).Shape, DType.F64), y.Sum(d), 1e-12, 1e-12);
        Verify.Close(F.Log(y), F.LogSoftmax(x, d), 1e-10, 1e-10);
    }

    [TensorProperty]
    public void Is_shift_invariant(ShapeCase c)
    {
        var d = DimFor(c);
        var x = c.Make();
        Verify.Close(F.Softmax(x, d), F.Softmax(x + 1000, d), 1e-12, 1e-9);
        Verify.Close(F.LogSoftmax(x, d), F.LogSoftmax(x - 1e4, d), 1e-9, 1e-9);
    }

    [Fact]
    public void Known_values()
    {
        var x = SeqValues.Of(0, 2, 3);
        // torch 1.13: F.softmax(seq(2,3), 0)
        Verify.Values(F.Softmax(x, 0), new Shape(2, 3), [0.4174297935, 0.4174297935, 0.4174297935, 0.5825702065, 0.5825702065, 0.5825702065], 1e-9);
        // torch 1.13: F.log_softmax(seq(2,3), 1)
        Verify.Values(x.To(DType.F32).LogSoftmax(-1), new Shape(2, 3), [-2.9541591632, -1.6208258298, -0.2874924965, -2.9541591632, -1.6208258298, -0.2874924965], 1e-5);
        Verify.Values(F.Softmax(Tensor.Scalar(3), 0), new Shape(), [1]);
    }

    [Fact]
    public void Parallel_cpu_path_matches_reference_on_large_inputs()
    {
        var x = Values.Uniform(new Shape(70, 600), 11, DType.F32, -30, 30);
        Verify.SameOnBackends(t => F.Softmax(t[0], 1), [x], 1e-6, 1e-5);
        Verify.SameOnBackends(t => F.LogSoftmax(t[0], 0), [x], 1e-4, 1e-5);
        Verify.SameOnBackends(t => F.LogSumExp(t[0], [1]), [x], 1e-4, 1e-5);
    }

    [Fact]
    public void Large_inputs_do_not_overflow()
    {
        var x = Tensor.From(new float[] { 1e4f, -1e4f, 1e4f });
        Verify.Values(F.Softmax(x, 0), new Shape(3), [0.5, 0, 0.5]);
        Verify.Values(F.LogSoftmax(x, 0), new Shape(3), [-Math.Log(2), -2e4 - Math.Log(2), -Math.Log(2)], 1e-2);
    }

    [Fact]
    public void Bad_input_is_rejected()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => F.Softmax(Tensor.Zeros(new Shape(2, 3)), 2));
        Assert.Contains("dim", ex.Message);
        var dt = Assert.Throws<DTypeMismatchException>(() => F.LogSoftmax(Tensor.Zeros(new Shape(2), DType.I64), 0));
        Assert.Contains("input", dt.Message);
    }
}
