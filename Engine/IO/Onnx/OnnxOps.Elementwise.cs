namespace Scratch.IO.Onnx;

internal static partial class OnnxOps
{
    /// <summary>Arithmetic, comparison, logic and math functions: Add, Sub, Mul, Div, Pow, Mod, Min, Max, Sum, Mean,
    /// Sqrt, Exp, Log, Abs, Neg, Reciprocal, Floor, Ceil, Round, Sign, trigonometric and hyperbolic functions, Erf,
    /// comparisons, Not/And/Or/Xor, IsNaN, IsInf, Where, Clip, Cast, CastLike, Identity.</summary>
    private static void AddElementwise(Dictionary<string, OnnxKernel> d)
    {
        d["Add"] = c => One(F.Add(c.X(0), Same(c.X(1), c.X(0))));
        d["Sub"] = c => One(F.Sub(c.X(0), Same(c.X(1), c.X(0))));
        d["Mul"] = c => One(F.Mul(c.X(0), Same(c.X(1), c.X(0))));
        d["Div"] = c => One(F.Div(c.X(0), Same(c.X(1), c.X(0))));
        d["Pow"] = c => One(Pow(c.X(0), c.X(1)));
        d["Mod"] = c => One(c.Int("fmod", 0) != 0
            ? Zip(c.X(0), c.X(1), (a, b) => a % b, c.X(0).DType)
            : Zip(c.X(0), c.X(1), FloorMod, c.X(0).DType));
        d["Max"] = c => One(Fold(c, (a, b) => a.DType.IsFloating() ? F.Maximum(a, b) : Zip(a, b, Math.Max, a.DType)));
        d["Min"] = c => One(Fold(c, (a, b) => a.DType.IsFloating() ? F.Minimum(a, b) : Zip(a, b, Math.Min, a.DType)));
        d["Sum"] = c => One(Fold(c, F.Add));
        d["Mean"] = c => One(F.Div(Fold(c, F.Add), Tensor.Scalar(c.All.Count, c.X(0).DType)));
        d["Sqrt"] = c => One(F.Sqrt(c.X(0)));
        d["Exp"] = c => One(F.Exp(c.X(0)));
        d["Log"] = c => One(F.Log(c.X(0)));
        d["Abs"] = c => One(c.X(0).DType.IsFloating() ? F.Abs(c.X(0)) : Map(c.X(0), Math.Abs));
        d["Neg"] = c => One(c.X(0).DType.IsFloating() ? F.Neg(c.X(0)) : Map(c.X(0), v => -v));
        d["Reciprocal"] = c => One(F.Div(Tensor.Scalar(1, c.X(0).DType), c.X(0)));
        d["Floor"] = c => One(Map(c.X(0), Math.Floor));
        d["Ceil"] = c => One(Map(c.X(0), Math.Ceiling));
        d["Round"] = c => One(Map(c.X(0), v => Math.Round(v, MidpointRounding.ToEven)));
        d["Sign"] = c => One(Map(c.X(0), v => double.IsNaN(v) ? v : Math.Sign(v)));
        d["Sin"] = c => One(F.Sin(c.X(0)));
        d["Cos"] = c => One(F.Cos(c.X(0)));
        d["Tan"] = c => One(Map(c.X(0), Math.Tan));
        d["Asin"] = c => One(Map(c.X(0), Math.Asin));
        d["Acos"] = c => One(Map(c.X(0), Math.Acos));
        d["Atan"] = c => One(Map(c.X(0), Math.Atan));
        d["Sinh"] = c => One(Map(c.X(0), Math.Sinh));
        d["Cosh"] = c => One(Map(c.X(0), Math.Cosh));
        d["Asinh"] = c => One(Map(c.X(0), Math.Asinh));
        d["Acosh"] = c => One(Map(c.X(0), Math.Acosh));
        d["Atanh"] = c => One(Map(c.X(0), Math.Atanh));
        d["Erf"] = c => One(F.Erf(c.X(0)));
        d["Equal"] = c => One(F.Eq(c.X(0), Same(c.X(1), c.X(0))));
        d["Less"] = c => One(F.Lt(c.X(0), Same(c.X(1), c.X(0))));
        d["LessOrEqual"] = c => One(F.Le(c.X(0), Same(c.X(1), c.X(0))));
        d["Greater"] = c => One(F.Gt(c.X(0), Same(c.X(1), c.X(0))));
        d["GreaterOrEqual"] = c => One(F.Ge(c.X(0), Same(c.X(1), c.X(0))));
        d["Not"] = c => One(F.LogicalNot(c.X(0)));
        d["And"] = c => One(F.LogicalAnd(c.X(0), c.X(1)));
        d["Or"] = c => One(F.LogicalOr(c.X(0), c.X(1)));
        d["Xor"] = c => One(F.LogicalXor(c.X(0), c.X(1)));
        d["IsNaN"] = c => One(F.IsNan(c.X(0)));
        d["IsInf"] = c =>
        {
            bool neg = c.Int("detect_negative", 1) != 0, pos = c.Int("detect_positive", 1) != 0;
            return One(Map(c.X(0), v => (neg && double.IsNegativeInfinity(v)) || (pos && double.IsPositiveInfinity(v)) ? 1 : 0, DType.Bool));
        };
        d["Where"] = c =>
        {
            var (a, b) = (c.X(1), c.X(2));
            return One(F.Where(c.X(0), a, Same(b, a)));
        };
        d["Clip"] = Clip;
        d["Cast"] = c => One(Cast(c.X(0), DTypeOf(c, c.Int("to", 0))));
        d["CastLike"] = c => One(Cast(c.X(0), c.X(1).DType));
        d["Identity"] = c => One(c.X(0));
    }

    /// <summary>b converted to a's dtype when they differ (ONNX requires equal types; this tolerates scalars).
    /// </summary>
    private static Tensor Same(Tensor b, Tensor a) => b.DType == a.DType ? b : b.To(a.DType);

    private static Tensor Fold(OnnxContext c, Func<Tensor, Tensor, Tensor> f)
    {
        var acc = c.X(0);
        for (var i = 1; i < c.All.Count; i++) acc = f(acc, Same(c.X(i), acc));
        return acc;
    }

    private static double FloorMod(double a, double b)
    {
        var r = a % b;
        return r != 0 && (r < 0) != (b < 0) ? r + b : r;
    }

    private static Tensor Pow(Tensor x, Tensor y)
    {
        if (x.DType.IsFloating()) return F.Pow(x, y.To(x.DType));
        return Zip(x, y, Math.Pow, x.DType);
    }

    private static Tensor?[] Clip(OnnxContext c)
    {
        var x = c.X(0);
        double? lo, hi;
        if (c.Opset < 11)
        {
            lo = c.Attr("min") is { } a ? a.F : null;
            hi = c.Attr("max") is { } b ? b.F : null;
        }
        else
        {
            lo = c.Opt(1) is { } a ? a.ToDoubleArray()[0] : null;
            hi = c.Opt(2) is { } b ? b.ToDoubleArray()[0] : null;
        }
        if (x.DType.IsFloating()) return One(lo is null && hi is null ? x : F.Clamp(x, lo, hi));
        return One(Map(x, v => Math.Min(hi ?? double.MaxValue, Math.Max(lo ?? double.MinValue, v))));
    }

    /// <summary>ONNX Cast: float → int truncates toward zero, anything → bool is "≠ 0".</summary>
    internal static Tensor Cast(Tensor x, DType to)
    {
        if (x.DType == to) return x;
        if (to == DType.Bool) return F.Ne(x, 0);
        return x.To(to);
    }

    private static DType DTypeOf(OnnxContext c, long code) =>
        OnnxTensors.ToDType((OnnxDataType)code) ?? throw c.Unsupported($"element type {(OnnxDataType)code}");

    /// <summary>Applies f to every element in double precision and stores the result as <paramref name="to"/> (x's
    /// dtype by default).</summary>
    internal static Tensor Map(Tensor x, Func<double, double> f, DType? to = null)
    {
        var v = x.ToDoubleArray();
        for (var i = 0; i < v.Length; i++) v[i] = f(v[i]);
        return FromDoubles(v, x.Shape, to ?? x.DType);
    }

    /// <summary>f(a, b) with broadcasting, in double precision, stored as <paramref name="to"/>.</summary>
    internal static Tensor Zip(Tensor a, Tensor b, Func<double, double, double> f, DType to)
    {
        var shape = Shape.Broadcast(a.Shape, b.Shape, "ONNX");
        var dims = shape.ToArray();
        var av = a.Expand(dims).ToDoubleArray();
        var bv = b.Expand(dims).ToDoubleArray();
        for (var i = 0; i < av.Length; i++) av[i] = f(av[i], bv[i]);
        return FromDoubles(av, shape, to);
    }

    /// <summary>Tensor.FromDoubles, with Bool stored as "≠ 0" and integers wrapped like a C cast.</summary>
    internal static Tensor FromDoubles(double[] v, Shape shape, DType dtype) => dtype switch
    {
        DType.Bool => Tensor.From(Array.ConvertAll(v, x => x != 0), shape),
        DType.U8 => Tensor.From(Array.ConvertAll(v, x => unchecked((byte)(long)x)), shape),
        DType.I32 => Tensor.From(Array.ConvertAll(v, x => unchecked((int)(long)x)), shape),
        DType.I64 => Tensor.From(Array.ConvertAll(v, x => (long)x), shape),
        _ => Tensor.FromDoubles(v, shape, dtype),
    };
}
