using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using Scratch.Ops;

namespace Scratch.Ops
{
    /// <summary>y = max(x, 0); dy/dx = 1 where x &gt; 0, else 0 (0 at x = 0, as in PyTorch). NaN stays NaN.</summary>
    public readonly struct ReluOp : IUnaryOp
    {
        public string Name => "Relu";
        public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.IsNaN(x) ? x : x > T.Zero ? x : T.Zero;
        public T Backward<T>(T x, T y, T dy) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? dy : T.Zero;
        public bool ForwardSpan<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        {
            TensorPrimitives.Max(x, T.Zero, y);
            return true;
        }

        /// <summary>dx = dy where x &gt; 0, else 0, a vector at a time (a NaN x compares false, as in the scalar form).</summary>
        public bool BackwardSpan<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var i = 0;
            if (Vector512.IsHardwareAccelerated)
                for (; i + Vector512<T>.Count <= x.Length; i += Vector512<T>.Count)
                {
                    var xv = Vector512.Create(x.Slice(i, Vector512<T>.Count));
                    Vector512.ConditionalSelect(Vector512.GreaterThan(xv, Vector512<T>.Zero),
                        Vector512.Create(dy.Slice(i, Vector512<T>.Count)), Vector512<T>.Zero).CopyTo(dx.Slice(i));
                }
            else if (Vector256.IsHardwareAccelerated)
                for (; i + Vector256<T>.Count <= x.Length; i += Vector256<T>.Count)
                {
                    var xv = Vector256.Create(x.Slice(i, Vector256<T>.Count));
                    Vector256.ConditionalSelect(Vector256.GreaterThan(xv, Vector256<T>.Zero),
                        Vector256.Create(dy.Slice(i, Vector256<T>.Count)), Vector256<T>.Zero).CopyTo(dx.Slice(i));
                }
            else
                for (; i + Vector128<T>.Count <= x.Length; i += Vector128<T>.Count)
                {
                    var xv = Vector128.Create(x.Slice(i, Vector128<T>.Count));
                    Vector128.ConditionalSelect(Vector128.GreaterThan(xv, Vector128<T>.Zero),
                        Vector128.Create(dy.Slice(i, Vector128<T>.Count)), Vector128<T>.Zero).CopyTo(dx.Slice(i));
                }
            for (; i < x.Length; i++) dx[i] = x[i] > T.Zero ? dy[i] : T.Zero;
            return true;
        }
    }
}

namespace Scratch
{
    public static partial class F
    {
        /// <summary>Elementwise rectified linear unit max(x, 0).</summary>
        public static Tensor Relu(Tensor x) => Map(x, new ReluOp());
    }

    public partial class Tensor
    {
        /// <summary>Elementwise rectified linear unit max(x, 0).</summary>
        public Tensor Relu() => F.Relu(this);
    }
}
