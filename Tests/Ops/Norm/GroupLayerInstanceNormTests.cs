using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Norm;

public class GroupLayerInstanceNormTests
{
    private static int[] NcShape(ShapeCase c, int minRank = 2)
    {
        var d = c.Dims.Select(v => Math.Clamp(v, 1, 3)).ToList();
        while (d.Count < minRank) d.Add(2);
        return d.Take(4).ToArray();
    }

    [TensorProperty]
    public void Group_norm_gradients_and_backends(ShapeCase c)
    {
        var s = NcShape(c);
        var groups = s[1] % 2 == 0 && (c.Seed & 1) == 0 ? 2 : 1;
        s[1] *= groups == 2 ? 1 : 2;
        groups = s[1] % 2 == 0 ? groups : 1;
        var x = Values.Uniform(new Shape(s), c.Seed, DType.F64, -2, 2);
        var w = Values.Uniform(new Shape(s[1]), c.Seed + 1, DType.F64, 0.5, 2);
        var b = Values.Uniform(new Shape(s[1]), c.Seed + 2, DType.F64, -1, 1);
        Verify.Gradients(t => F.GroupNorm(t[0], groups, t[1], t[2]), x, w, b);
        Verify.SameOnBackends(t => F.GroupNorm(t[0], groups, t[1], t[2]), [x, w, b], 1e-10, 1e-9);
    }

    [TensorProperty]
    public void Layer_norm_gradients_and_backends(ShapeCase c)
    {
        var s = NcShape(c, 1);
        var k = 1 + (int)(c.Seed % (ulong)s.Length);
        var ns = s[^k..];
        var x = Values.Uniform(new Shape(s), c.Seed, DType.F64, -2, 2);
        var w = Values.Uniform(new Shape(ns), c.Seed + 1, DType.F64, 0.5, 2);
        var b = Values.Uniform(new Shape(ns), c.Seed + 2, DType.F64, -1, 1);
        Verify.Gradients(t => F.LayerNorm(t[0], ns, t[1], t[2]), x, w, b);
        Verify.SameOnBackends(t => F.LayerNorm(t[0], ns, t[1], t[2]), [x, w, b], 1e-10, 1e-9);
    }

    [TensorProperty]
    public void Instance_norm_gradients_and_backends(ShapeCase c)
    {
        var s = NcShape(c, 3);
        var x = Values.Uniform(new Shape(s), c.Seed, DType.F64, -2, 2);
        var w = Values.Uniform(new Shape(s[1]), c.Seed + 1, DType.F64, 0.5, 2);
        var b = Values.Uniform(new Shape(s[1]), c.Seed + 2, DType.F64, -1, 1);
        Verify.Gradients(t => F.InstanceNorm(t[0], weight: t[1], bias: t[2]), x, w, b);
        Verify.SameOnBackends(t => F.InstanceNorm(t[0], weight: t[1], bias: t[2]), [x, w, b], 1e-10, 1e-9);
    }

    [TensorProperty]
    public void Special_cases_agree(ShapeCase c)
    {
        var s = NcShape(c, 3);
        var x = Values.Uniform(new Shape(s), c.Seed, DType.F64, -2, 2);
        // Group norm with one channel per group is instance norm; with one group it is layer norm over [C, *].
        Verify.Close(F.InstanceNorm(x), F.GroupNorm(x, s[1]), 1e-12, 1e-10);
        Verify.Close(F.LayerNorm(x, s[1..]), F.GroupNorm(x, 1), 1e-12, 1e-10);
    }

    [Fact]
    public void Match_torch()
    {
        var xg = SeqValues.Of(0, 2, 4, 3);
        var wg = Tensor.From(new[] { 1.0, 2.0, -1.0, 0.5 });
        var bg = Tensor.From(new[] { 0.0, 0.1, 0.2, 0.3 });
        // torch 1.13: F.group_norm(seq(2,4,3), 2, wg, bg, 1e-5)
        Verify.Values(F.GroupNorm(xg, 2, wg, bg), new Shape(2, 4, 3),
            [-1.361964221, -0.1513293579, 1.0593055052, -2.0186110105, 0.4026587158, 2.8239284421, 0.9960265602, -0.1980132801, -1.3920531204, 0.0512416999, 0.6482616201, -0.3965232402, -0.2862976465, 1.0879310567, -1.3169691739, 0.2145190586, 2.962976465, -1.8468239962, -0.116226343, -1.381131715, 0.832452686, 0.616226343, -0.4905658575, 0.1418868285], 1e-9);
        // torch 1.13: F.layer_norm(seq(2,2,3), [2,3], seq(2,3,k=1), seq(2,3,k=2), 1e-5)
        Verify.Values(F.LayerNorm(SeqValues.Of(0, 2, 2, 3), [2, 3], SeqValues.Of(1, 2, 3), SeqValues.Of(2, 2, 3)), new Shape(2, 2, 3),
            [1.4539880737, -1.4846626912, -1.4124073403, 1.3333333333, -0.7982275228, -1.0286308877, 1.2653421867, -0.9353200532, -2.1227374938, 1.3333333333, -0.0713023464, 1.7263798137], 1e-9);
        var rm = Tensor.From(new[] { 0.1, -0.2 });
        var rv = Tensor.From(new[] { 1.0, 0.5 });
        // torch 1.13: F.instance_norm(seq(2,2,3), rm, rv, [1.5,-0.5], [0.25,0.75], use_input_stats=True, momentum=0.1, eps=1e-5)
        Verify.Values(F.InstanceNorm(SeqValues.Of(0, 2, 2, 3), rm, rv, Tensor.From(new[] { 1.5, -0.5 }), Tensor.From(new[] { 0.25, 0.75 })), new Shape(2, 2, 3),
            [-1.5871095568, 0.25, 2.0871095568, 1.3623698523, 0.75, 0.1376301477, -1.5871095568, 0.25, 2.0871095568, 0.8081235013, 0.1106414861, 1.3312350126], 1e-9);
        // torch 1.13: rm, rv after that call
        Verify.Values(rm, new Shape(2), [0.09, -0.2077777778], 1e-9);
        Verify.Values(rv, new Shape(2), [1.0777777778, 0.6074074074], 1e-9);
    }

    [Fact]
    public void Bad_input_is_rejected()
    {
        var x = Tensor.Zeros(new Shape(2, 6, 3));
        var g = Assert.Throws<ArgumentOutOfRangeException>(() => F.GroupNorm(x, 4));
        Assert.Contains("groups", g.Message);
        var l = Assert.Throws<ShapeMismatchException>(() => F.LayerNorm(x, [6]));
        Assert.Contains("normalizedShape", l.Message);
        var lw = Assert.Throws<ShapeMismatchException>(() => F.LayerNorm(x, [3], Tensor.Ones(new Shape(2))));
        Assert.Contains("weight", lw.Message);
        var i = Assert.Throws<ShapeMismatchException>(() => F.InstanceNorm(Tensor.Zeros(new Shape(2, 6))));
        Assert.Contains("input", i.Message);
        var r = Assert.Throws<ArgumentException>(() => F.InstanceNorm(x, useInputStats: false));
        Assert.Contains("runningMean", r.Message);
    }
}
