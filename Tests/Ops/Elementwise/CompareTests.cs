using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Elementwise;

public class CompareTests
{
    private static readonly (string Name, Func<Tensor, Tensor, Tensor> F, Func<double, double, bool> Expected)[] Ops =
    [
        ("Eq", F.Eq, (a, b) => a == b), ("Ne", F.Ne, (a, b) => a != b),
        ("Lt", F.Lt, (a, b) => a < b), ("Le", F.Le, (a, b) => a <= b),
        ("Gt", F.Gt, (a, b) => a > b), ("Ge", F.Ge, (a, b) => a >= b),
        ("LogicalAnd", F.LogicalAnd, (a, b) => a != 0 && b != 0),
        ("LogicalOr", F.LogicalOr, (a, b) => a != 0 || b != 0),
        ("LogicalXor", F.LogicalXor, (a, b) => (a != 0) ^ (b != 0)),
    ];

    /// <summary>Small integers so that ties and zeros are common.</summary>
    private static Tensor Grid(int[] dims, ulong seed, DType dtype) =>
        F.Clamp(Values.Uniform(new Shape(dims), seed, DType.F64, -2.5, 2.5), -2, 2).To(DType.I64).To(dtype);

    [FsCheck.Xunit.Property(Arbitrary = [typeof(ElementwiseArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Cpu_matches_reference_and_the_scalar_predicate(BroadcastCase c)
    {
        foreach (var dtype in new[] { DType.F64, DType.F32, DType.I64, DType.I32, DType.Bool })
            foreach (var (name, op, expected) in Ops)
                Elementwise.Named($"{name} {dtype.Name()}", () =>
                {
                    var a = Grid(c.A, c.Seed, dtype);
                    var b = Grid(c.B, c.Seed + 1, dtype);
                    var y = op(a, b);
                    Assert.Equal(DType.Bool, y.DType);
                    Assert.False(y.RequiresGrad);
                    Verify.SameOnBackends(x => op(x[0], x[1]).To(DType.F64), [a, b], 0, 0);
                    var shape = Shape.Broadcast(a.Shape, b.Shape);
                    var av = a.Expand(shape.ToArray()).ToDoubleArray();
                    var bv = b.Expand(shape.ToArray()).ToDoubleArray();
                    var yv = y.ToDoubleArray();
                    for (var i = 0; i < yv.Length; i++) Assert.Equal(expected(av[i], bv[i]) ? 1.0 : 0.0, yv[i]);
                });
    }

    [TensorProperty]
    public void Comparisons_partition_and_logic_follows_de_morgan(ShapeCase c)
    {
        var a = Grid(c.Dims, c.Seed, DType.F64);
        var b = Grid(c.Dims, c.Seed + 1, DType.F64);
        var ones = Tensor.Ones(a.Shape, DType.I64);
        Verify.Close(ones, F.Lt(a, b).To(DType.I64) + F.Eq(a, b).To(DType.I64) + F.Gt(a, b).To(DType.I64), 0, 0);
        Verify.Close(F.Le(a, b).To(DType.I64), F.LogicalNot(F.Gt(a, b)).To(DType.I64), 0, 0);
        var (p, q) = (a > 0, b > 0);
        Verify.Close((!(p & q)).To(DType.I64), (!p | !q).To(DType.I64), 0, 0);
        Verify.Close((p ^ q).To(DType.I64), ((p | q) & !(p & q)).To(DType.I64), 0, 0);
    }

    [TensorProperty]
    public void Scalar_comparisons_equal_comparisons_with_a_filled_tensor(ShapeCase c)
    {
        foreach (var dtype in new[] { DType.F64, DType.F32, DType.I64, DType.I32 })
        {
            var x = Grid(c.Dims, c.Seed, dtype);
            foreach (var v in new[] { -1.0, 0, 2 })
            {
                var full = Tensor.Full(x.Shape, v, dtype);
                Assert.Equal(F.Eq(x, full).ToArray<bool>(), F.Eq(x, v).ToArray<bool>());
                Assert.Equal(F.Ne(x, full).ToArray<bool>(), F.Ne(x, v).ToArray<bool>());
                Assert.Equal(F.Lt(x, full).ToArray<bool>(), (x < v).ToArray<bool>());
                Assert.Equal(F.Le(x, full).ToArray<bool>(), (x <= v).ToArray<bool>());
                Assert.Equal(F.Gt(x, full).ToArray<bool>(), (x > v).ToArray<bool>());
                Assert.Equal(F.Ge(x, full).ToArray<bool>(), (v <= x).ToArray<bool>());
            }
        }
    }

    [Fact]
    public void Known_values_match_torch()
    {
        var x = Tensor.From(new long[] { 1, 2, 3 });
        // torch 1.13: torch.tensor([1, 2, 3]) < 2.5
        Assert.Equal([true, true, false], (x < 2.5).ToArray<bool>());
        // torch 1.13: torch.logical_and(torch.tensor([1, 0]), torch.tensor([2, 2]))
        Assert.Equal([true, false], F.LogicalAnd(Tensor.From(new long[] { 1, 0 }), Tensor.From(new long[] { 2, 2 })).ToArray<bool>());
        var f = Tensor.From(new double[] { double.NaN, 1, double.PositiveInfinity, double.NegativeInfinity, 0 });
        // torch 1.13: torch.isnan(t), torch.isfinite(t), t == t, t != t for t = [nan, 1, inf, -inf, 0]
        Assert.Equal([true, false, false, false, false], F.IsNan(f).ToArray<bool>());
        Assert.Equal([false, true, false, false, true], F.IsFinite(f).ToArray<bool>());
        Assert.Equal([false, true, true, true, true], F.Eq(f, f).ToArray<bool>());
        Assert.Equal([true, false, false, false, false], F.Ne(f, f).ToArray<bool>());
        Assert.Equal([true, true, true], F.IsFinite(x).ToArray<bool>());
    }

    [Fact]
    public void Operators_on_float_int_and_bool_tensors_give_bool()
    {
        var f = Tensor.From(new float[] { -1, 0, 2 });
        var i = Tensor.From(new int[] { 3, 0, -4 });
        var l = Tensor.From(new long[] { 3, 0, -4 });
        foreach (var t in new[] { f < 0, f >= 0.5, 1 < f, 0.0 >= f, i > 0, i <= 0, l > i.To(DType.I64), l < 2.5, i.Eq(0), l.Ne(3) })
            Assert.Equal(DType.Bool, t.DType);
        var p = i > 0;
        var q = f > 0;
        foreach (var t in new[] { p & q, p | q, p ^ q, !p, F.IsNan(f), F.IsFinite(i), p.Eq(q) })
            Assert.Equal(DType.Bool, t.DType);
        Assert.Equal([true, false, false], (i > 0).ToArray<bool>());
        Assert.Equal([false, true, false], (l.Eq(0)).ToArray<bool>());
        Assert.Equal([false, true, true], (!p).ToArray<bool>());
        Assert.Equal([true, false, true], (p ^ q).ToArray<bool>());
    }

    [Fact]
    public void Scalar_comparisons_on_integers_use_the_exact_value()
    {
        var x = Tensor.From(new int[] { 1, 2, 3 });
        Assert.Equal([false, true, true], (x > 1.5).ToArray<bool>());
        Assert.Equal([false, false, false], x.Eq(2.5).ToArray<bool>());
        Assert.Equal([true, true, true], (x < 1e10).ToArray<bool>());
        var b = Tensor.From(new double[] { 0, 1 }) > 0.5;
        Assert.Equal([false, true], b.Eq(1).ToArray<bool>());
        Assert.Equal([false, false], b.Eq(2).ToArray<bool>());
    }

    [Fact]
    public void Mismatched_inputs_name_the_argument()
    {
        var a = Tensor.Zeros(new Shape(2, 3));
        Assert.Contains("[4]", Assert.Throws<ShapeMismatchException>(() => F.Lt(a, Tensor.Zeros(new Shape(4)))).Message);
        var dt = Assert.Throws<DTypeMismatchException>(() => F.Eq(a, Tensor.Zeros(new Shape(2, 3), DType.F64)));
        Assert.Contains("other", dt.Message);
        Assert.Contains("Eq", dt.Message);
        Assert.Contains("other", Assert.Throws<DTypeMismatchException>(() => F.LogicalAnd(a > 0, a)).Message);
        Assert.Contains("reference", Assert.Throws<DeviceMismatchException>(() => F.Gt(a, Tensor.Zeros(new Shape(2, 3), device: Device.Reference))).Message);
    }
}
