using System.Numerics;
using Scratch.Backends.Gpu;

namespace Scratch;

public static partial class F
{
    private sealed partial class CrossEntropyRows
    {
        /// <summary>GPU half of <see cref="Forward{T}"/> (logp already on the device): the kernels gather logp[i, tᵢ]
        /// and, with smoothing, Σ_c w_c·logp[i, c] in double; the losses are formed on the host as there.</summary>
        private void GpuLosses<T>(Tensor logp, double[] losses) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (rows == 0) return;
            const string op = "CrossEntropy";
            var device = logp.Device;
            var backend = GpuRuntime.BackendFor(device);
            var targets = LossTargetsOnDevice(t, i => keep[i], device);
            var picked = Tensor.Empty(new Shape(rows), DType.F64, device);
            backend.LossPick<T>(logp, targets, picked, classes, op);
            var p = picked.ToArray<double>();
            double[]? sums = null;
            if (eps > 0)
            {
                var s = Tensor.Empty(new Shape(rows), DType.F64, device);
                var wc = Tensor.From(w ?? Enumerable.Repeat(1.0, classes).ToArray(), device: device);
                backend.LossWeightedRowSum<T>(logp, wc, s, classes, op);
                sums = s.ToArray<double>();
            }
            for (var i = 0; i < rows; i++)
            {
                if (!keep[i]) continue;
                var loss = -(1 - eps) * wt[i] * p[i];
                if (sums is not null) loss -= eps / classes * sums[i];
                losses[i] = loss;
            }
        }

        /// <summary>GPU half of <see cref="Backward{T}"/>: per-row coefficients rounded to T on the host, one thread
        /// per element of dx.</summary>
        private void GpuBackward<T>(Tensor logp, Tensor dx, double[] scale) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (rows == 0 || classes == 0) return;
            var coef = new T[3 * rows];
            for (var i = 0; i < rows; i++)
            {
                var s = scale[i];
                coef[3 * i] = T.CreateChecked(s * ((1 - eps) * wt[i] + eps / classes * _wsum));
                coef[3 * i + 1] = T.CreateChecked(s);
                coef[3 * i + 2] = T.CreateChecked(s * (1 - eps) * wt[i]);
            }
            var smoothW = Enumerable.Range(0, classes)
                .Select(c => eps > 0 ? T.CreateChecked(eps / classes * (w?[c] ?? 1.0)) : T.Zero).ToArray();
            var device = logp.Device;
            GpuRuntime.BackendFor(device).CrossEntropyBackward<T>(logp, Tensor.From(coef, device: device),
                LossTargetsOnDevice(t, i => keep[i], device), Tensor.From(smoothW, device: device), dx, classes,
                "CrossEntropy");
        }
    }
}
