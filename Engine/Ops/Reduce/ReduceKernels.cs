using System.Numerics;
using Scratch.Backends;
using Scratch.Ops;

namespace Scratch.Ops
{
    /// <summary>A per-row kernel over the [rows, len] layout of <see cref="F.ReduceLayout"/>: reads one row of the
    /// input and one row of an auxiliary tensor (for example the incoming gradient) and writes one output row.</summary>
    internal interface IReduceRowKernel
    {
        /// <summary>Op name for errors.</summary>
        string Name { get; }

        /// <summary>Computes one output row from <paramref name="x"/> and <paramref name="aux"/>.</summary>
        void Run<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> aux, Span<T> y) where T : unmanaged, INumber<T>;
    }

    /// <summary>A per-row kernel on floating types (see <see cref="IReduceRowKernel"/>).</summary>
    internal interface IReduceFloatRowKernel
    {
        /// <summary>Op name for errors.</summary>
        string Name { get; }

        /// <summary>Computes one output row from <paramref name="x"/> and <paramref name="aux"/>.</summary>
        void Run<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> aux, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>;
    }

    /// <summary>Runs row kernels on host tensors: a plain loop on the Reference device, row-parallel on the CPU.</summary>
    internal static class ReduceRowKernels
    {
        /// <summary>y[r, 0..outLen) = k(x[r, 0..len), aux[r, 0..auxLen)) for contiguous x and aux; y is fresh.</summary>
        public static Tensor Run<TK>(TK k, Tensor x, Tensor? aux, int rows, int len, int auxLen, int outLen)
            where TK : struct, IReduceRowKernel
        {
            var y = Tensor.Empty(new Shape(rows, outLen), x.DType, x.Device);
            if (!x.Device.IsHost)
            {
                Backends.Gpu.GpuRuntime.BackendFor(x.Device).Scan(GpuScanOf(k, x.Device), x, aux, y, rows, len, k.Name);
                return y;
            }
            switch (x.DType)
            {
                case DType.F32: Loop<float>(x, aux, y, rows, len, auxLen, outLen, (a, b, c) => k.Run(a, b, c)); break;
                case DType.F64: Loop<double>(x, aux, y, rows, len, auxLen, outLen, (a, b, c) => k.Run(a, b, c)); break;
                case DType.I32: Loop<int>(x, aux, y, rows, len, auxLen, outLen, (a, b, c) => k.Run(a, b, c)); break;
                case DType.I64: Loop<long>(x, aux, y, rows, len, auxLen, outLen, (a, b, c) => k.Run(a, b, c)); break;
                default: throw new DTypeMismatchException(k.Name, "input", "float32, float64, int32 or int64", x.DType.Name());
            }
            return y;
        }

        /// <summary>The GPU scan computing row kernel <paramref name="k"/>; kernels without one throw
        /// NotSupportedException naming the op and device.</summary>
        private static Backends.Gpu.GpuScan GpuScanOf<TK>(TK k, Device device) where TK : struct, IReduceRowKernel =>
            k switch
            {
                CumsumKernel c => c.Reverse ? Backends.Gpu.GpuScan.ReverseCumsum : Backends.Gpu.GpuScan.Cumsum,
                CumprodKernel => Backends.Gpu.GpuScan.Cumprod,
                CumprodBackwardKernel => Backends.Gpu.GpuScan.CumprodBackward,
                ProdBackwardKernel => Backends.Gpu.GpuScan.ProdBackward,
                _ => throw new NotSupportedException($"{k.Name} is not supported on {device}: no GPU row kernel."),
            };

        /// <summary>As <see cref="Run{TK}"/> for floating-only kernels.</summary>
        public static Tensor RunFloat<TK>(TK k, Tensor x, Tensor? aux, int rows, int len, int auxLen, int outLen)
            where TK : struct, IReduceFloatRowKernel
        {
            var y = Tensor.Empty(new Shape(rows, outLen), x.DType, x.Device);
            switch (x.DType)
            {
                case DType.F32: Loop<float>(x, aux, y, rows, len, auxLen, outLen, (a, b, c) => k.Run(a, b, c)); break;
                case DType.F64: Loop<double>(x, aux, y, rows, len, auxLen, outLen, (a, b, c) => k.Run(a, b, c)); break;
                default: throw new DTypeMismatchException(k.Name, "input", "float32 or float64", x.DType.Name());
            }
            return y;
        }

        private delegate void RowFn<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> aux, Span<T> y);

        private static void Loop<T>(Tensor x, Tensor? aux, Tensor y, int rows, int len, int auxLen, int outLen, RowFn<T> f)
            where T : unmanaged
        {
            var xs = x.HostArray<T>();
            var ys = y.HostArray<T>();
            var a = aux?.HostArray<T>() ?? [];
            long xo = x.Offset, ao = aux?.Offset ?? 0, yo = y.Offset;
            void Rows(long lo, long hi)
            {
                for (var r = lo; r < hi; r++)
                {
                    f(new ReadOnlySpan<T>(xs, checked((int)(xo + r * len)), len),
                        aux is null ? default : new ReadOnlySpan<T>(a, checked((int)(ao + r * auxLen)), auxLen),
                        new Span<T>(ys, checked((int)(yo + r * outLen)), outLen));
                }
            }
            var parallel = x.Device.Kind == DeviceKind.Cpu && rows > 1;
            if (parallel && (long)rows * Math.Max(len, 1) >= 2 * HostParallel.Grain)
            {
                var chunks = Math.Min(rows, Environment.ProcessorCount * 4);
                Parallel.For(0, chunks, c => Rows((long)rows * c / chunks, (long)rows * (c + 1) / chunks));
            }
            else
            {
                Rows(0, rows);
            }
        }
    }

    /// <summary>a == b, with NaN equal to NaN (marks the elements a max/min reduction selected).</summary>
    internal readonly struct SameValueOp : ICompareOp
    {
        public string Name => "SameValue";
        public bool Forward<T>(T a, T b) where T : unmanaged, INumber<T> => a == b || (T.IsNaN(a) && T.IsNaN(b));
    }
}

namespace Scratch
{
    public static partial class F
    {
        /// <summary>Throws when a reduction that has no identity (max, min, argmax ...) would reduce over nothing.
        /// </summary>
        internal static void RequireNonEmptyReduction(Tensor x, int[] dims, bool all, string op)
        {
            if (all && x.Numel == 0)
                throw new ArgumentException($"{op}: expected a non-empty input when reducing over all dims (input shape {x.Shape}); specify a dim.", "input");
            foreach (var d in dims)
            {
                if (x.Shape[d] == 0)
                    throw new ArgumentException($"{op}: expected reduction dim {d} to have non-zero size (input shape {x.Shape}).", "dim");
            }
        }

        /// <summary>Inverse of <see cref="ReduceLayout"/>: a [rows, len] contiguous tensor whose rows run over the kept
        /// dims and columns over <paramref name="dims"/>, returned contiguous in <paramref name="shape"/>. No recording.
        /// </summary>
        internal static Tensor FromReduceLayout(Tensor flat, Shape shape, int[] dims)
        {
            if (shape.Rank == 0) return flat.Detach().Reshape();
            var kept = Enumerable.Range(0, shape.Rank).Where(i => Array.IndexOf(dims, i) < 0).ToArray();
            var perm = kept.Concat(dims).ToArray();
            var inverse = new int[perm.Length];
            for (var i = 0; i < perm.Length; i++) inverse[perm[i]] = i;
            var permutedShape = perm.Select(d => shape[d]).ToArray();
            return flat.Detach().Reshape(permutedShape).Permute(inverse).Materialize();
        }

        /// <summary>A keep-dim form of a reduced tensor (sizes 1 at <paramref name="dims"/>), as a view.</summary>
        internal static Tensor KeepDimView(Tensor reduced, Shape shape, int[] dims)
        {
            var keep = shape.ToArray();
            foreach (var d in dims) keep[d] = 1;
            return reduced.Reshape(keep);
        }
    }
}
