using System.Numerics;
using System.Numerics.Tensors;
using Scratch.Ops;

namespace Scratch.Ops
{
    /// <summary>y = min(max(x, Min), Max) (NaN stays NaN; when Min &gt; Max every element becomes Max, as in
    /// PyTorch); dy/dx = 1 where Min ≤ x ≤ Max, else 0. A missing bound is ∓∞.</summary>
    public readonly record struct ClampOp(double Min, double Max) : IUnaryOp
    {
        public string Name => "Clamp";

        public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> =>
            T.Min(T.Max(x, T.CreateTruncating(Min)), T.CreateTruncating(Max));

        public T Backward<T>(T x, T y, T dy) where T : unmanaged, IFloatingPointIeee754<T> =>
            x >= T.CreateTruncating(Min) && x <= T.CreateTruncating(Max) ? dy : T.Zero;

        public bool ForwardSpan<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        {
            TensorPrimitives.Max(x, T.CreateTruncating(Min), y);
            TensorPrimitives.Min(y, T.CreateTruncating(Max), y);
            return true;
        }

        /// <summary>The op for optional bounds; throws when both are missing or one is NaN.</summary>
        internal static ClampOp Create(double? min, double? max, string op)
        {
            if (min is null && max is null)
                throw new ArgumentException($"{op}: at least one of min or max expected, got neither.", nameof(min));
            if (min is double lo && double.IsNaN(lo))
                throw new ArgumentOutOfRangeException(nameof(min), lo, $"{op}: min expected a number, got NaN.");
            if (max is double hi && double.IsNaN(hi))
                throw new ArgumentOutOfRangeException(nameof(max), hi, $"{op}: max expected a number, got NaN.");
            return new ClampOp(min ?? double.NegativeInfinity, max ?? double.PositiveInfinity);
        }
    }
}

namespace Scratch
{
    public static partial class F
    {
        /// <summary>Elementwise clamp to [<paramref name="min"/>, <paramref name="max"/>] (either bound may be
        /// omitted; when min &gt; max the result is max). Gradient 1 where min ≤ x ≤ max, else 0 (PyTorch).</summary>
        /// <exception cref="ArgumentException">Both bounds are null, or a bound is NaN.</exception>
        public static Tensor Clamp(Tensor x, double? min = null, double? max = null) =>
            Map(x, ClampOp.Create(min, max, "Clamp"));
    }

    public partial class Tensor
    {
        /// <summary>Elementwise clamp; see <see cref="F.Clamp"/>.</summary>
        public Tensor Clamp(double? min = null, double? max = null) => F.Clamp(this, min, max);
    }
}
