namespace Scratch;

public partial class Tensor
{
    /// <summary>An uninitialised (in practice zeroed) contiguous tensor.</summary>
    public static Tensor Empty(Shape shape, DType dtype = DType.F32, Device? device = null)
    {
        var dev = device ?? Device.Cpu;
        var storage = Backends.BackendRegistry.For(dev).Allocate(dtype, shape.Numel);
        return new Tensor(storage, shape);
    }

    /// <summary>A contiguous tensor whose contents are unspecified (<c>torch.empty</c>), for an op output its
    /// kernel writes in full: on the host it skips the zero fill of a reused buffer.</summary>
    internal static Tensor Uninitialized(Shape shape, DType dtype, Device device) =>
        new(Backends.BackendRegistry.For(device).AllocateUninitialized(dtype, shape.Numel), shape);

    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(Shape shape, DType dtype = DType.F32, Device? device = null) =>
        Empty(shape, dtype, device);

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(Shape shape, DType dtype = DType.F32, Device? device = null) =>
        Full(shape, 1.0, dtype, device);

    /// <summary>A tensor filled with <paramref name="value"/> (converted to <paramref name="dtype"/>).</summary>
    public static Tensor Full(Shape shape, double value, DType dtype = DType.F32, Device? device = null)
    {
        var t = Empty(shape, dtype, device);
        if (value != 0) t.Backend.Fill(t, value);
        return t;
    }

    /// <summary>A 0-dimensional tensor holding <paramref name="value"/>.</summary>
    public static Tensor Scalar(double value, DType dtype = DType.F32, Device? device = null) =>
        Full(new Shape(), value, dtype, device);

    /// <summary>Zeros with the shape, dtype and device of <paramref name="like"/>.</summary>
    public static Tensor ZerosLike(Tensor like) => Zeros(like.Shape, like.DType, like.Device);

    /// <summary>Ones with the shape, dtype and device of <paramref name="like"/>.</summary>
    public static Tensor OnesLike(Tensor like) => Ones(like.Shape, like.DType, like.Device);

    /// <summary>Values <c>start, start+step, ...</c> below <paramref name="end"/> (1-D).</summary>
    public static Tensor Arange(double start, double end, double step = 1, DType dtype = DType.I64, Device? device = null)
    {
        if (step == 0 || double.IsNaN(step))
            throw new ArgumentOutOfRangeException(nameof(step), step, "Arange: step must be non-zero.");
        var n = (long)Math.Max(0, Math.Ceiling((end - start) / step));
        if (n > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(end), end, $"Arange: at most {int.MaxValue} elements, got {n}.");
        var values = new double[n];
        for (long i = 0; i < n; i++) values[i] = start + i * step;
        return FromDoubles(values, new Shape((int)n), dtype, device);
    }

    /// <summary>Values 0 .. <paramref name="end"/>−1 (1-D).</summary>
    public static Tensor Arange(long end, DType dtype = DType.I64, Device? device = null) =>
        Arange(0, end, 1, dtype, device);

    /// <summary><paramref name="steps"/> evenly spaced values from <paramref name="start"/> to <paramref name="end"/> inclusive.</summary>
    public static Tensor Linspace(double start, double end, int steps, DType dtype = DType.F32, Device? device = null)
    {
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "Linspace: steps must be >= 0.");
        var values = new double[steps];
        for (var i = 0; i < steps; i++)
            values[i] = steps == 1 ? start : start + (end - start) * i / (steps - 1);
        return FromDoubles(values, new Shape(steps), dtype, device);
    }

    /// <summary>An n×m identity matrix (m defaults to n).</summary>
    public static Tensor Eye(int n, int? m = null, DType dtype = DType.F32, Device? device = null)
    {
        var cols = m ?? n;
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "Eye: n must be >= 0.");
        if (cols < 0) throw new ArgumentOutOfRangeException(nameof(m), cols, "Eye: m must be >= 0.");
        var values = new double[(long)n * cols];
        for (var i = 0; i < Math.Min(n, cols); i++) values[(long)i * cols + i] = 1;
        return FromDoubles(values, new Shape(n, cols), dtype, device);
    }

    /// <summary>Uniform samples in [0, 1).</summary>
    public static Tensor Rand(Shape shape, Generator? generator = null, DType dtype = DType.F32, Device? device = null)
    {
        var g = generator ?? Generator.Default;
        var values = new double[shape.Numel];
        for (var i = 0; i < values.Length; i++) values[i] = g.NextDouble();
        return FromDoubles(values, shape, dtype, device);
    }

    /// <summary>Standard normal samples.</summary>
    public static Tensor Randn(Shape shape, Generator? generator = null, DType dtype = DType.F32, Device? device = null)
    {
        var g = generator ?? Generator.Default;
        var values = new double[shape.Numel];
        for (var i = 0; i < values.Length; i++) values[i] = g.NextNormal();
        return FromDoubles(values, shape, dtype, device);
    }

    /// <summary>Uniform integers in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static Tensor Randint(long low, long high, Shape shape, Generator? generator = null, DType dtype = DType.I64, Device? device = null)
    {
        if (high <= low)
            throw new ArgumentOutOfRangeException(nameof(high), high, $"Randint: high must be > low ({low}).");
        var g = generator ?? Generator.Default;
        var values = new double[shape.Numel];
        for (var i = 0; i < values.Length; i++) values[i] = low + g.NextInt64(high - low);
        return FromDoubles(values, shape, dtype, device);
    }

    /// <summary>A random permutation of 0 .. n−1 (Fisher–Yates).</summary>
    public static Tensor Randperm(int n, Generator? generator = null, DType dtype = DType.I64, Device? device = null)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "Randperm: n must be >= 0.");
        var g = generator ?? Generator.Default;
        var p = new double[n];
        for (var i = 0; i < n; i++) p[i] = i;
        for (var i = n - 1; i > 0; i--)
        {
            var j = (int)g.NextInt64(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return FromDoubles(p, new Shape(n), dtype, device);
    }
}
