using System.Numerics;
using Scratch.Autograd;
using Scratch.Ops;

namespace Scratch.Ops
{
    /// <summary>Inclusive prefix sum of a row (suffix sum when <c>reverse</c>).</summary>
    internal readonly struct CumsumKernel(bool reverse) : IReduceRowKernel
    {
        public string Name => "Cumsum";

        /// <summary>True for the suffix sum.</summary>
        public bool Reverse => reverse;

        public void Run<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> aux, Span<T> y) where T : unmanaged, INumber<T>
        {
            var acc = T.Zero;
            if (reverse)
            {
                for (var j = x.Length - 1; j >= 0; j--) y[j] = acc += x[j];
            }
            else
            {
                for (var j = 0; j < x.Length; j++) y[j] = acc += x[j];
            }
        }
    }
}

namespace Scratch
{
    public static partial class F
    {
        /// <summary>Runs a scan kernel along <paramref name="dims"/> (one dim, or none for a 0-d input) and returns x's shape, contiguous.
        /// </summary>
        internal static Tensor ScanAlong<TK>(Tensor x, TK kernel, int[] dims, Tensor? aux = null) where TK : struct, IReduceRowKernel
        {
            var (data, rows, len) = ReduceLayout(x, dims);
            var auxData = aux is null ? null : ReduceLayout(aux, dims).Data;
            var y = ReduceRowKernels.Run(kernel, data, auxData, rows, len, aux is null ? 0 : len, len);
            return FromReduceLayout(y, x.Shape, dims);
        }

        /// <summary>Inclusive cumulative sum along <paramref name="dim"/>: yᵢ = Σⱼ≤ᵢ xⱼ, same shape as x. Integer
        /// and Bool inputs accumulate in int64, as in PyTorch. ∂L/∂x is the reversed cumulative sum of ∂L/∂y.
        /// </summary>
        public static Tensor Cumsum(Tensor x, int dim)
        {
            var dn = Shape.NormalizeDim(dim, x.Rank, "dim", "Cumsum");
            int[] d = x.Rank == 0 ? [] : [dn];
            var src = x.DType.IsFloating() || x.DType == DType.I64 ? x : x.To(DType.I64);
            var y = ScanAlong(src.Detach(), new CumsumKernel(false), d);
            return Graph.Record(y, "Cumsum", [x], g => [ScanAlong(g, new CumsumKernel(true), d)]);
        }
    }

    public partial class Tensor
    {
        /// <summary>Cumulative sum along <paramref name="dim"/> (see <see cref="F.Cumsum"/>).</summary>
        public Tensor Cumsum(int dim) => F.Cumsum(this, dim);
    }
}
