using System.Numerics;
using Scratch.Autograd;
using Scratch.Ops;

namespace Scratch.Ops
{
    /// <summary>Inclusive prefix product of a row.</summary>
    internal readonly struct CumprodKernel : IReduceRowKernel
    {
        public string Name => "Cumprod";

        public void Run<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> aux, Span<T> y) where T : unmanaged, INumber<T>
        {
            var acc = T.One;
            for (var j = 0; j < x.Length; j++) y[j] = acc *= x[j];
        }
    }

    /// <summary>dxⱼ = Σₖ≥ⱼ gₖ Πᵢ≤ₖ,ᵢ≠ⱼ xᵢ in O(n) per row, exact with zeros: with z the first zero, elements
    /// before z use (Σₖ≥ⱼ gₖyₖ)/xⱼ (xⱼ ≠ 0 there), element z accumulates the products that skip it, and elements
    /// after z get 0 (every product includes x_z).</summary>
    internal readonly struct CumprodBackwardKernel : IReduceRowKernel
    {
        public string Name => "Cumprod";

        public void Run<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> g, Span<T> dx) where T : unmanaged, INumber<T>
        {
            var n = x.Length;
            var z = x.IndexOf(T.Zero);
            if (z < 0) z = n;
            // y_k for k < z, accumulated suffix Σ g_k y_k from z-1 down.
            var prefix = T.One;
            for (var j = 0; j < z; j++) dx[j] = prefix *= x[j];
            var suffix = T.Zero;
            for (var j = z - 1; j >= 0; j--)
            {
                suffix += g[j] * dx[j];
                dx[j] = suffix / x[j];
            }
            if (z == n) return;
            var before = T.One;
            for (var i = 0; i < z; i++) before *= x[i];
            var acc = T.Zero;
            var run = before;
            for (var k = z; k < n; k++)
            {
                if (k > z) run *= x[k];
                acc += g[k] * run;
            }
            dx[z] = acc;
            for (var j = z + 1; j < n; j++) dx[j] = T.Zero;
        }
    }
}

namespace Scratch
{
    public static partial class F
    {
        /// <summary>Inclusive cumulative product along <paramref name="dim"/>: yᵢ = Πⱼ≤ᵢ xⱼ, same shape as x. Integer
        /// and Bool inputs multiply in int64. The gradient is exact when the input holds zeros (computed without
        /// dividing by them).</summary>
        public static Tensor Cumprod(Tensor x, int dim)
        {
            var dn = Shape.NormalizeDim(dim, x.Rank, "dim", "Cumprod");
            int[] d = x.Rank == 0 ? [] : [dn];
            var src = x.DType.IsFloating() || x.DType == DType.I64 ? x : x.To(DType.I64);
            var y = ScanAlong(src.Detach(), new CumprodKernel(), d);
            if (!Graph.NeedsGrad(x)) return y;
            var sx = new SavedTensor(x, "Cumprod");
            return Graph.Record(y, "Cumprod", [x], g => [ScanAlong(sx.Get(), new CumprodBackwardKernel(), d, g)]);
        }
    }

    public partial class Tensor
    {
        /// <summary>Cumulative product along <paramref name="dim"/> (see <see cref="F.Cumprod"/>).</summary>
        public Tensor Cumprod(int dim) => F.Cumprod(this, dim);
    }
}
