using System.Numerics;
using System.Numerics.Tensors;
using Scratch.Autograd;
using Scratch.Ops;

namespace Scratch;

public static partial class F
{
    /// <summary>Fused cross-entropy for index targets: log-softmax over a [M, C] class-last copy, the smoothed
    /// weighted NLL per row, and the hand-written backward
    /// dx = s·(a·softmax − (1−ε)·w[t]·onehot(t) − ε/C·w) with a = (1−ε)·w[t] + ε/C·Σw, s the upstream scale.</summary>
    private static Tensor CrossEntropyIndices(Tensor input, Tensor target, Tensor? weight, long ignoreIndex,
        double eps, Reduction reduction)
    {
        const string op = "CrossEntropy";
        var (rows, classes) = CheckClassification(input, target, weight, op);
        var data = ClassLast(input.Detach(), rows, classes);
        var t = target.Detach().ToArray<long>();
        var wv = weight?.Detach().To(DType.F64).ToArray<double>();
        var wt = new double[rows];
        for (var i = 0; i < rows; i++)
        {
            var c = t[i];
            if (c == ignoreIndex) continue;
            if (c < 0 || c >= classes)
                throw new ArgumentOutOfRangeException(nameof(target), c,
                    $"{op}: target expected class indices in [0, {classes - 1}] or ignoreIndex {ignoreIndex}, " +
                    $"got {c} at flat position {i}.");
            wt[i] = wv?[c] ?? 1.0;
        }
        var keep = t.Select(c => c != ignoreIndex).ToArray();
        var logp = Tensor.Empty(new Shape(rows, classes), input.DType, input.Device);
        var losses = new double[rows];
        var k = new CrossEntropyRows(rows, classes, t, wt, wv, keep, eps);
        RowKernels.Dispatch(input.DType,
            () => k.Forward<float>(data, logp, losses),
            () => k.Forward<double>(data, logp, losses));
        double total = 0, denom = 0;
        for (var i = 0; i < rows; i++)
        {
            total += losses[i];
            denom += wt[i];
        }
        Tensor y = reduction switch
        {
            Reduction.None => Tensor.FromDoubles(losses, target.Shape, input.DType, input.Device),
            Reduction.Sum => Tensor.Scalar(total, input.DType, input.Device),
            _ => Tensor.Scalar(total / denom, input.DType, input.Device),
        };
        return Graph.Record(y, op, [input], g =>
        {
            var gv = g.To(DType.F64).ToArray<double>();
            var scale = new double[rows];
            for (var i = 0; i < rows; i++)
                scale[i] = reduction == Reduction.None ? gv[i] : reduction == Reduction.Sum ? gv[0] : gv[0] / denom;
            var dx = Tensor.Empty(logp.Shape, input.DType, input.Device);
            RowKernels.Dispatch(input.DType,
                () => k.Backward<float>(logp, dx, scale),
                () => k.Backward<double>(logp, dx, scale));
            return [ClassBack(dx, input.Shape)];
        });
    }

    /// <summary>Per-row forward and backward of the fused cross-entropy (Reference: scalar loops; Cpu:
    /// TensorPrimitives with rows in parallel).</summary>
    private sealed partial class CrossEntropyRows(int rows, int classes, long[] t, double[] wt, double[]? w, bool[] keep,
        double eps)
    {
        private readonly double _wsum = w?.Sum() ?? classes;

        /// <summary>logp = log_softmax(x) per row; loss = (1−ε)·w[t]·(−logp[t]) + ε/C·Σ_c w_c·(−logp_c), 0 if
        /// ignored.</summary>
        public void Forward<T>(Tensor x, Tensor logp, double[] losses) where T : unmanaged, IFloatingPointIeee754<T>
        {
            RowKernels.Softmax<T>(x, logp, rows, classes, log: true);
            if (!x.Device.IsHost)
            {
                GpuLosses<T>(logp, losses);
                return;
            }
            var (a, o) = (logp.HostArray<T>(), (int)logp.Offset);
            var fast = x.Device.Kind == DeviceKind.Cpu;
            RowKernels.ForRows(fast, rows, classes, i =>
            {
                if (!keep[i]) return;
                var row = new ReadOnlySpan<T>(a, o + i * classes, classes);
                var loss = -(1 - eps) * wt[i] * double.CreateChecked(row[(int)t[i]]);
                if (eps > 0)
                {
                    var s = 0.0;
                    for (var c = 0; c < classes; c++) s += (w?[c] ?? 1.0) * double.CreateChecked(row[c]);
                    loss -= eps / classes * s;
                }
                losses[i] = loss;
            });
        }

        /// <summary>dx[i] = scale[i]·(aᵢ·eˡᵒᵍᵖ − (1−ε)·w[tᵢ]·onehot(tᵢ) − ε/C·w), 0 for ignored rows.</summary>
        public void Backward<T>(Tensor logp, Tensor dx, double[] scale) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (!logp.Device.IsHost)
            {
                GpuBackward<T>(logp, dx, scale);
                return;
            }
            var (la, lo, da) = (logp.HostArray<T>(), (int)logp.Offset, dx.HostArray<T>());
            var fast = logp.Device.Kind == DeviceKind.Cpu;
            var smoothW = eps > 0
                ? Enumerable.Range(0, classes).Select(c => T.CreateChecked(eps / classes * (w?[c] ?? 1.0))).ToArray()
                : null;
            RowKernels.ForRows(fast, rows, classes, i =>
            {
                if (!keep[i]) return;
                var lrow = new ReadOnlySpan<T>(la, lo + i * classes, classes);
                var drow = new Span<T>(da, i * classes, classes);
                var s = scale[i];
                var coef = T.CreateChecked(s * ((1 - eps) * wt[i] + eps / classes * _wsum));
                if (fast)
                {
                    TensorPrimitives.Exp(lrow, drow);
                    TensorPrimitives.Multiply(drow, coef, drow);
                    if (smoothW is not null) TensorPrimitives.MultiplyAdd(smoothW, T.CreateChecked(-s), drow, drow);
                }
                else
                {
                    for (var c = 0; c < classes; c++)
                        drow[c] = coef * T.Exp(lrow[c]) - (smoothW is null ? T.Zero : T.CreateChecked(s) * smoothW[c]);
                }
                drow[(int)t[i]] -= T.CreateChecked(s * (1 - eps) * wt[i]);
            });
        }
    }
}
