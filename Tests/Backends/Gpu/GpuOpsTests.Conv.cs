using Scratch.Tests.Properties;

namespace Scratch.Tests.Backends.Gpu;

public abstract partial class GpuOpsTests
{
    [GpuFact]
    public void Conv2dAndItsGradientsMatchReference()
    {
        var r = new Random(31);
        for (var c = 0; c < Cases; c++)
        {
            var dtype = new[] { DType.F32, DType.F64 }[c % 2];
            var (atol, rtol) = dtype == DType.F32 ? (1e-4, 1e-4) : Tol(dtype);
            int groups = r.Next(1, 3), n = r.Next(1, 3), cin = groups * r.Next(1, 3), cout = groups * r.Next(1, 3);
            int kh = r.Next(1, 4), kw = r.Next(1, 4), s = r.Next(1, 3), p = r.Next(0, 2), d = r.Next(1, 3);
            int h = d * (kh - 1) + 1 + r.Next(0, 4), w = d * (kw - 1) + 1 + r.Next(0, 4);
            var x = Values.Uniform(new Shape(n, cin, h, w), (ulong)c, dtype, -1, 1);
            var wt = Values.Uniform(new Shape(cout, cin / groups, kh, kw), (ulong)c + 50, dtype, -1, 1);
            var b = Values.Uniform(new Shape(cout), (ulong)c + 80, dtype, -1, 1);
            var what = $"conv case {c} x {x.Shape} w {wt.Shape} s {s} p {p} d {d} g {groups} {dtype}";
            if (c % 3 == 0) SameWithGrads(t => F.Conv2d(t[0], t[1], null, s, p, d, groups), [x, wt], atol, rtol, what);
            else SameWithGrads(t => F.Conv2d(t[0], t[1], t[2], s, p, d, groups), [x, wt, b], atol, rtol, what);
        }
    }

    /// <summary>The implicit-GEMM gradients across GEMM tiles: the input gradient of a stride-1 conv (filters read
    /// flipped, depth 130·9 = 1170) and the weight gradient (130 rows crossing a row tile, depth N·L = 200 crossing
    /// the depth tiles), with and without groups, and a strided conv whose input gradient goes through col2im.</summary>
    [GpuFact]
    public void Conv2dGradientsCrossGemmTiles()
    {
        var x = Values.Uniform(new Shape(2, 4, 10, 10), 3, DType.F32, -1, 1);
        foreach (var (groups, stride, pad, dil) in new[] { (1, 1, 1, 1), (2, 1, 2, 2), (1, 2, 1, 1) })
        {
            var w = Values.Uniform(new Shape(130, 4 / groups, 3, 3), 4, DType.F32, -1, 1);
            SameWithGrads(t => F.Conv2d(t[0], t[1], null, stride, pad, dil, groups), [x, w], 1e-4, 1e-4,
                $"conv 4→130 @ 10×10 groups {groups} stride {stride} pad {pad} dilation {dil}");
        }
    }

    [GpuFact]
    public void ConvTranspose2dMatchesReference()
    {
        var x = Values.Uniform(new Shape(1, 2, 3, 3), 7, DType.F64, -1, 1);
        var w = Values.Uniform(new Shape(2, 3, 2, 2), 8, DType.F64, -1, 1);
        var b = Values.Uniform(new Shape(3), 9, DType.F64, -1, 1);
        SameWithGrads(t => F.ConvTranspose2d(t[0], t[1], t[2], stride: 2), [x, w, b], 1e-12, 1e-10,
            "conv_transpose2d");
    }
}
