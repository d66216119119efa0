using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Scratch;

public partial class Tensor
{
    /// <summary>Wraps a copy of <paramref name="data"/> as a tensor of <paramref name="shape"/> (1-D when omitted).</summary>
    /// <typeparam name="T">float, double, int, long, byte or bool.</typeparam>
    public static Tensor From<T>(T[] data, Shape? shape = null, Device? device = null) where T : unmanaged
    {
        var s = shape ?? new Shape(data.Length);
        if (s.Numel != data.LongLength)
            throw new ShapeMismatchException("Tensor.From", "shape", $"{data.LongLength} elements", $"{s} with {s.Numel}");
        var dtype = DTypeInfo.Of<T>();
        Storage storage = typeof(T) == typeof(bool)
            ? new HostStorage<byte>(MemoryMarshal.Cast<T, byte>(data).ToArray(), DType.Bool, Device.Cpu)
            : new HostStorage<T>((T[])data.Clone(), dtype, Device.Cpu);
        var t = new Tensor(storage, s);
        return device is { } d && d != Device.Cpu ? t.To(d) : t;
    }

    /// <summary>Creates a tensor of <paramref name="dtype"/> from double values (rounded toward zero for integers).</summary>
    public static Tensor FromDoubles(double[] values, Shape shape, DType dtype = DType.F32, Device? device = null)
    {
        if (shape.Numel != values.LongLength)
            throw new ShapeMismatchException("Tensor.FromDoubles", "shape", $"{values.LongLength} elements", shape.ToString());
        Storage storage = dtype switch
        {
            DType.F32 => new HostStorage<float>(Array.ConvertAll(values, v => (float)v), dtype, Device.Cpu),
            DType.F64 => new HostStorage<double>((double[])values.Clone(), dtype, Device.Cpu),
            DType.I32 => new HostStorage<int>(Array.ConvertAll(values, v => (int)v), dtype, Device.Cpu),
            DType.I64 => new HostStorage<long>(Array.ConvertAll(values, v => (long)v), dtype, Device.Cpu),
            DType.U8 => new HostStorage<byte>(Array.ConvertAll(values, v => (byte)v), dtype, Device.Cpu),
            _ => new HostStorage<byte>(Array.ConvertAll(values, v => v != 0 ? (byte)1 : (byte)0), dtype, Device.Cpu),
        };
        var t = new Tensor(storage, shape);
        return device is { } d && d != Device.Cpu ? t.To(d) : t;
    }

    /// <summary>The elements in row-major order as a new array of <typeparamref name="T"/>, which must match the dtype
    /// (bool or byte for Bool).</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        var want = DTypeInfo.Of<T>();
        var ok = want == DType || (DType == DType.Bool && want == DType.U8);
        if (!ok) throw new DTypeMismatchException("ToArray", "T", DType.Name(), want.Name());
        var host = Device.IsHost ? this : To(Device.Cpu);
        var c = host.Contiguous();
        if (typeof(T) == typeof(bool))
            return MemoryMarshal.Cast<byte, T>(c.HostSpan<byte>()).ToArray();
        return c.HostSpan<T>().ToArray();
    }

    /// <summary>The elements converted to double in row-major order (any dtype).</summary>
    public double[] ToDoubleArray() => DType switch
    {
        DType.F32 => Array.ConvertAll(ToArray<float>(), v => (double)v),
        DType.F64 => ToArray<double>(),
        DType.I32 => Array.ConvertAll(ToArray<int>(), v => (double)v),
        DType.I64 => Array.ConvertAll(ToArray<long>(), v => (double)v),
        _ => Array.ConvertAll(ToArray<byte>(), v => (double)v),
    };

    /// <summary>The value of a one-element tensor as double.</summary>
    public double Item()
    {
        if (Numel != 1) throw new ShapeMismatchException("Item", "tensor", "exactly one element", Shape.ToString());
        return ToDoubleArray()[0];
    }

    /// <summary>The value of a one-element tensor as <typeparamref name="T"/>.</summary>
    public T Item<T>() where T : unmanaged
    {
        if (Numel != 1) throw new ShapeMismatchException("Item", "tensor", "exactly one element", Shape.ToString());
        return ToArray<T>()[0];
    }

    /// <summary>The host array behind this tensor (throws unless on a host device).</summary>
    /// <exception cref="NotSupportedException">The tensor lives on a GPU device: the calling op has no GPU kernel.
    /// </exception>
    internal T[] HostArray<T>([CallerMemberName] string caller = "") where T : unmanaged
    {
        if (Storage is HostStorage<T> h) return h.Data;
        if (!Device.IsHost)
            throw new NotSupportedException($"{caller}: not supported on {Device} yet (this op only has host " +
                                            "kernels); move the tensor to the host with .To(Device.Cpu).");
        throw new InvalidOperationException($"HostArray<{typeof(T).Name}>: tensor holds {DType.Name()} on {Device}.");
    }

    /// <summary>The elements of a contiguous host tensor as a span over its storage (no copy).</summary>
    internal Span<T> HostSpan<T>([CallerMemberName] string caller = "") where T : unmanaged
    {
        if (!IsContiguous) throw new InvalidOperationException("HostSpan: tensor is not contiguous.");
        return HostArray<T>(caller).AsSpan((int)Offset, checked((int)Numel));
    }
}
