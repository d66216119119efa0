using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Backends.Gpu;

public abstract partial class GpuOpsTests
{
    [GpuFact]
    public void NllLossAndCrossEntropyMatchReference()
    {
        var r = new Random(85);
        var reductions = new[] { Reduction.None, Reduction.Sum, Reduction.Mean };
        for (var c = 0; c < 8; c++)
        {
            var dtype = new[] { DType.F32, DType.F64 }[c % 2];
            var (atol, rtol) = dtype == DType.F32 ? (1e-5, 1e-4) : Tol(dtype);
            var classes = r.Next(1, 6);
            int[] dims = (c % 3) switch
            {
                0 => [classes],
                1 => [r.Next(1, 5), classes],
                _ => [r.Next(1, 3), classes, r.Next(1, 3), r.Next(1, 3)],
            };
            var x = Values.Uniform(new Shape(dims), (ulong)c, dtype, -3, 3);
            var tdims = dims.Where((_, i) => i != (dims.Length == 1 ? 0 : 1)).ToArray();
            var rows = tdims.Aggregate(1, (a, b) => a * b);
            // Some targets are the ignore index (−1 here).
            var t = Tensor.From(Enumerable.Range(0, rows).Select(_ => (long)r.Next(-1, classes)).ToArray(),
                new Shape(tdims));
            var weight = c % 2 == 0 ? null : Values.Uniform(new Shape(classes), (ulong)c + 50, dtype, 0.5, 2);
            var (red, eps) = (reductions[c % 3], c < 4 ? 0.0 : 0.2);
            var what = $"case {c} x {x.Shape} weight {weight is not null} {red} eps {eps} {dtype}";
            Tensor Target(Tensor on) => t.To(on.Device);
            Tensor? Weight(Tensor on) => weight?.To(on.Device);
            SameWithGrads(a => F.NllLoss(F.LogSoftmax(a[0], dims.Length == 1 ? 0 : 1), Target(a[0]), Weight(a[0]),
                -1, red), [x], atol, rtol, "nll_loss " + what);
            SameWithGrads(a => F.CrossEntropy(a[0], Target(a[0]), Weight(a[0]), -1, eps, red), [x], atol, rtol,
                "cross_entropy " + what);
        }
    }

    /// <summary>The composite losses (no kernels of their own) run on the device through GPU-backed ops (float32;
    /// each dtype loads some fifteen kernels, which the CPU accelerator compiles slowly).</summary>
    [GpuFact]
    public void CompositeLossesMatchReference() => CompositeLosses(DType.F32);

    /// <summary><see cref="CompositeLossesMatchReference"/> in float64.</summary>
    [GpuFact]
    [Trait("Category", "Long")]
    public void CompositeLossesInFloat64MatchReference() => CompositeLosses(DType.F64);

    private void CompositeLosses(DType dtype)
    {
        var (atol, rtol) = dtype == DType.F32 ? (1e-5, 1e-4) : Tol(dtype);
        for (var c = 0; c < 4; c++)
        {
            var red = new[] { Reduction.None, Reduction.Mean, Reduction.Sum, Reduction.Mean }[c];
            var shape = new Shape(2, 3);
            var x = Values.Uniform(shape, (ulong)c, dtype, -3, 3);
            var y = Values.Uniform(shape, (ulong)c + 10, dtype, 0, 1);
            var what = $"case {c} {red} {dtype}";
            SameWithGrads(a => F.BinaryCrossEntropyWithLogits(a[0], a[1], reduction: red), [x, y], atol, rtol,
                "bce_with_logits " + what);
            SameWithGrads(a => F.SigmoidFocalLoss(a[0], a[1], reduction: red), [x, y], atol, rtol,
                "sigmoid_focal " + what);
            SameWithGrads(a => F.BinaryCrossEntropy(F.Sigmoid(a[0]), a[1], reduction: red), [x, y], atol, rtol,
                "bce " + what);
            // β = 0 is the L1 loss; β = 1.5 puts most elements on the quadratic branch.
            var beta = new[] { 0.5, 0.0, 1.5, 0.5 }[c];
            SameWithGrads(a => F.SmoothL1Loss(a[0], a[1], red, beta), [x, y], atol, rtol,
                $"smooth_l1 beta {beta} " + what);
        }
    }

    /// <summary>The IoU losses (composites over Minimum/Maximum, Clamp and Log) run on the device. Long: the
    /// composite loads some twenty kernels, which the CPU accelerator compiles in ~5 s.</summary>
    [GpuFact]
    [Trait("Category", "Long")]
    public void IouLossesMatchReference()
    {
        for (var c = 0; c < 3; c++)
        {
            var dtype = new[] { DType.F32, DType.F64 }[c % 2];
            var (atol, rtol) = dtype == DType.F32 ? (1e-5, 1e-4) : Tol(dtype);
            var red = new[] { Reduction.None, Reduction.Mean, Reduction.Sum }[c];
            var what = $"case {c} {red} {dtype}";
            // Boxes (x1, y1, x2, y2) with x2 > x1, y2 > y1.
            var lo = Values.Uniform(new Shape(3, 2), (ulong)c + 20, dtype, 0, 4);
            var p = F.Cat([lo, lo + Values.Uniform(new Shape(3, 2), (ulong)c + 21, dtype, 1, 3)], 1);
            var lo2 = Values.Uniform(new Shape(3, 2), (ulong)c + 22, dtype, 0, 4);
            var q = F.Cat([lo2, lo2 + Values.Uniform(new Shape(3, 2), (ulong)c + 23, dtype, 1, 3)], 1);
            // Case 1 reads the boxes as (l, t, r, b) distances; case 2 weights the boxes (weight gets a gradient).
            var weight = Values.Uniform(new Shape(3), (ulong)c + 24, dtype, 0.5, 2);
            foreach (var kind in new[] { IouLossKind.Iou, IouLossKind.LinearIou, IouLossKind.Giou })
                SameWithGrads(a => F.IouLoss(a[0], a[1], kind, ltrb: c == 1, weight: a.Length > 2 ? a[2] : null,
                        reduction: red), c == 2 ? [p, q, weight] : [p, q], atol, rtol, $"iou_loss {kind} " + what);
        }
    }

    [GpuFact]
    public void WhereAndMaskedFillMatchReference()
    {
        var r = new Random(86);
        for (var c = 0; c < 6; c++)
        {
            var dtype = new[] { DType.F32, DType.F64 }[c % 2];
            var (atol, rtol) = Tol(dtype);
            var dims = RandomDims(r);
            var a = Values.Uniform(new Shape(dims), (ulong)c, dtype, -2, 2);
            // b broadcasts along the leading dims; the condition comes from a, so both branches occur.
            var b = Values.Uniform(new Shape(dims[^1]), (ulong)c + 30, dtype, -2, 2);
            SameWithGrads(t => F.Where(F.Gt(t[0].Detach(), 0.0), t[0], t[1]), [a, b], atol, rtol,
                $"where case {c} {a.Shape} {dtype}");
            SameWithGrads(t => F.MaskedFill(t[0], F.Lt(t[0].Detach(), 0.5), -3), [a], atol, rtol,
                $"masked_fill case {c} {a.Shape} {dtype}");
        }
        var ints = Tensor.From(new long[] { 1, 2, 3, 4 }).To(Device);
        var cond = F.Gt(ints, 2.0);
        Assert.Equal(new long[] { 0, 0, 3, 4 }, F.Where(cond, ints, Tensor.ZerosLike(ints)).ToArray<long>());
    }
}
