namespace Scratch.Backends;

/// <summary>Allocates zeroed managed arrays for host devices.</summary>
internal static class HostAllocator
{
    public static Storage Allocate(DType dtype, long count, Device device)
    {
        if (count < 0 || count > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Allocate: element count must be in [0, {Array.MaxLength}].");
        var n = (int)count;
        return dtype switch
        {
            DType.F32 => new HostStorage<float>(new float[n], dtype, device),
            DType.F64 => new HostStorage<double>(new double[n], dtype, device),
            DType.I32 => new HostStorage<int>(new int[n], dtype, device),
            DType.I64 => new HostStorage<long>(new long[n], dtype, device),
            _ => new HostStorage<byte>(new byte[n], dtype, device),
        };
    }
}
