using Scratch.Autograd;
using Scratch.Backends;

namespace Scratch;

public static partial class F
{
    /// <summary>y = condition ? a : b elementwise, all three broadcast together. ∂/∂a = g where condition, else 0;
    /// ∂/∂b = g where not condition (each summed over its broadcast dims). NaN/∞ in the unchosen input do not leak
    /// into y or into the gradients. GPU devices: one select kernel over the expanded, materialised operands.</summary>
    /// <param name="condition">Bool tensor.</param>
    /// <param name="a">Values taken where the condition holds.</param>
    /// <param name="b">Values taken elsewhere; same dtype and device as <paramref name="a"/>.</param>
    /// <exception cref="DTypeMismatchException">condition is not Bool, or a and b differ in dtype.</exception>
    /// <exception cref="ShapeMismatchException">The three shapes do not broadcast.</exception>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b)
    {
        if (condition.DType != DType.Bool)
            throw new DTypeMismatchException("Where", "condition", "bool", condition.DType.Name());
        RequireSame(a, b, "Where", "other");
        if (condition.Device != a.Device)
            throw new DeviceMismatchException("Where", "condition", a.Device.ToString(), condition.Device.ToString());
        var shape = Shape.Broadcast(Shape.Broadcast(condition.Shape, a.Shape, "Where"), b.Shape, "Where");
        var y = WhereForward(condition, a, b, shape);
        if (!Graph.NeedsGrad(a, b)) return y;
        var sc = new SavedTensor(condition, "Where");
        return Graph.Record(y, "Where", [a, b], g =>
        {
            var c = sc.Get();
            var zero = g.ScalarLike(0);
            return
            [
                a.RequiresGrad ? WhereForward(c, g, zero, g.Shape).SumToShape(a.Shape) : null,
                b.RequiresGrad ? WhereForward(c, zero, g, g.Shape).SumToShape(b.Shape) : null,
            ];
        });
    }

    /// <summary>x with <paramref name="value"/> written where <paramref name="mask"/> (Bool, broadcastable to x's
    /// shape) is true. The gradient is g where the mask is false and 0 where filled.</summary>
    /// <exception cref="ShapeMismatchException">The mask does not broadcast to x's shape.</exception>
    public static Tensor MaskedFill(Tensor x, Tensor mask, double value)
    {
        if (mask.DType != DType.Bool)
            throw new DTypeMismatchException("MaskedFill", "mask", "bool", mask.DType.Name());
        if (Shape.Broadcast(x.Shape, mask.Shape, "MaskedFill") != x.Shape)
            throw new ShapeMismatchException("MaskedFill", "mask", $"a shape broadcastable to {x.Shape}", mask.Shape.ToString());
        return Where(mask, x.ScalarLike(value), x);
    }

    /// <summary>condition ? a : b over the broadcast <paramref name="shape"/>, without recording.</summary>
    private static Tensor WhereForward(Tensor condition, Tensor a, Tensor b, Shape shape)
    {
        var y = Tensor.Empty(shape, a.DType, a.Device);
        var dims = shape.ToArray();
        var (c, av, bv) = (condition.Detach().Expand(dims), a.Detach().Expand(dims), b.Detach().Expand(dims));
        if (!y.Device.IsHost)
        {
            Backends.Gpu.GpuRuntime.BackendFor(y.Device).Where(c, av, bv, y);
            return y;
        }
        switch (a.DType)
        {
            case DType.F32: WhereKernel<float>(c, av, bv, y); break;
            case DType.F64: WhereKernel<double>(c, av, bv, y); break;
            case DType.I32: WhereKernel<int>(c, av, bv, y); break;
            case DType.I64: WhereKernel<long>(c, av, bv, y); break;
            default: WhereKernel<byte>(c, av, bv, y); break;
        }
        return y;
    }

    private static void WhereKernel<T>(Tensor c, Tensor a, Tensor b, Tensor y) where T : unmanaged
    {
        var ys = y.HostArray<T>();
        if (y.Device.Kind == DeviceKind.Reference)
        {
            var (cs, av, bv) = (c.HostArray<byte>(), a.HostArray<T>(), b.HostArray<T>());
            var (co, ao, bo) = (Strided.Offsets(c), Strided.Offsets(a), Strided.Offsets(b));
            for (long i = 0; i < co.LongLength; i++) ys[i] = cs[co[i]] != 0 ? av[ao[i]] : bv[bo[i]];
            return;
        }
        var (cm, am, bm) = (c.Materialize(), a.Materialize(), b.Materialize());
        var (cd, ad, bd) = (cm.HostArray<byte>(), am.HostArray<T>(), bm.HostArray<T>());
        var (cOff, aOff, bOff) = (cm.Offset, am.Offset, bm.Offset);
        HostParallel.Chunks(y.Numel, true, (lo, hi) =>
        {
            for (var i = lo; i < hi; i++) ys[i] = cd[cOff + i] != 0 ? ad[aOff + i] : bd[bOff + i];
        });
    }
}

public partial class Tensor
{
    /// <summary>this where <paramref name="condition"/> holds, else <paramref name="other"/> (PyTorch's
    /// <c>x.where(cond, y)</c>).</summary>
    public Tensor Where(Tensor condition, Tensor other) => F.Where(condition, this, other);

    /// <summary>A copy with <paramref name="value"/> where <paramref name="mask"/> is true.</summary>
    public Tensor MaskedFill(Tensor mask, double value) => F.MaskedFill(this, mask, value);
}
