using System.Numerics;
using System.Numerics.Tensors;
using Scratch.Autograd;
using Scratch.Ops;

namespace Scratch.Ops
{
    /// <summary>Σ x</summary>
    public readonly struct SumOp : IReduceOp
    {
        public string Name => "Sum";
        public T Identity<T>() where T : unmanaged, INumber<T>, IMinMaxValue<T> => T.Zero;
        public T Combine<T>(T acc, T x) where T : unmanaged, INumber<T>, IMinMaxValue<T> => acc + x;
        public bool ReduceSpan<T>(ReadOnlySpan<T> x, out T result) where T : unmanaged, INumber<T>, IMinMaxValue<T>
        {
            result = TensorPrimitives.Sum(x);
            return true;
        }
    }
}

namespace Scratch
{
    public static partial class F
    {
        /// <summary>Sum over <paramref name="dims"/> (all when null). Integer and Bool inputs sum in int64, as in
        /// PyTorch. ∂/∂x = 1 broadcast back.</summary>
        public static Tensor Sum(Tensor x, int[]? dims = null, bool keepDim = false)
        {
            var d = ReduceDims(x, dims, "Sum");
            var src = x.DType.IsFloating() || x.DType == DType.I64 ? x : x.To(DType.I64);
            var y = ReduceForward(src, new SumOp(), d, keepDim);
            return Graph.Record(y, "Sum", [x], g => [ExpandReduced(g, x.Shape, d)]);
        }

        /// <summary>Mean over <paramref name="dims"/> (all when null); floating inputs only.</summary>
        public static Tensor Mean(Tensor x, int[]? dims = null, bool keepDim = false)
        {
            RequireFloating(x, "Mean");
            var d = ReduceDims(x, dims, "Mean");
            long n = 1;
            foreach (var i in d) n *= x.Shape[i];
            return Sum(x, d, keepDim) / n;
        }
    }

    public partial class Tensor
    {
        /// <summary>Sum of all elements.</summary>
        public Tensor Sum() => F.Sum(this);

        /// <summary>Sum over <paramref name="dims"/>.</summary>
        public Tensor Sum(int[] dims, bool keepDim = false) => F.Sum(this, dims, keepDim);

        /// <summary>Sum over one dim.</summary>
        public Tensor Sum(int dim, bool keepDim = false) => F.Sum(this, [dim], keepDim);

        /// <summary>Mean of all elements.</summary>
        public Tensor Mean() => F.Mean(this);

        /// <summary>Mean over <paramref name="dims"/>.</summary>
        public Tensor Mean(int[] dims, bool keepDim = false) => F.Mean(this, dims, keepDim);

        /// <summary>Mean over one dim.</summary>
        public Tensor Mean(int dim, bool keepDim = false) => F.Mean(this, [dim], keepDim);
    }
}
