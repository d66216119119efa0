using System.Numerics;
using System.Numerics.Tensors;

namespace Scratch.Ops;

/// <summary>Host helpers for fused row kernels: a [rows, len] contiguous layout along one dim and the per-row
/// softmax / log-softmax / normalise kernels (a scalar Reference path and a TensorPrimitives Cpu path).</summary>
internal static class RowKernels
{
    /// <summary>Elements above which the Cpu path splits rows across cores.</summary>
    private const long ParallelGrain = 1 << 15;

    /// <summary>Runs <paramref name="body"/> for every row, in parallel on the Cpu path when the work is
    /// large.</summary>
    public static void ForRows(bool fast, int rows, int len, Action<int> body)
    {
        if (fast && rows > 1 && (long)rows * len >= ParallelGrain) Parallel.For(0, rows, body);
        else
            for (var r = 0; r < rows; r++) body(r);
    }

    /// <summary>Applies <paramref name="kernel"/> to same-shaped inputs laid out as [rows, len] with
    /// <paramref name="dim"/> last (each contiguous) and returns the contiguous result in the original dim
    /// order.</summary>
    public static Tensor AlongDim(Tensor[] inputs, int dim, Action<Tensor[], Tensor, int, int> kernel)
    {
        var x = inputs[0];
        var rank = x.Rank;
        var perm = Enumerable.Range(0, rank).Where(i => i != dim).Append(dim).ToArray();
        var identity = dim == rank - 1;
        var data = inputs
            .Select(t => identity ? t.Detach().Materialize() : t.Detach().Permute(perm).Materialize())
            .ToArray();
        var len = x.Shape[dim];
        var rows = len == 0 ? 0 : checked((int)(x.Numel / len));
        var y = Tensor.Empty(data[0].Shape, x.DType, x.Device);
        if (rows > 0) kernel(data, y, rows, len);
        if (identity) return y;
        var inverse = new int[rank];
        for (var i = 0; i < rank; i++) inverse[perm[i]] = i;
        return y.Permute(inverse).Materialize();
    }

    /// <summary>Row maximum (NaN propagates).</summary>
    public static T Max<T>(ReadOnlySpan<T> x, bool fast) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (fast) return TensorPrimitives.Max(x);
        var m = T.NegativeInfinity;
        foreach (var v in x)
        {
            if (T.IsNaN(v)) return v;
            if (v > m) m = v;
        }
        return m;
    }

    /// <summary>Softmax (or log-softmax) of each row of the contiguous x into y, shifted by the row maximum.</summary>
    public static void Softmax<T>(Tensor x, Tensor y, int rows, int len, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!x.Device.IsHost)
        {
            Backends.Gpu.GpuRuntime.BackendFor(x.Device).Softmax<T>(x, y, rows, len, log);
            return;
        }
        var fast = x.Device.Kind == DeviceKind.Cpu;
        var (xa, xo, ya, yo) = (x.HostArray<T>(), (int)x.Offset, y.HostArray<T>(), (int)y.Offset);
        ForRows(fast, rows, len, r =>
        {
            var xs = new ReadOnlySpan<T>(xa, xo + r * len, len);
            var ys = new Span<T>(ya, yo + r * len, len);
            var m = Max(xs, fast);
            if (fast)
            {
                TensorPrimitives.Subtract(xs, m, ys);
                TensorPrimitives.Exp(ys, ys);
                var s = TensorPrimitives.Sum<T>(ys);
                if (log) TensorPrimitives.Subtract(xs, m + T.Log(s), ys);
                else TensorPrimitives.Divide(ys, s, ys);
                return;
            }
            var sum = T.Zero;
            for (var i = 0; i < len; i++) sum += T.Exp(xs[i] - m);
            var shift = m + T.Log(sum);
            for (var i = 0; i < len; i++) ys[i] = log ? xs[i] - shift : T.Exp(xs[i] - m) / sum;
        });
    }

    /// <summary>Backward of softmax, dx = y·(g − Σ g·y), or of log-softmax, dx = g − eʸ·Σ g, per row.</summary>
    public static void SoftmaxBackward<T>(Tensor g, Tensor y, Tensor dx, int rows, int len, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!g.Device.IsHost)
        {
            Backends.Gpu.GpuRuntime.BackendFor(g.Device).SoftmaxBackward<T>(g, y, dx, rows, len, log);
            return;
        }
        var fast = g.Device.Kind == DeviceKind.Cpu;
        var (ga, go, ya, yo, da, dof) = (g.HostArray<T>(), (int)g.Offset, y.HostArray<T>(), (int)y.Offset,
            dx.HostArray<T>(), (int)dx.Offset);
        ForRows(fast, rows, len, r =>
        {
            var gs = new ReadOnlySpan<T>(ga, go + r * len, len);
            var ys = new ReadOnlySpan<T>(ya, yo + r * len, len);
            var ds = new Span<T>(da, dof + r * len, len);
            if (fast)
            {
                if (log)
                {
                    var s = TensorPrimitives.Sum(gs);
                    TensorPrimitives.Exp(ys, ds);
                    TensorPrimitives.Multiply(ds, s, ds);
                    TensorPrimitives.Subtract(gs, ds, ds);
                }
                else
                {
                    var dot = TensorPrimitives.Dot(gs, ys);
                    TensorPrimitives.Subtract(gs, dot, ds);
                    TensorPrimitives.Multiply(ds, ys, ds);
                }
                return;
            }
            var acc = T.Zero;
            for (var i = 0; i < len; i++) acc += log ? gs[i] : gs[i] * ys[i];
            for (var i = 0; i < len; i++) ds[i] = log ? gs[i] - T.Exp(ys[i]) * acc : ys[i] * (gs[i] - acc);
        });
    }

    /// <summary>Calls the F32 or F64 instantiation of a generic kernel.</summary>
    public static void Dispatch(DType dtype, Action f32, Action f64)
    {
        if (dtype == DType.F32) f32();
        else f64();
    }
}
