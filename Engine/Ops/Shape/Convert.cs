using Scratch.Autograd;

namespace Scratch;

public partial class Tensor
{
    /// <summary>A copy converted to <paramref name="dtype"/> (this tensor when already of that dtype). Gradient flows
    /// between floating dtypes.</summary>
    public Tensor To(DType dtype)
    {
        if (dtype == DType) return this;
        var src = Materialize();
        var y = Empty(Shape, dtype, Device);
        Backend.Cast(src, y);
        if (!dtype.IsFloating() || !DType.IsFloating()) return y;
        var from = DType;
        return Graph.Record(y, "To", [this], g => [g.To(from)]);
    }

    /// <summary>A copy on <paramref name="device"/> (this tensor when already there). Gradient flows back.</summary>
    public Tensor To(Device device)
    {
        if (device == Device) return this;
        var src = Materialize();
        var y = Empty(Shape, DType, device);
        if (Device.IsHost && device.IsHost)
        {
            Array.Copy(HostArrayUntyped(src), src.Offset, HostArrayUntyped(y), 0, src.Numel);
        }
        else
        {
            Backends.Gpu.GpuTransfer.Copy(src, y);
        }
        var from = Device;
        return Graph.Record(y, "ToDevice", [this], g => [g.To(from)]);
    }

    private static Array HostArrayUntyped(Tensor t) => t.Storage switch
    {
        HostStorage<float> s => s.Data,
        HostStorage<double> s => s.Data,
        HostStorage<int> s => s.Data,
        HostStorage<long> s => s.Data,
        HostStorage<byte> s => s.Data,
        _ => throw new NotSupportedException($"Storage of {t.DType.Name()} on {t.Device} is not a host array."),
    };
}
