using FsCheck;
using FsCheck.Fluent;
using Scratch.Tests.Properties;
using Xunit.Sdk;

namespace Scratch.Tests.Ops.Elementwise;

/// <summary>A small random shape (rank 0–3, sizes 0–3) for properties that loop over many ops per case.</summary>
public sealed record SmallCase(int[] Dims, ulong Seed)
{
    public Shape Shape => new(Dims);

    public override string ToString() => $"{Shape} seed {Seed}";
}

/// <summary>Arbitraries and helpers shared by the elementwise op tests.</summary>
public static class ElementwiseArbs
{
    public static Arbitrary<SmallCase> Small() => Arb.From(
        from dims in TensorArbs.DimsGen(3, 3)
        from seed in Gen.Choose(0, int.MaxValue)
        select new SmallCase(dims, (ulong)seed));

    public static Arbitrary<ShapeCase> Shapes() => TensorArbs.Shapes();

    public static Arbitrary<BroadcastCase> Broadcasts() => TensorArbs.Broadcasts();
}

/// <summary>Helpers shared by the elementwise op tests.</summary>
public static class Elementwise
{
    /// <summary>Uniform values in [lo, hi) pushed at least 0.02 away from each of <paramref name="kinks"/>.</summary>
    public static Tensor Avoiding(Shape shape, ulong seed, DType dtype, double lo, double hi, params double[] kinks)
    {
        var v = Values.Uniform(shape, seed, DType.F64, lo, hi).ToArray<double>();
        for (var i = 0; i < v.Length; i++)
            foreach (var k in kinks)
                if (Math.Abs(v[i] - k) < 0.02) v[i] = k + (v[i] >= k ? 0.02 : -0.02);
        return Tensor.FromDoubles(v, shape, dtype);
    }

    /// <summary>Random Bool mask.</summary>
    public static Tensor Mask(Shape shape, ulong seed, Device? device = null) =>
        Values.Uniform(shape, seed, DType.F64, -1, 1, device) > 0;

    /// <summary>Runs <paramref name="check"/>, prefixing any failure with <paramref name="name"/>.</summary>
    public static void Named(string name, Action check)
    {
        try
        {
            check();
        }
        catch (Exception e) when (e is not XunitException || !e.Message.StartsWith(name, StringComparison.Ordinal))
        {
            throw new XunitException($"{name}: {e.Message}");
        }
    }

    /// <summary>Asserts f(x) and d(sum f(x))/dx against values printed by PyTorch (float64).</summary>
    public static void Golden(Func<Tensor, Tensor> f, double[] x, double[] y, double[] dx, double rtol = 1e-12)
    {
        foreach (var device in new[] { Device.Cpu, Device.Reference })
        {
            var t = Tensor.FromDoubles(x, new Shape(x.Length), DType.F64, device).RequiresGrad_();
            var out1 = f(t);
            Verify.Close(y, out1.ToDoubleArray(), 1e-15, rtol, $"forward on {device}");
            out1.Sum().Backward();
            Verify.Close(dx, t.Grad!.ToDoubleArray(), 1e-15, rtol, $"gradient on {device}");
        }
    }
}
