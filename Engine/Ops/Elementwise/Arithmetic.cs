using System.Numerics;
using System.Numerics.Tensors;
using Scratch.Autograd;
using Scratch.Ops;

namespace Scratch.Ops
{
    /// <summary>a + b</summary>
    public readonly struct AddOp : IBinaryOp
    {
        public string Name => "Add";
        public T Forward<T>(T a, T b) where T : unmanaged, INumber<T> => a + b;
        public bool ForwardSpan<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, INumber<T>
        {
            TensorPrimitives.Add(a, b, y);
            return true;
        }
    }

    /// <summary>a − b</summary>
    public readonly struct SubOp : IBinaryOp
    {
        public string Name => "Sub";
        public T Forward<T>(T a, T b) where T : unmanaged, INumber<T> => a - b;
        public bool ForwardSpan<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, INumber<T>
        {
            TensorPrimitives.Subtract(a, b, y);
            return true;
        }
    }

    /// <summary>a · b</summary>
    public readonly struct MulOp : IBinaryOp
    {
        public string Name => "Mul";
        public T Forward<T>(T a, T b) where T : unmanaged, INumber<T> => a * b;
        public bool ForwardSpan<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, INumber<T>
        {
            TensorPrimitives.Multiply(a, b, y);
            return true;
        }
    }

    /// <summary>a / b (integer division truncates toward zero).</summary>
    public readonly struct DivOp : IBinaryOp
    {
        public string Name => "Div";
        public T Forward<T>(T a, T b) where T : unmanaged, INumber<T> => a / b;
        public bool ForwardSpan<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, INumber<T>
        {
            if (typeof(T) != typeof(float) && typeof(T) != typeof(double)) return false;
            TensorPrimitives.Divide(a, b, y);
            return true;
        }
    }
}

namespace Scratch
{
    public static partial class F
    {
        /// <summary>a + b with broadcasting. ∂/∂a = 1, ∂/∂b = 1 (summed over broadcast dims).</summary>
        public static Tensor Add(Tensor a, Tensor b)
        {
            var y = ZipForward(a, b, new AddOp());
            return Graph.Record(y, "Add", [a, b], g => [g.SumToShape(a.Shape), g.SumToShape(b.Shape)]);
        }

        /// <summary>a − b with broadcasting.</summary>
        public static Tensor Sub(Tensor a, Tensor b)
        {
            var y = ZipForward(a, b, new SubOp());
            return Graph.Record(y, "Sub", [a, b], g => [g.SumToShape(a.Shape), Neg(g).SumToShape(b.Shape)]);
        }

        /// <summary>a · b with broadcasting. ∂/∂a = b, ∂/∂b = a.</summary>
        public static Tensor Mul(Tensor a, Tensor b)
        {
            var y = ZipForward(a, b, new MulOp());
            if (!Graph.NeedsGrad(a, b)) return y;
            var (sa, sb) = (new SavedTensor(a, "Mul"), new SavedTensor(b, "Mul"));
            return Graph.Record(y, "Mul", [a, b], g =>
            [
                a.RequiresGrad ? Mul(g, sb.Get()).SumToShape(a.Shape) : null,
                b.RequiresGrad ? Mul(g, sa.Get()).SumToShape(b.Shape) : null,
            ]);
        }

        /// <summary>a / b with broadcasting. ∂/∂a = 1/b, ∂/∂b = −a/b².</summary>
        public static Tensor Div(Tensor a, Tensor b)
        {
            var y = ZipForward(a, b, new DivOp());
            if (!Graph.NeedsGrad(a, b)) return y;
            var (sa, sb) = (new SavedTensor(a, "Div"), new SavedTensor(b, "Div"));
            return Graph.Record(y, "Div", [a, b], g =>
            {
                var bv = sb.Get();
                return
                [
                    a.RequiresGrad ? Div(g, bv).SumToShape(a.Shape) : null,
                    b.RequiresGrad ? Neg(Div(Mul(g, sa.Get()), Mul(bv, bv))).SumToShape(b.Shape) : null,
                ];
            });
        }

        /// <summary>−x.</summary>
        public static Tensor Neg(Tensor x)
        {
            var y = ZipForward(Tensor.Scalar(0, x.DType, x.Device), x, new SubOp());
            return Graph.Record(y, "Neg", [x], g => [Neg(g)]);
        }
    }

    public partial class Tensor
    {
        /// <summary>this + other (broadcasting).</summary>
        public Tensor Add(Tensor other) => F.Add(this, other);

        /// <summary>this − other (broadcasting).</summary>
        public Tensor Sub(Tensor other) => F.Sub(this, other);

        /// <summary>this · other (broadcasting).</summary>
        public Tensor Mul(Tensor other) => F.Mul(this, other);

        /// <summary>this / other (broadcasting).</summary>
        public Tensor Div(Tensor other) => F.Div(this, other);

        /// <summary>−this.</summary>
        public Tensor Neg() => F.Neg(this);

        /// <summary>A 0-d tensor of this tensor's dtype and device holding <paramref name="value"/>.</summary>
        internal Tensor ScalarLike(double value) => Scalar(value, DType, Device);

        public static Tensor operator +(Tensor a, Tensor b) => F.Add(a, b);
        public static Tensor operator -(Tensor a, Tensor b) => F.Sub(a, b);
        public static Tensor operator *(Tensor a, Tensor b) => F.Mul(a, b);
        public static Tensor operator /(Tensor a, Tensor b) => F.Div(a, b);
        public static Tensor operator -(Tensor a) => F.Neg(a);
        public static Tensor operator +(Tensor a, double b) => F.Add(a, a.ScalarLike(b));
        public static Tensor operator +(double a, Tensor b) => F.Add(b.ScalarLike(a), b);
        public static Tensor operator -(Tensor a, double b) => F.Sub(a, a.ScalarLike(b));
        public static Tensor operator -(double a, Tensor b) => F.Sub(b.ScalarLike(a), b);
        public static Tensor operator *(Tensor a, double b) => F.Mul(a, a.ScalarLike(b));
        public static Tensor operator *(double a, Tensor b) => F.Mul(b.ScalarLike(a), b);
        public static Tensor operator /(Tensor a, double b) => F.Div(a, a.ScalarLike(b));
        public static Tensor operator /(double a, Tensor b) => F.Div(b.ScalarLike(a), b);
    }
}
