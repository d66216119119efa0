using System.Numerics;
using System.Numerics.Tensors;
using Scratch.Autograd;
using Scratch.Ops;

namespace Scratch;

public static partial class F
{
    /// <summary>Normalises each row of a [rows, len] tensor: y = (x − μ)/√(σ² + ε) with μ and the biased σ² taken
    /// over the row (two passes, so it is stable for large offsets). The building block of batch, layer, group and
    /// instance norm. Backward: dx = (g − mean(g) − y·mean(g·y)) / √(σ² + ε).</summary>
    /// <remarks>The Reference path works in float64; the Cpu path centres in the input dtype (with a mean
    /// correction pass), so float32 rows whose mean is large against their spread lose relative accuracy.</remarks>
    /// <param name="x">A rank-2 float tensor (any strides).</param>
    /// <param name="eps">ε &gt; 0 added to the variance.</param>
    /// <param name="mean">The per-row means μ (double, for running statistics).</param>
    /// <param name="variance">The per-row biased variances σ² (double).</param>
    internal static Tensor NormalizeRows(Tensor x, double eps, out double[] mean, out double[] variance)
    {
        const string op = "NormalizeRows";
        RequireFloating(x, op);
        if (x.Rank != 2) throw new ShapeMismatchException(op, "input", "a [rows, len] tensor", x.Shape.ToString());
        if (!x.Device.IsHost) return GpuNormalizeRows(x, eps, out mean, out variance);
        var (rows, len) = (x.Shape[0], x.Shape[1]);
        var data = x.Detach().Materialize();
        var y = Tensor.Empty(x.Shape, x.DType, x.Device);
        var rstd = new double[rows];
        var mu = new double[rows];
        var v = new double[rows];
        RowKernels.Dispatch(x.DType,
            () => NormalizeKernel<float>(data, y, rows, len, eps, mu, v, rstd),
            () => NormalizeKernel<double>(data, y, rows, len, eps, mu, v, rstd));
        (mean, variance) = (mu, v);
        if (!Graph.NeedsGrad(x)) return y;
        var saved = new SavedTensor(y, op);
        return Graph.Record(y, op, [x], g =>
        {
            var gd = g.Materialize();
            var dx = Tensor.Empty(x.Shape, x.DType, x.Device);
            var yv = saved.Get();
            RowKernels.Dispatch(x.DType,
                () => NormalizeBackwardKernel<float>(gd, yv, dx, rows, len, rstd),
                () => NormalizeBackwardKernel<double>(gd, yv, dx, rows, len, rstd));
            return [dx];
        });
    }

    /// <summary>The row normaliser without the statistics.</summary>
    internal static Tensor NormalizeRows(Tensor x, double eps) => NormalizeRows(x, eps, out _, out _);

    private static void NormalizeKernel<T>(Tensor x, Tensor y, int rows, int len, double eps, double[] mean,
        double[] variance, double[] rstd) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var fast = x.Device.Kind == DeviceKind.Cpu;
        var (xa, xo, ya, yo) = (x.HostArray<T>(), (int)x.Offset, y.HostArray<T>(), (int)y.Offset);
        RowKernels.ForRows(fast, rows, len, r =>
        {
            var xs = new ReadOnlySpan<T>(xa, xo + r * len, len);
            var ys = new Span<T>(ya, yo + r * len, len);
            double m, var;
            if (fast)
            {
                // Two-pass with a mean correction: the residual mean of x − m fixes the rounding of m.
                m = double.CreateChecked(TensorPrimitives.Sum(xs)) / len;
                TensorPrimitives.Subtract(xs, T.CreateChecked(m), ys);
                var correction = double.CreateChecked(TensorPrimitives.Sum<T>(ys)) / len;
                m += correction;
                TensorPrimitives.Subtract(xs, T.CreateChecked(m), ys);
                var = double.CreateChecked(TensorPrimitives.SumOfSquares<T>(ys)) / len;
            }
            else
            {
                var s = 0.0;
                foreach (var e in xs) s += double.CreateChecked(e);
                m = s / len;
                var q = 0.0;
                foreach (var e in xs) q += (double.CreateChecked(e) - m) * (double.CreateChecked(e) - m);
                var = q / len;
            }
            var rs = 1 / Math.Sqrt(var + eps);
            (mean[r], variance[r], rstd[r]) = (m, var, rs);
            if (fast) TensorPrimitives.Multiply(ys, T.CreateChecked(rs), ys);
            else
                for (var i = 0; i < len; i++) ys[i] = T.CreateChecked((double.CreateChecked(xs[i]) - m) * rs);
        });
    }

    private static void NormalizeBackwardKernel<T>(Tensor g, Tensor y, Tensor dx, int rows, int len, double[] rstd)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var fast = g.Device.Kind == DeviceKind.Cpu;
        var (ga, go, ya, yo, da, dof) = (g.HostArray<T>(), (int)g.Offset, y.HostArray<T>(), (int)y.Offset,
            dx.HostArray<T>(), (int)dx.Offset);
        RowKernels.ForRows(fast, rows, len, r =>
        {
            var gs = new ReadOnlySpan<T>(ga, go + r * len, len);
            var ys = new ReadOnlySpan<T>(ya, yo + r * len, len);
            var ds = new Span<T>(da, dof + r * len, len);
            if (fast)
            {
                var mg = TensorPrimitives.Sum(gs) / T.CreateChecked(len);
                var mgy = TensorPrimitives.Dot(gs, ys) / T.CreateChecked(len);
                TensorPrimitives.Multiply(ys, mgy, ds);
                TensorPrimitives.Subtract(gs, ds, ds);
                TensorPrimitives.Subtract(ds, mg, ds);
                TensorPrimitives.Multiply(ds, T.CreateChecked(rstd[r]), ds);
                return;
            }
            double sg = 0, sgy = 0;
            for (var i = 0; i < len; i++)
            {
                sg += double.CreateChecked(gs[i]);
                sgy += double.CreateChecked(gs[i]) * double.CreateChecked(ys[i]);
            }
            for (var i = 0; i < len; i++)
            {
                var centred = double.CreateChecked(gs[i]) - sg / len - double.CreateChecked(ys[i]) * sgy / len;
                ds[i] = T.CreateChecked(centred * rstd[r]);
            }
        });
    }
}
