using Scratch.Backends.Cpu;
using Scratch.Backends.Reference;

namespace Scratch.Backends;

/// <summary>Finds the backend serving a device. Host devices are built in; GPU backends register themselves.</summary>
public static class BackendRegistry
{
    private static readonly Dictionary<Device, IBackend> Registered = new();
    private static readonly Lock Gate = new();

    /// <summary>The backend for <paramref name="device"/>, or an exception naming the device.</summary>
    public static IBackend For(Device device)
    {
        switch (device.Kind)
        {
            case DeviceKind.Cpu: return CpuBackend.Instance;
            case DeviceKind.Reference: return ReferenceBackend.Instance;
        }
        lock (Gate)
        {
            if (Registered.TryGetValue(device, out var b)) return b;
        }
        if (device.Kind is DeviceKind.Cuda or DeviceKind.IlgpuCpu) return Gpu.GpuRuntime.BackendFor(device);
        throw new NotSupportedException($"No backend is registered for device {device}.");
    }

    /// <summary>Registers a backend for a non-host device.</summary>
    public static void Register(IBackend backend)
    {
        lock (Gate) Registered[backend.Device] = backend;
    }
}
