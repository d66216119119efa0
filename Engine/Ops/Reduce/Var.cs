namespace Scratch
{
    /// <summary>A spread statistic and the mean it was measured around (<see cref="F.VarMean"/>,
    /// <see cref="F.StdMean"/>).</summary>
    /// <param name="Spread">The variance or standard deviation.</param>
    /// <param name="Mean">The mean over the same dims.</param>
    public readonly record struct SpreadAndMean(Tensor Spread, Tensor Mean);

    public static partial class F
    {
        /// <summary>Variance over <paramref name="dims"/> (all when null): Σ(x − x̄)² / max(0, N − correction), N the
        /// number of reduced elements. <paramref name="correction"/> 1 (default) is the unbiased estimator, 0 the
        /// population variance. N − correction ≤ 0 gives NaN or ∞, as in PyTorch. Floating inputs only;
        /// differentiable (composed of sums and products).</summary>
        public static Tensor Var(Tensor x, int[]? dims = null, int correction = 1, bool keepDim = false) =>
            VarMeanCore(x, dims, correction, keepDim, "Var").Spread;

        /// <summary>Variance with PyTorch's older <c>unbiased</c> flag: true divides by N − 1, false by N.</summary>
        public static Tensor Var(Tensor x, int[]? dims, bool unbiased, bool keepDim = false) =>
            Var(x, dims, unbiased ? 1 : 0, keepDim);

        /// <summary>Variance and mean over <paramref name="dims"/> in one pass of the graph (see <see cref="F.Var(Tensor, int[], int, bool)"/>).
        /// </summary>
        public static SpreadAndMean VarMean(Tensor x, int[]? dims = null, int correction = 1, bool keepDim = false) =>
            VarMeanCore(x, dims, correction, keepDim, "VarMean");

        private static SpreadAndMean VarMeanCore(Tensor x, int[]? dims, int correction, bool keepDim, string op)
        {
            RequireFloating(x, op);
            var d = ReduceDims(x, dims, op);
            long n = 1;
            foreach (var i in d) n *= x.Shape[i];
            var mean = Mean(x, d, keepDim: true);
            var dev = x - mean;
            var v = Sum(dev * dev, d, keepDim) / Math.Max(0, n - correction);
            return new SpreadAndMean(v, keepDim ? mean : mean.Reshape(ReducedShape(x, d, false).ToArray()));
        }
    }

    public partial class Tensor
    {
        /// <summary>Variance of all elements (see <see cref="F.Var(Tensor, int[], int, bool)"/>).</summary>
        public Tensor Var() => F.Var(this);

        /// <summary>Variance over <paramref name="dims"/> (all when null; see <see cref="F.Var(Tensor, int[], int, bool)"/>).</summary>
        public Tensor Var(int[]? dims, int correction = 1, bool keepDim = false) => F.Var(this, dims, correction, keepDim);

        /// <summary>Variance over one dim (see <see cref="F.Var(Tensor, int[], int, bool)"/>).</summary>
        public Tensor Var(int dim, int correction = 1, bool keepDim = false) => F.Var(this, [dim], correction, keepDim);
    }
}
