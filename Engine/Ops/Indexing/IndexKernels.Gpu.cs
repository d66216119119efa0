using Scratch.Autograd;
using Scratch.Backends.Gpu;

namespace Scratch;

/// <summary>GPU forms of the take/put primitives: the map is an int64 tensor on the device (uploaded from a host
/// map, or built there from an index tensor by <see cref="AlongDimMap"/>), and every kernel runs on the device
/// (<see cref="IndexGpuKernels"/>).</summary>
internal static partial class IndexKernels
{
    /// <summary>A host map as a 1-D int64 tensor on <paramref name="device"/>.</summary>
    public static Tensor UploadMap(long[] map, Device device) => Tensor.From(map).To(device);

    /// <summary>out[i] = x[map[i]] or <paramref name="fill"/> where map[i] &lt; 0, for x on a GPU device and an
    /// int64 device map; a fresh contiguous tensor of <paramref name="shape"/>. No recording.</summary>
    public static Tensor Take(Tensor x, Tensor map, Shape shape, double fill = 0)
    {
        var y = Tensor.Empty(shape, x.DType, x.Device);
        var src = x.Rank <= GpuLayout.MaxRank ? x : x.Detach().Materialize().Reshape(-1);
        GpuRuntime.BackendFor(x.Device).Take(src, map, y, fill, "Take");
        return y;
    }

    /// <summary>dst[map[i]] = src[i] (duplicates: the last write wins) or += src[i] (atomics; Bool accumulates as
    /// logical or, U8 wraps) for a contiguous device tensor <paramref name="dst"/> owned by the caller.</summary>
    public static void Put(Tensor dst, Tensor map, Tensor src, bool accumulate)
    {
        if (map.Numel == 0) return;
        var gpu = GpuRuntime.BackendFor(dst.Device);
        var s = src.Materialize();
        if (!accumulate)
        {
            gpu.PutLast(dst, map, s, "Put");
            return;
        }
        if (dst.DType is not (DType.Bool or DType.U8))
        {
            gpu.PutAdd(dst, map, s, "Put");
            return;
        }
        // Byte types have no atomics: accumulate in int32, then convert back (U8 wraps, Bool is "any").
        var wide = dst.To(DType.I32);
        gpu.PutAdd(wide, map, s.To(DType.I32), "Put");
        dst.Backend.Copy(wide.To(dst.DType), dst);
    }

    /// <summary>Zeros of <paramref name="shape"/> with g added at the device map (adjoint of
    /// <see cref="Take(Tensor, Tensor, Shape, double)"/>).</summary>
    public static Tensor PutAddIntoZeros(Tensor g, Tensor map, Shape shape)
    {
        var z = Tensor.Empty(shape, g.DType, g.Device);
        Put(z, map, g, accumulate: true);
        return z;
    }

    /// <summary>Differentiable device take: the gradient scatter-adds back through the map.</summary>
    public static Tensor TakeRecorded(Tensor x, Tensor map, Shape shape, string op, double fill = 0)
    {
        var y = Take(x, map, shape, fill);
        var inShape = x.Shape;
        return Graph.Record(y, op, [x], g => [PutAddIntoZeros(g, map, inShape)]);
    }

    /// <summary>Differentiable device put: a copy of <paramref name="self"/> with src written (or added) at the
    /// map. Gradient to self: g (written positions zeroed unless accumulating); to src: g taken at the map.</summary>
    public static Tensor PutRecorded(Tensor self, Tensor map, Tensor src, bool accumulate, string op)
    {
        var y = self.Detach().CopyData();
        Put(y, map, src.Detach(), accumulate);
        var srcShape = src.Shape;
        return Graph.Record(y, op, [self, src], g =>
        {
            Tensor? gs = null;
            if (self.RequiresGrad)
            {
                gs = g;
                if (!accumulate)
                {
                    gs = g.Detach().CopyData();
                    Put(gs, map, Tensor.Zeros(srcShape, g.DType, g.Device), accumulate: false);
                }
            }
            return [gs, src.RequiresGrad ? Take(g, map, srcShape) : null];
        });
    }

    /// <summary>The values of an integer index tensor as a contiguous int64 tensor on <paramref name="device"/> (a
    /// host index is uploaded), checked on the device against [−size, size) when <paramref name="allowNegative"/>,
    /// else [0, size); the maps built from it wrap negatives. Throws naming op and argument.</summary>
    public static Tensor DeviceIndices(Tensor index, Device device, int size, string op, string arg, int dim,
        bool allowNegative = false)
    {
        if (index.DType is not (DType.I64 or DType.I32))
            throw new DTypeMismatchException(op, arg, "int64 (or int32)", index.DType.Name());
        if (index.Device != device && !index.Device.IsHost)
            throw new DeviceMismatchException(op, arg, device.ToString(), index.Device.ToString());
        var v = index.Detach();
        if (v.Device != device) v = v.To(device);
        v = (v.DType == DType.I64 ? v : v.To(DType.I64)).Materialize();
        if (v.Numel == 0) return v;
        var (min, max) = GpuRuntime.BackendFor(device).IndexRange(v, op);
        var lo = allowNegative ? -size : 0;
        if (min >= lo && max < size) return v;
        var bad = min < lo ? min : max;
        throw new ArgumentOutOfRangeException(arg, bad, $"{op}: {arg} value {bad} is out of range for dim {dim} of " +
                                                        $"size {size}; valid range is [{lo}, {size - 1}].");
    }

    /// <summary>A device map over the row-major elements of <paramref name="iter"/> (rank ≤ 8) into
    /// <paramref name="target"/> (same rank): element i keeps its coordinates except along <paramref name="dim"/>,
    /// where it takes <c>values[i]</c> (<paramref name="perElement"/>: gather/scatter, values has iter's numel) or
    /// <c>values[c]</c> with c its coordinate along dim (index_select/index_add). A scalar counts as shape [1].
    /// </summary>
    public static Tensor AlongDimMap(Tensor values, int[] iter, int[] target, int dim, bool perElement, string op)
    {
        var numel = iter.Aggregate(1L, (a, b) => a * b);
        var map = Tensor.Empty(new Shape(checked((int)numel)), DType.I64, values.Device);
        if (numel == 0) return map;
        if (iter.Length > GpuLayout.MaxRank)
            throw new NotSupportedException($"{op}: tensors of rank {iter.Length} on {values.Device} are not " +
                                            $"supported (at most {GpuLayout.MaxRank}).");
        var strides = new Shape(target).ContiguousStrides();
        var geo = new GpuLayout { Rank = iter.Length };
        for (var k = 0; k < iter.Length; k++) SetDim(ref geo, k, iter[k], strides[k]);
        long inner = 1;
        for (var k = dim + 1; k < iter.Length; k++) inner *= iter[k];
        var args = new AlongDimArgs
        {
            Inner = inner, SizeD = iter[dim], StrideD = strides[dim], Wrap = target[dim],
            PerElement = perElement ? 1 : 0,
        };
        GpuRuntime.BackendFor(values.Device).AlongDim(values, geo, args, map, op);
        return map;
    }

    private static void SetDim(ref GpuLayout l, int d, long size, long stride)
    {
        switch (d)
        {
            case 0: (l.S0, l.T0) = (size, stride); break;
            case 1: (l.S1, l.T1) = (size, stride); break;
            case 2: (l.S2, l.T2) = (size, stride); break;
            case 3: (l.S3, l.T3) = (size, stride); break;
            case 4: (l.S4, l.T4) = (size, stride); break;
            case 5: (l.S5, l.T5) = (size, stride); break;
            case 6: (l.S6, l.T6) = (size, stride); break;
            default: (l.S7, l.T7) = (size, stride); break;
        }
    }
}
