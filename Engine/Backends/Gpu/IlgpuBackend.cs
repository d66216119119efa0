using System.Numerics;
using ILGPU;
using ILGPU.Runtime;
using Scratch.Ops;

namespace Scratch.Backends.Gpu;

/// <summary>The GPU backend: the <see cref="IBackend"/> contract implemented with ILGPU kernels on one accelerator
/// (CUDA, or ILGPU's CPU accelerator for tests).</summary>
/// <remarks>Kernels are compiled on first use per (kernel, op, element type) and cached; all launches go to the
/// accelerator's default stream, so they run in order; copies to the host synchronise. A kernel ILGPU cannot compile
/// (for example an op whose scalar code tests <c>typeof(T)</c>) raises <see cref="NotSupportedException"/> naming the
/// op and the device.</remarks>
public sealed partial class IlgpuBackend : IBackend, IDisposable
{
    private readonly Dictionary<(string Kernel, Type A, Type B), Delegate> _kernels = new();
    private readonly Lock _gate = new();

    internal IlgpuBackend(Device device, Accelerator accelerator)
    {
        Device = device;
        Accelerator = accelerator;
        Allocator = new GpuAllocator(accelerator);
    }

    /// <summary>The caching allocator of this device.</summary>
    public GpuAllocator Allocator { get; }

    /// <inheritdoc/>
    public Device Device { get; }

    /// <summary>The ILGPU accelerator computing for <see cref="Device"/>.</summary>
    public Accelerator Accelerator { get; }

    /// <summary>The stream every kernel and copy of this device runs on.</summary>
    public AcceleratorStream Stream => Accelerator.DefaultStream;

    /// <summary>Number of kernels compiled so far.</summary>
    public int CompiledKernels
    {
        get
        {
            lock (_gate) return _kernels.Count;
        }
    }

    /// <summary>Kernels compiled by the calling thread, on any device (a count other threads cannot move, for tests
    /// that check a kernel is compiled once).</summary>
    internal static int CompiledOnThisThread => t_compiled;

    [ThreadStatic] private static int t_compiled;

    /// <summary>Frees every buffer and disposes the accelerator.</summary>
    public void Dispose()
    {
        Synchronize();
        Allocator.Dispose();
        Accelerator.Dispose();
    }

    /// <summary>Waits until every launched kernel and copy has finished.</summary>
    public void Synchronize()
    {
        Bind();
        Stream.Synchronize();
    }

    /// <summary>Makes the accelerator current on the calling thread (CUDA contexts are per thread); every entry point
    /// that allocates, launches or copies calls it.</summary>
    internal void Bind()
    {
        if (!ReferenceEquals(Accelerator.Current, Accelerator)) Accelerator.Bind();
    }

    /// <inheritdoc/>
    public Storage Allocate(DType dtype, long count) => dtype switch
    {
        DType.F32 => Alloc<float>(dtype, count),
        DType.F64 => Alloc<double>(dtype, count),
        DType.I32 => Alloc<int>(dtype, count),
        DType.I64 => Alloc<long>(dtype, count),
        _ => Alloc<byte>(dtype, count),
    };

    private GpuStorage<T> Alloc<T>(DType dtype, long count) where T : unmanaged
    {
        Bind();
        var buffer = Allocator.Rent<T>(Math.Max(count, 1));
        buffer.View.MemSetToZero(Stream);
        return new GpuStorage<T>(Allocator, buffer, count, dtype, Device);
    }

    /// <summary>The storage of <paramref name="t"/>, which must live on this device.</summary>
    internal GpuStorage<T> StorageOf<T>(Tensor t, string op) where T : unmanaged
    {
        if (t.Storage is GpuStorage<T> s && t.Device == Device) return s;
        throw new DeviceMismatchException(op, "tensor", Device.ToString(), $"{t.DType.Name()} on {t.Device}");
    }

    /// <summary>The elements of contiguous <paramref name="t"/> as a view.</summary>
    internal ArrayView<T> Dense<T>(Tensor t, string op) where T : unmanaged =>
        StorageOf<T>(t, op).Slice(t.Offset, t.Numel);

    /// <summary>Loads (once) and returns a kernel; compile failures become NotSupportedException.</summary>
    internal TDelegate Kernel<TDelegate>(string name, Type a, Type b, string op, Func<Accelerator, TDelegate> load)
        where TDelegate : Delegate
    {
        Bind();
        lock (_gate)
        {
            if (_kernels.TryGetValue((name, a, b), out var k)) return (TDelegate)k;
            try
            {
                var loaded = load(Accelerator);
                _kernels[(name, a, b)] = loaded;
                t_compiled++;
                return loaded;
            }
            catch (Exception e) when (e is InternalCompilerException or NotSupportedException or AggregateException)
            {
                // A failed compilation leaves ILGPU's IR context in a broken state; clearing it restores it.
                Accelerator.Context.ClearCache(ClearCacheMode.Everything);
                _kernels.Clear();
                var why = e.InnerException?.Message ?? e.Message;
                throw new NotSupportedException(
                    $"{op} is not supported on {Device}: ILGPU cannot compile its {name} kernel for " +
                    $"{b.Name} ({why}).", e);
            }
        }
    }

    private static T HostValue<T>(double value) where T : unmanaged, INumber<T> => T.CreateTruncating(value);

    /// <inheritdoc/>
    public void Fill(Tensor dst, double value)
    {
        switch (dst.DType)
        {
            case DType.F32: FillT(dst, HostValue<float>(value)); break;
            case DType.F64: FillT(dst, value); break;
            case DType.I32: FillT(dst, HostValue<int>(value)); break;
            case DType.I64: FillT(dst, HostValue<long>(value)); break;
            case DType.U8: FillT(dst, HostValue<byte>(value)); break;
            default: FillT(dst, value != 0 ? (byte)1 : (byte)0); break;
        }
    }

    private void FillT<T>(Tensor dst, T value) where T : unmanaged
    {
        if (dst.Numel == 0) return;
        var k = Kernel("Fill", typeof(T), typeof(T), "Fill",
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<T>, T>(GpuKernels.Fill));
        k((int)dst.Numel, Dense<T>(dst, "Fill"), value);
    }

    /// <inheritdoc/>
    public void Copy(Tensor src, Tensor dst)
    {
        switch (src.DType)
        {
            case DType.F32: CopyT<float>(src, dst); break;
            case DType.F64: CopyT<double>(src, dst); break;
            case DType.I32: CopyT<int>(src, dst); break;
            case DType.I64: CopyT<long>(src, dst); break;
            default: CopyT<byte>(src, dst); break;
        }
    }

    private void CopyT<T>(Tensor src, Tensor dst) where T : unmanaged
    {
        if (dst.Numel == 0) return;
        var k = Kernel("Copy", typeof(T), typeof(T), "Copy",
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<T>, GpuLayout, ArrayView<T>, GpuLayout>(
                GpuKernels.Copy));
        k((int)dst.Numel, StorageOf<T>(src, "Copy").View, GpuLayout.Of(src, "Copy"),
            StorageOf<T>(dst, "Copy").View, GpuLayout.Of(dst, "Copy"));
    }

    /// <inheritdoc/>
    public void Cast(Tensor src, Tensor dst)
    {
        switch (src.DType)
        {
            case DType.F32: CastFrom<float>(src, dst); break;
            case DType.F64: CastFrom<double>(src, dst); break;
            case DType.I32: CastFrom<int>(src, dst); break;
            case DType.I64: CastFrom<long>(src, dst); break;
            default: CastFrom<byte>(src, dst); break;
        }
    }

    private void CastFrom<TS>(Tensor src, Tensor dst) where TS : unmanaged, INumber<TS>
    {
        switch (dst.DType)
        {
            case DType.F32: CastT<TS, float>(src, dst); break;
            case DType.F64: CastT<TS, double>(src, dst); break;
            case DType.I32: CastT<TS, int>(src, dst); break;
            case DType.I64: CastT<TS, long>(src, dst); break;
            case DType.U8: CastT<TS, byte>(src, dst); break;
            default:
                if (dst.Numel == 0) return;
                var b = Kernel("ToBool", typeof(TS), typeof(byte), "To",
                    acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<TS>, ArrayView<byte>>(GpuKernels.ToBool));
                b((int)dst.Numel, Dense<TS>(src, "To"), Dense<byte>(dst, "To"));
                break;
        }
    }

    private void CastT<TS, TD>(Tensor src, Tensor dst)
        where TS : unmanaged, INumber<TS> where TD : unmanaged, INumber<TD>
    {
        if (dst.Numel == 0) return;
        var k = Kernel("Cast", typeof(TS), typeof(TD), "To",
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<TS>, ArrayView<TD>>(GpuKernels.Cast<TS, TD>));
        k((int)dst.Numel, Dense<TS>(src, "To"), Dense<TD>(dst, "To"));
    }
}
