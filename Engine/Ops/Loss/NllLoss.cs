using System.Numerics;
using Scratch.Autograd;

namespace Scratch;

public static partial class F
{
    /// <summary>Negative log-likelihood loss, as PyTorch 1.13's <c>nll_loss</c>.</summary>
    /// <param name="logProbs">[N, C], [N, C, d1, ...] or unbatched [C] log-probabilities (float).</param>
    /// <param name="target">int64 class indices of shape [N], [N, d1, ...] or [] (unbatched).</param>
    /// <param name="weight">Optional [C] per-class weights wᶜ (1 when absent); not differentiated.</param>
    /// <param name="ignoreIndex">Targets equal to this contribute 0 and are left out of the mean.</param>
    /// <param name="reduction">None: ℓᵢ = −w[tᵢ]·logProbs[i, tᵢ] in the target's shape; Sum: Σ ℓᵢ;
    /// Mean: Σ ℓᵢ / Σ w[tᵢ] over non-ignored i (NaN when every target is ignored, as in PyTorch).</param>
    /// <remarks>Fused kernel; backward puts −w[tᵢ]·g (divided by Σ w for Mean) at the target class and 0 elsewhere.
    /// A target outside [0, C) other than <paramref name="ignoreIndex"/> throws ArgumentOutOfRangeException.</remarks>
    public static Tensor NllLoss(Tensor logProbs, Tensor target, Tensor? weight = null, long ignoreIndex = -100,
        Reduction reduction = Reduction.Mean)
    {
        const string op = "NllLoss";
        var (rows, classes) = CheckClassification(logProbs, target, weight, op);
        // [M, C] with the class dim last; row order equals the target's row-major order.
        var lp = ClassLast(logProbs.Detach(), rows, classes);
        var t = target.Detach().ToArray<long>();
        var w = new double[rows];
        var wv = weight?.Detach().To(DType.F64).ToArray<double>();
        for (var i = 0; i < rows; i++)
        {
            var c = t[i];
            if (c == ignoreIndex) continue;
            if (c < 0 || c >= classes)
                throw new ArgumentOutOfRangeException(nameof(target), c,
                    $"{op}: target expected class indices in [0, {classes - 1}] or ignoreIndex {ignoreIndex}, " +
                    $"got {c} at flat position {i}.");
            w[i] = wv?[c] ?? 1.0;
        }
        var picked = lp.DType == DType.F32 ? NllGather<float>(lp, t, w) : NllGather<double>(lp, t, w);
        var losses = new double[rows];
        double total = 0, wsum = 0;
        for (var i = 0; i < rows; i++)
        {
            if (w[i] == 0) continue;
            losses[i] = -w[i] * picked[i];
            total += losses[i];
            wsum += w[i];
        }
        Tensor y = reduction switch
        {
            Reduction.None => Tensor.FromDoubles(losses, target.Shape, logProbs.DType, logProbs.Device),
            Reduction.Sum => Tensor.Scalar(total, logProbs.DType, logProbs.Device),
            _ => Tensor.Scalar(total / wsum, logProbs.DType, logProbs.Device),
        };
        return Graph.Record(y, op, [logProbs], g =>
        {
            var gv = g.To(DType.F64).ToArray<double>();
            var dx = Tensor.Empty(lp.Shape, logProbs.DType, logProbs.Device);
            var scatter = new double[rows];
            for (var i = 0; i < rows; i++)
            {
                if (w[i] == 0) continue;
                var gi = reduction == Reduction.None ? gv[i] : reduction == Reduction.Sum ? gv[0] : gv[0] / wsum;
                scatter[i] = -w[i] * gi;
            }
            if (dx.DType == DType.F32) NllScatter<float>(dx, t, w, scatter);
            else NllScatter<double>(dx, t, w, scatter);
            return [ClassBack(dx, logProbs.Shape)];
        });
    }

    /// <summary>logProbs[i, tᵢ] of a contiguous [rows, C] tensor for the rows with non-zero weight.</summary>
    private static double[] NllGather<T>(Tensor lp, long[] t, double[] w) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!lp.Device.IsHost) return NllGatherGpu<T>(lp, t, w);
        var (a, o, classes) = (lp.HostArray<T>(), (int)lp.Offset, lp.Shape[1]);
        var r = new double[t.Length];
        for (var i = 0; i < t.Length; i++)
            if (w[i] != 0) r[i] = double.CreateChecked(a[o + i * classes + t[i]]);
        return r;
    }

    /// <summary>Writes values[i] at [i, tᵢ] of a zeroed contiguous [rows, C] tensor for rows with non-zero
    /// weight.</summary>
    private static void NllScatter<T>(Tensor dx, long[] t, double[] w, double[] values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!dx.Device.IsHost)
        {
            NllScatterGpu<T>(dx, t, w, values);
            return;
        }
        var (a, classes) = (dx.HostArray<T>(), dx.Shape[1]);
        for (var i = 0; i < t.Length; i++)
            if (w[i] != 0) a[i * classes + t[i]] = T.CreateChecked(values[i]);
    }

    /// <summary>Validates an (input, target, weight) classification triple; returns (rows M, classes C).</summary>
    internal static (int Rows, int Classes) CheckClassification(Tensor input, Tensor target, Tensor? weight, string op)
    {
        RequireFloating(input, op);
        if (input.Rank < 1)
            throw new ShapeMismatchException(op, "input", "[C], [N, C] or [N, C, d1, ...]", input.Shape.ToString());
        if (target.DType != DType.I64)
            throw new DTypeMismatchException(op, "target", "int64 class indices", target.DType.Name());
        if (target.Device != input.Device)
            throw new DeviceMismatchException(op, "target", input.Device.ToString(), target.Device.ToString());
        var classDim = input.Rank == 1 ? 0 : 1;
        var expected = input.Shape.ToArray().Where((_, i) => i != classDim).ToArray();
        if (target.Shape != new Shape(expected))
            throw new ShapeMismatchException(op, "target", new Shape(expected).ToString(), target.Shape.ToString());
        var classes = input.Shape[classDim];
        if (weight is not null)
        {
            if (weight.Shape != new Shape(classes))
                throw new ShapeMismatchException(op, "weight", $"[{classes}]", weight.Shape.ToString());
            RequireSame(input, weight, op, "weight");
        }
        return (checked((int)target.Numel), classes);
    }

    /// <summary>Moves the class dim (1, or 0 for rank 1) last and flattens to a contiguous [rows, C].</summary>
    internal static Tensor ClassLast(Tensor x, int rows, int classes)
    {
        if (x.Rank <= 2) return x.Materialize().Reshape(rows, classes);
        var perm = Enumerable.Range(0, x.Rank).Where(i => i != 1).Append(1).ToArray();
        return x.Permute(perm).Materialize().Reshape(rows, classes);
    }

    /// <summary>Inverse of <see cref="ClassLast"/>: a [rows, C] tensor back to <paramref name="shape"/>.</summary>
    internal static Tensor ClassBack(Tensor x, Shape shape)
    {
        if (shape.Rank <= 2) return x.Reshape(shape.ToArray());
        var dims = shape.ToArray();
        var moved = dims.Where((_, i) => i != 1).Append(dims[1]).ToArray();
        var inverse = new int[dims.Length];
        inverse[0] = 0;
        inverse[1] = dims.Length - 1;
        for (var i = 2; i < dims.Length; i++) inverse[i] = i - 1;
        return x.Reshape(moved).Permute(inverse).Materialize();
    }
}
