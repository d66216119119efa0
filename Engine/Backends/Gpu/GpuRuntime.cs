using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace Scratch.Backends.Gpu;

/// <summary>The process-wide ILGPU context and one accelerator (with its <see cref="IlgpuBackend"/>) per GPU device.
/// </summary>
/// <remarks><see cref="DeviceKind.IlgpuCpu"/> runs on ILGPU's CPU accelerator built from a CUDA-like
/// <see cref="CPUDevice"/> (32 threads per warp, 8 warps per multiprocessor: groups of up to 256 threads, as the
/// 16×16 matmul tiles need; ILGPU's default CPU device caps a group at 16 threads). <see cref="DeviceKind.Cuda"/>
/// device <c>i</c> is the i-th CUDA device ILGPU finds. Backends are created and registered with
/// <see cref="BackendRegistry"/> on first use and disposed at process exit.</remarks>
public static class GpuRuntime
{
    /// <summary>Threads per warp of the emulated CPU device.</summary>
    public const int CpuWarpSize = 32;

    /// <summary>Warps per multiprocessor of the emulated CPU device.</summary>
    public const int CpuWarpsPerMultiprocessor = 8;

    private static readonly Lock Gate = new();
    private static readonly Dictionary<Device, IlgpuBackend> Backends = new();
    private static Context? _context;

    /// <summary>The shared ILGPU context (created on first use).</summary>
    public static Context Context
    {
        get
        {
            lock (Gate) return _context ??= CreateContext();
        }
    }

    /// <summary>Number of CUDA devices ILGPU can use (0 without an NVIDIA driver).</summary>
    public static int CudaDeviceCount => Context.GetCudaDevices().Count;

    /// <summary>Why CUDA device <paramref name="index"/> cannot be used, or null when it can.</summary>
    public static string? CudaUnavailableReason(int index = 0)
    {
        var n = CudaDeviceCount;
        return index < n ? null : $"no CUDA device {index}: ILGPU found {n} CUDA device(s) on this machine";
    }

    /// <summary>The backend of a GPU device, creating its accelerator and registering it on first use.</summary>
    /// <exception cref="NotSupportedException">The device is not a GPU kind, or the CUDA device does not exist.
    /// </exception>
    public static IlgpuBackend BackendFor(Device device)
    {
        lock (Gate)
        {
            if (Backends.TryGetValue(device, out var b)) return b;
            _context ??= CreateContext();
            var accelerator = device.Kind switch
            {
                DeviceKind.IlgpuCpu when device.Index == 0 => _context.GetCPUDevice(0).CreateAccelerator(_context),
                DeviceKind.IlgpuCpu => throw new NotSupportedException(
                    $"Device {device}: only ilgpu-cpu:0 exists."),
                DeviceKind.Cuda => CreateCuda(_context, device),
                _ => throw new NotSupportedException($"Device {device} is not an ILGPU device."),
            };
            b = new IlgpuBackend(device, accelerator);
            Backends[device] = b;
            BackendRegistry.Register(b);
            return b;
        }
    }

    private static Accelerator CreateCuda(Context context, Device device)
    {
        var n = context.GetCudaDevices().Count;
        if (device.Index < 0 || device.Index >= n)
            throw new NotSupportedException($"Device {device}: no such CUDA device (ILGPU found {n} CUDA device(s); " +
                                            "is an NVIDIA driver installed?).");
        return context.GetCudaDevice(device.Index).CreateAccelerator(context);
    }

    private static Context CreateContext()
    {
        GpuIntrinsics.Register();
        var cpu = new CPUDevice(CpuWarpSize, CpuWarpsPerMultiprocessor, 1);
        var context = Context.Create(b => b.CPU(cpu).Cuda().Math(MathMode.Default).EnableAlgorithms());
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Shutdown();
        return context;
    }

    /// <summary>Disposes every accelerator and the context (tensors on GPU devices become unusable).</summary>
    public static void Shutdown()
    {
        lock (Gate)
        {
            foreach (var b in Backends.Values) b.Dispose();
            Backends.Clear();
            _context?.Dispose();
            _context = null;
        }
    }
}
