namespace Scratch.Backends;

/// <summary>Allocates zeroed managed arrays for host devices.</summary>
internal static class HostAllocator
{
    public static Storage Allocate(DType dtype, long count, Device device)
    {
        if (count < 0 || count > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Allocate: element count must be in [0, {Array.MaxLength}].");
        var n = (int)count;
        // Inside a MemoryScope large buffers come from (and go back to) HostPool.
        return dtype switch
        {
            DType.F32 => HostPool.Allocate<float>(n, a => new HostStorage<float>(a, dtype, device)),
            DType.F64 => HostPool.Allocate<double>(n, a => new HostStorage<double>(a, dtype, device)),
            DType.I32 => HostPool.Allocate<int>(n, a => new HostStorage<int>(a, dtype, device)),
            DType.I64 => HostPool.Allocate<long>(n, a => new HostStorage<long>(a, dtype, device)),
            _ => HostPool.Allocate<byte>(n, a => new HostStorage<byte>(a, dtype, device)),
        };
    }
}
