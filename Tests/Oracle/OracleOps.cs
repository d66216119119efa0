namespace Scratch.Tests.Oracle;

/// <summary>The Scratch side of each fixture op name of Tests/Fixtures/make_fixtures.py: a function from the case's
/// inputs (on the device under test) and arguments to its outputs, in PyTorch's output order.</summary>
public static partial class OracleOps
{
    private delegate Tensor[] OpFn(Tensor[] x, OracleArgs a);

    private static readonly Dictionary<string, OpFn> Table = Build();

    private static Dictionary<string, OpFn> Build()
    {
        var t = new Dictionary<string, OpFn>(StringComparer.Ordinal);
        Elementwise(t);
        ReduceAndShape(t);
        IndexAndLinalg(t);
        ConvPoolInterp(t);
        NormLossNN(t);
        Detection(t);
        Blocks(t);
        BoxCoderInPlaceConvert(t);
        Graphs(t);
        return t;
    }

    /// <summary>The device under test, for ops without tensor inputs (factories).</summary>
    [ThreadStatic] private static Device? _device;

    /// <summary>Runs fixture op <paramref name="op"/> on <paramref name="device"/>.</summary>
    public static Tensor[] Run(string op, Tensor[] inputs, OracleArgs args, Device device)
    {
        _device = device;
        return Table.TryGetValue(op, out var f) ? f(inputs, args)
            : throw new KeyNotFoundException($"no Scratch mapping for fixture op '{op}'");
    }

    private static Tensor[] One(Tensor t) => [t];
}
