using System.Numerics;
using System.Numerics.Tensors;
using Scratch.Autograd;
using Scratch.Ops;

namespace Scratch;

public static partial class F
{
    /// <summary>log Σ e^x over <paramref name="dims"/> (all when null), computed as m + log Σ e^(x − m) with m the
    /// maximum, so it is finite for inputs like ±1e4. An empty reduction gives −∞; a row containing +∞ gives +∞ and
    /// a row of all −∞ gives −∞. Backward: dx = g·e^(x − y) (the softmax over the reduced dims).</summary>
    public static Tensor LogSumExp(Tensor x, int[]? dims = null, bool keepDim = false)
    {
        RequireFloating(x, "LogSumExp");
        var d = ReduceDims(x, dims, "LogSumExp");
        var (data, rows, len) = ReduceLayout(x, d);
        var y = Tensor.Empty(ReducedShape(x, d, keepDim), x.DType, x.Device);
        RowKernels.Dispatch(x.DType,
            () => LogSumExpRows<float>(data, y, rows, len),
            () => LogSumExpRows<double>(data, y, rows, len));
        if (!Graph.NeedsGrad(x)) return y;
        var (sx, sy) = (new SavedTensor(x, "LogSumExp"), new SavedTensor(y, "LogSumExp"));
        return Graph.Record(y, "LogSumExp", [x], g =>
            [ExpandReduced(g, x.Shape, d) * Exp(sx.Get() - ExpandReduced(sy.Get(), x.Shape, d))]);
    }

    private static void LogSumExpRows<T>(Tensor x, Tensor y, int rows, int len)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!x.Device.IsHost)
        {
            Backends.Gpu.GpuRuntime.BackendFor(x.Device).LogSumExp<T>(x, y, rows, len);
            return;
        }
        var fast = x.Device.Kind == DeviceKind.Cpu;
        var (xa, xo, ya, yo) = (x.HostArray<T>(), (int)x.Offset, y.HostArray<T>(), (int)y.Offset);
        RowKernels.ForRows(fast, rows, len, r =>
        {
            if (len == 0)
            {
                ya[yo + r] = T.NegativeInfinity;
                return;
            }
            var xs = new ReadOnlySpan<T>(xa, xo + r * len, len);
            var m = RowKernels.Max(xs, fast);
            if (T.IsInfinity(m) || T.IsNaN(m))
            {
                ya[yo + r] = m;
                return;
            }
            T sum;
            if (fast)
            {
                var tmp = new T[len];
                TensorPrimitives.Subtract(xs, m, tmp);
                TensorPrimitives.Exp(tmp, tmp);
                sum = TensorPrimitives.Sum<T>(tmp);
            }
            else
            {
                sum = T.Zero;
                foreach (var v in xs) sum += T.Exp(v - m);
            }
            ya[yo + r] = m + T.Log(sum);
        });
    }
}

public partial class Tensor
{
    /// <summary>log Σ e^x over <paramref name="dims"/>; see <see cref="F.LogSumExp"/>.</summary>
    public Tensor LogSumExp(int[]? dims = null, bool keepDim = false) => F.LogSumExp(this, dims, keepDim);

    /// <summary>log Σ e^x over one dim.</summary>
    public Tensor LogSumExp(int dim, bool keepDim = false) => F.LogSumExp(this, [dim], keepDim);
}
