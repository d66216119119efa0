namespace Scratch.Backends;

/// <summary>Errors shared by backends when an op meets a dtype it does not support.</summary>
internal static class DTypeDispatch
{
    public static DTypeMismatchException Floating(string op, DType got) =>
        new(op, "dtype", "float32 or float64", got.Name());

    public static DTypeMismatchException Numeric(string op, DType got) =>
        new(op, "dtype", "a numeric dtype", got.Name());
}
