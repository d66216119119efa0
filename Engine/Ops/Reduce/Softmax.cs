using Scratch.Autograd;
using Scratch.Ops;

namespace Scratch;

public static partial class F
{
    /// <summary>softmax(x)ᵢ = e^(xᵢ − m) / Σⱼ e^(xⱼ − m) along <paramref name="dim"/>, with m the maximum along that
    /// dim (so large inputs do not overflow). Any shape; a 0-d input is treated as one element (result 1).
    /// Backward: dx = y·(g − Σ g·y). Rows of all −∞ give NaN, as in PyTorch.</summary>
    public static Tensor Softmax(Tensor x, int dim) => SoftmaxFamily(x, dim, false, "Softmax");

    /// <summary>Shared forward/backward of <see cref="Softmax"/> and <see cref="LogSoftmax"/>.</summary>
    private static Tensor SoftmaxFamily(Tensor x, int dim, bool log, string op)
    {
        RequireFloating(x, op);
        if (x.Rank == 0)
        {
            Shape.NormalizeDim(dim, 1, "dim", op);
            return SoftmaxFamily(x.Reshape(1), 0, log, op).Reshape();
        }
        var d = Shape.NormalizeDim(dim, x.Rank, "dim", op);
        var y = RowKernels.AlongDim([x], d, (a, o, rows, len) => RowKernels.Dispatch(x.DType,
            () => RowKernels.Softmax<float>(a[0], o, rows, len, log),
            () => RowKernels.Softmax<double>(a[0], o, rows, len, log)));
        if (!Graph.NeedsGrad(x)) return y;
        var saved = new SavedTensor(y, op);
        return Graph.Record(y, op, [x], g =>
        [
            RowKernels.AlongDim([g, saved.Get()], d, (a, o, rows, len) => RowKernels.Dispatch(x.DType,
                () => RowKernels.SoftmaxBackward<float>(a[0], a[1], o, rows, len, log),
                () => RowKernels.SoftmaxBackward<double>(a[0], a[1], o, rows, len, log))),
        ]);
    }
}

public partial class Tensor
{
    /// <summary>Softmax along <paramref name="dim"/>; see <see cref="F.Softmax"/>.</summary>
    public Tensor Softmax(int dim) => F.Softmax(this, dim);
}
