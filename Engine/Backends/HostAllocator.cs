namespace Scratch.Backends;

/// <summary>Allocates managed arrays for host devices: zeroed, or with unspecified contents when
/// <c>zeroed</c> is false.</summary>
internal static class HostAllocator
{
    public static Storage Allocate(DType dtype, long count, Device device, bool zeroed = true)
    {
        if (count < 0 || count > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Allocate: element count must be in [0, {Array.MaxLength}].");
        var n = (int)count;
        // Inside a MemoryScope large buffers come from (and go back to) HostPool.
        return dtype switch
        {
            DType.F32 => HostPool.Allocate<float>(n, zeroed, a => new HostStorage<float>(a, dtype, device)),
            DType.F64 => HostPool.Allocate<double>(n, zeroed, a => new HostStorage<double>(a, dtype, device)),
            DType.I32 => HostPool.Allocate<int>(n, zeroed, a => new HostStorage<int>(a, dtype, device)),
            DType.I64 => HostPool.Allocate<long>(n, zeroed, a => new HostStorage<long>(a, dtype, device)),
            _ => HostPool.Allocate<byte>(n, zeroed, a => new HostStorage<byte>(a, dtype, device)),
        };
    }
}
