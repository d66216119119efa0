using System.Numerics;
using System.Numerics.Tensors;
using Scratch.Autograd;
using Scratch.Backends;
using Scratch.Ops;

namespace Scratch.Ops
{
    /// <summary>One row of a vector p-norm: (Σ|x|ᵖ)^(1/p); p = ∞ → max |x|, p = −∞ → min |x|, p = 0 → count of
    /// non-zeros. <c>fast</c> selects the TensorPrimitives paths (CPU); otherwise plain loops (Reference).
    /// </summary>
    internal readonly struct NormKernel(double p, bool fast) : IReduceFloatRowKernel
    {
        public string Name => "Norm";

        public void Run<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> aux, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (x.Length == 0)
            {
                y[0] = T.Zero;
                return;
            }
            if (fast)
            {
                if (p == 2) { y[0] = TensorPrimitives.Norm(x); return; }
                if (p == 1) { y[0] = TensorPrimitives.SumOfMagnitudes(x); return; }
                if (double.IsPositiveInfinity(p)) { y[0] = T.Abs(TensorPrimitives.MaxMagnitude(x)); return; }
                if (double.IsNegativeInfinity(p)) { y[0] = T.Abs(TensorPrimitives.MinMagnitude(x)); return; }
            }
            if (double.IsInfinity(p))
            {
                var best = T.Abs(x[0]);
                foreach (var v in x)
                {
                    var a = T.Abs(v);
                    if (T.IsNaN(a)) { best = a; break; }
                    if (p > 0 ? a > best : a < best) best = a;
                }
                y[0] = best;
                return;
            }
            var acc = T.Zero;
            var tp = T.CreateTruncating(p);
            foreach (var v in x)
            {
                var a = T.Abs(v);
                acc += p == 0 ? (v != T.Zero ? T.One : T.Zero) : p == 1 ? a : p == 2 ? a * a : T.Pow(a, tp);
            }
            y[0] = p is 0 or 1 ? acc : p == 2 ? T.Sqrt(acc) : T.Pow(acc, T.One / tp);
        }
    }
}

namespace Scratch
{
    public static partial class F
    {
        /// <summary>Vector p-norm over <paramref name="dims"/> (all when null): (Σ|x|ᵖ)^(1/p) for p &gt; 0
        /// (default 2, the Euclidean norm); p = ∞ gives max |x|, p = −∞ min |x|, p = 0 the count of non-zeros.
        /// Gradients follow PyTorch: sign(x)|x|ᵖ⁻¹ / ‖x‖ᵖ⁻¹ (0 where the norm is 0, so the 2-norm of a zero vector has
        /// gradient 0); for ±∞ the gradient is spread evenly over the elements whose |x| attains the norm; p = 0 has
        /// gradient 0. Floating inputs only; negative finite p is rejected; ±∞ over an empty dim throws.</summary>
        public static Tensor Norm(Tensor x, double p = 2, int[]? dims = null, bool keepDim = false)
        {
            RequireFloating(x, "Norm");
            if (double.IsNaN(p) || (p < 0 && !double.IsNegativeInfinity(p)))
                throw new ArgumentOutOfRangeException(nameof(p), p, $"Norm: p must be >= 0 or ±infinity, got {p}.");
            var d = ReduceDims(x, dims, "Norm");
            if (double.IsInfinity(p)) RequireNonEmptyReduction(x, d, dims is null || dims.Length == 0, "Norm");
            var (data, rows, len) = ReduceLayout(x, d);
            var k = new NormKernel(p, x.Device.Kind != DeviceKind.Reference);
            var rowNorms = x.Device.IsHost
                ? ReduceRowKernels.RunFloat(k, data, null, rows, len, 0, 1)
                : NormGpu(data, rows, len, p);
            var y = rowNorms.Reshape(ReducedShape(x, d, keepDim).ToArray());
            if (!Graph.NeedsGrad(x)) return y;
            var sx = new SavedTensor(x, "Norm");
            var sy = new SavedTensor(y, "Norm");
            return Graph.Record(y, "Norm", [x], g =>
            {
                if (p == 0) return [Tensor.ZerosLike(x)];
                var xv = sx.Get();
                var yk = KeepDimView(sy.Get(), x.Shape, d);
                var gk = ExpandReduced(g, x.Shape, d);
                var count = gk;
                if (double.IsInfinity(p))
                {
                    var hits = NormGrad(new NormGradOp(p, 1), xv, yk, gk, gk);
                    count = ExpandReduced(Sum(hits, d, keepDim: true), x.Shape, d);
                }
                return [NormGrad(new NormGradOp(p, 0), xv, yk, gk, count)];
            });
        }

        /// <summary>∂‖x‖ₚ/∂x · g per element; with <c>hits</c> = 1, the 0/1 mask of elements attaining a ±∞ norm.
        /// Blittable (an int flag), so GPU kernels take it as a parameter.</summary>
        internal readonly struct NormGradOp(double p, int hits)
        {
            public T Apply<T>(T x, T y, T g, T count) where T : unmanaged, IFloatingPointIeee754<T>
            {
                var a = T.Abs(x);
                if (double.IsInfinity(p))
                {
                    var hit = a == y; // a NaN never attains the norm: its gradient is 0, as in PyTorch
                    if (hits != 0) return hit ? T.One : T.Zero;
                    return hit ? T.CopySign(T.One, x) * (x == T.Zero ? T.Zero : T.One) * g / count : T.Zero;
                }
                if (y == T.Zero) return T.Zero;
                var sign = x == T.Zero ? T.Zero : T.CopySign(T.One, x);
                if (p == 1) return T.IsNaN(x) ? x * g : sign * g;
                if (p == 2) return x / y * g;
                var tp = T.CreateTruncating(p) - T.One;
                return sign * T.Pow(a, tp) / T.Pow(y, tp) * g;
            }
        }

        /// <summary>p-norms of the rows of contiguous [rows, len] <paramref name="data"/> on a GPU device.</summary>
        private static Tensor NormGpu(Tensor data, int rows, int len, double p)
        {
            var y = Tensor.Empty(new Shape(rows, 1), data.DType, data.Device);
            var gpu = Backends.Gpu.GpuRuntime.BackendFor(data.Device);
            if (data.DType == DType.F32) gpu.NormRows<float>(data, y, rows, len, p);
            else gpu.NormRows<double>(data, y, rows, len, p);
            return y;
        }

        /// <summary>Applies <paramref name="op"/> elementwise over tensors of x's shape (y, g and count broadcast).
        /// </summary>
        private static Tensor NormGrad(NormGradOp op, Tensor x, Tensor y, Tensor g, Tensor count)
        {
            var shape = x.Shape.ToArray();
            var (xc, yc, gc, cc) = (x.Materialize(), y.Expand(shape).Materialize(), g.Expand(shape).Materialize(),
                count.Expand(shape).Materialize());
            var dx = Tensor.Empty(x.Shape, x.DType, x.Device);
            if (!x.Device.IsHost)
            {
                Backends.Gpu.GpuRuntime.BackendFor(x.Device).NormGrad(op, xc, yc, gc, cc, dx);
                return dx;
            }
            var parallel = x.Device.Kind != DeviceKind.Reference;
            if (x.DType == DType.F32) NormGradLoop<float>(op, xc, yc, gc, cc, dx, parallel);
            else NormGradLoop<double>(op, xc, yc, gc, cc, dx, parallel);
            return dx;
        }

        private static void NormGradLoop<T>(NormGradOp op, Tensor x, Tensor y, Tensor g, Tensor c, Tensor dx, bool parallel)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var (xs, ys, gs, cs, ds) = (x.HostArray<T>(), y.HostArray<T>(), g.HostArray<T>(), c.HostArray<T>(), dx.HostArray<T>());
            long xo = x.Offset, yo = y.Offset, go = g.Offset, co = c.Offset, o = dx.Offset;
            HostParallel.Chunks(dx.Numel, parallel, (lo, hi) =>
            {
                for (var i = lo; i < hi; i++) ds[o + i] = op.Apply(xs[xo + i], ys[yo + i], gs[go + i], cs[co + i]);
            });
        }
    }

    public partial class Tensor
    {
        /// <summary>p-norm of all elements (see <see cref="F.Norm"/>).</summary>
        public Tensor Norm(double p = 2) => F.Norm(this, p);

        /// <summary>p-norm over <paramref name="dims"/> (see <see cref="F.Norm"/>).</summary>
        public Tensor Norm(double p, int[] dims, bool keepDim = false) => F.Norm(this, p, dims, keepDim);

        /// <summary>p-norm over one dim (see <see cref="F.Norm"/>).</summary>
        public Tensor Norm(double p, int dim, bool keepDim = false) => F.Norm(this, p, [dim], keepDim);
    }
}
