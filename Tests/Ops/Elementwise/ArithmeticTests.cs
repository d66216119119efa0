using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Elementwise;

public class ArithmeticTests
{
    private static readonly (string Name, Func<Tensor, Tensor, Tensor> F)[] Ops =
    [
        ("Add", F.Add), ("Sub", F.Sub), ("Mul", F.Mul), ("Div", F.Div),
    ];

    [TensorProperty]
    public void Gradients_match_finite_differences(BroadcastCase c)
    {
        foreach (var (name, op) in Ops)
        {
            var a = Values.AwayFromZero(new Shape(c.A), c.Seed);
            var b = Values.AwayFromZero(new Shape(c.B), c.Seed + 1);
            Verify.Gradients(x => op(x[0], x[1]), a, b);
            _ = name;
        }
    }

    [TensorProperty]
    public void Cpu_matches_reference(BroadcastCase c)
    {
        foreach (var (_, op) in Ops)
        {
            var a = Values.AwayFromZero(new Shape(c.A), c.Seed);
            var b = Values.AwayFromZero(new Shape(c.B), c.Seed + 1);
            Verify.SameOnBackends(x => op(x[0], x[1]), [a, b]);
            Verify.SameOnBackends(x => op(x[0], x[1]), [a.To(DType.F32), b.To(DType.F32)], 1e-6, 1e-5);
        }
    }

    [TensorProperty]
    public void Strided_views_compute_like_contiguous_copies(ViewCase v)
    {
        var a = v.Make();
        var b = Values.AwayFromZero(new Shape(v.Dims), v.Seed + 3);
        Verify.Close(F.Mul(a.Contiguous(), b), F.Mul(a, b));
        Verify.Close(F.Div(b, a.Contiguous()), F.Div(b, a), 1e-9, 1e-9);
    }

    [Fact]
    public void Broadcasting_matches_hand_computed_values()
    {
        var a = Tensor.From(new float[] { 1, 2, 3, 4, 5, 6 }, new Shape(2, 3));
        var b = Tensor.From(new float[] { 10, 20, 30 });
        Verify.Values(a + b, new Shape(2, 3), [11, 22, 33, 14, 25, 36]);
        Verify.Values(a - b, new Shape(2, 3), [-9, -18, -27, -6, -15, -24]);
        Verify.Values(a * 2, new Shape(2, 3), [2, 4, 6, 8, 10, 12]);
        Verify.Values(1 / a, new Shape(2, 3), [1, 0.5, 1.0 / 3, 0.25, 0.2, 1.0 / 6]);
    }

    [Fact]
    public void Integer_arithmetic_stays_integer()
    {
        var a = Tensor.From(new long[] { 7, -7, 9 });
        var b = Tensor.From(new long[] { 2, 2, 3 });
        var q = a / b;
        Assert.Equal(DType.I64, q.DType);
        Assert.Equal([3L, -3L, 3L], q.ToArray<long>());
        Assert.Equal([14L, -14L, 27L], (a * b).ToArray<long>());
    }

    [Fact]
    public void Broadcast_gradient_sums_over_expanded_dims()
    {
        var a = Tensor.Ones(new Shape(2, 3), DType.F64).RequiresGrad_();
        var b = Tensor.From(new double[] { 1, 2, 3 }).RequiresGrad_();
        (a * b).Sum().Backward();
        Assert.Equal([2.0, 2.0, 2.0], b.Grad!.ToArray<double>());
        Assert.Equal([1.0, 2, 3, 1, 2, 3], a.Grad!.ToArray<double>());
    }

    [Fact]
    public void Mismatched_inputs_name_the_op_and_argument()
    {
        var a = Tensor.Zeros(new Shape(2, 3));
        var ex = Assert.Throws<ShapeMismatchException>(() => a + Tensor.Zeros(new Shape(4)));
        Assert.Contains("Add", ex.Message);
        Assert.Contains("[4]", ex.Message);
        var dt = Assert.Throws<DTypeMismatchException>(() => a * Tensor.Zeros(new Shape(2, 3), DType.F64));
        Assert.Contains("Mul", dt.Message);
        Assert.Contains("float64", dt.Message);
        var dev = Assert.Throws<DeviceMismatchException>(() => a - Tensor.Zeros(new Shape(2, 3), device: Device.Reference));
        Assert.Contains("reference", dev.Message);
    }
}
