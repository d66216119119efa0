namespace Scratch;

/// <summary>A flat buffer of elements on one device, shared by every view of it.</summary>
/// <remarks>The version counter is bumped by every in-place write, so autograd can detect that a tensor saved for
/// backward was modified after it was saved.</remarks>
public abstract class Storage
{
    /// <summary>Creates storage metadata.</summary>
    protected Storage(DType dtype, Device device, long length)
    {
        DType = dtype;
        Device = device;
        Length = length;
        Serial = Interlocked.Increment(ref s_lastSerial);
    }

    private static long s_lastSerial;

    /// <summary>The serial of the newest storage created so far, process-wide.</summary>
    internal static long LastSerial => Interlocked.Read(ref s_lastSerial);

    /// <summary>Creation order: every storage gets a larger serial than all created before it. Backward uses it to
    /// tell a gradient a node has just allocated (which no one else holds) from one it passed through.</summary>
    internal long Serial { get; }

    /// <summary>Element type.</summary>
    public DType DType { get; }

    /// <summary>Device holding the buffer.</summary>
    public Device Device { get; }

    /// <summary>Number of elements.</summary>
    public long Length { get; }

    /// <summary>Counts in-place writes; see <see cref="Autograd.SavedTensor"/>.</summary>
    public int Version { get; private set; }

    /// <summary>Records an in-place write.</summary>
    public void BumpVersion() => Version++;
}

/// <summary>Host storage backed by a managed array (the GC may always reclaim it).</summary>
/// <typeparam name="T">float, double, int, long or byte (U8 and Bool).</typeparam>
public sealed class HostStorage<T> : Storage where T : unmanaged
{
    /// <summary>Wraps <paramref name="data"/> without copying.</summary>
    public HostStorage(T[] data, DType dtype, Device device) : base(dtype, device, data.LongLength)
    {
        if (!device.IsHost)
            throw new ArgumentException($"HostStorage: device expected a host device, got {device}.", nameof(device));
        Data = data;
    }

    /// <summary>The elements.</summary>
    public T[] Data { get; }
}
