namespace Scratch;

/// <summary>Kinds of device a tensor can live on.</summary>
public enum DeviceKind : byte
{
    /// <summary>Host memory, computed by the fast SIMD/parallel CPU backend.</summary>
    Cpu,

    /// <summary>Host memory, computed by the scalar Reference backend: slow and obviously correct, the test oracle.</summary>
    Reference,

    /// <summary>An NVIDIA GPU through ILGPU.</summary>
    Cuda,

    /// <summary>ILGPU's CPU accelerator, which runs GPU kernel source on the host (tests only).</summary>
    IlgpuCpu,
}

/// <summary>Where a tensor's storage lives and which backend computes on it.</summary>
public readonly record struct Device(DeviceKind Kind, int Index = 0)
{
    /// <summary>The host, computed by the fast CPU backend (the default).</summary>
    public static Device Cpu => new(DeviceKind.Cpu);

    /// <summary>The host, computed by the scalar Reference backend.</summary>
    public static Device Reference => new(DeviceKind.Reference);

    /// <summary>CUDA device <paramref name="index"/>.</summary>
    public static Device Cuda(int index = 0) => new(DeviceKind.Cuda, index);

    /// <summary>ILGPU's CPU accelerator: GPU kernels emulated on the host (tests of the GPU backend).</summary>
    public static Device IlgpuCpu => new(DeviceKind.IlgpuCpu);

    /// <summary>True when the storage is a managed host array.</summary>
    public bool IsHost => Kind is DeviceKind.Cpu or DeviceKind.Reference;

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        DeviceKind.Cpu => "cpu",
        DeviceKind.Reference => "reference",
        DeviceKind.Cuda => $"cuda:{Index}",
        _ => $"ilgpu-cpu:{Index}",
    };
}
