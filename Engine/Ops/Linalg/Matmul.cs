using Scratch.Autograd;

namespace Scratch;

public static partial class F
{
    /// <summary>Matrix product with PyTorch's <c>matmul</c> rules: 1-D·1-D is a dot product, 2-D·2-D a matrix product,
    /// a 1-D operand is promoted (prepend/append a dim, removed after), and leading batch dims broadcast.</summary>
    /// <remarks>y[..., i, j] = Σₖ a[..., i, k] · b[..., k, j]. ∂/∂a = g·bᵀ, ∂/∂b = aᵀ·g (summed over broadcast batches).
    /// </remarks>
    public static Tensor Matmul(Tensor a, Tensor b)
    {
        RequireSame(a, b, "Matmul");
        RequireFloating(a, "Matmul");
        if (a.Rank == 0 || b.Rank == 0)
            throw new ShapeMismatchException("Matmul", a.Rank == 0 ? "input" : "other", "at least 1 dim", "a 0-d tensor");
        var a2 = a.Rank == 1 ? a.Unsqueeze(0) : a;
        var b2 = b.Rank == 1 ? b.Unsqueeze(1) : b;
        int m = a2.Size(-2), k = a2.Size(-1), k2 = b2.Size(-2), n = b2.Size(-1);
        if (k != k2)
            throw new ShapeMismatchException("Matmul", "other", $"{k} rows to match input {a.Shape}", $"{k2} in {b.Shape}");
        var batchA = new Shape(a2.Shape.Dims[..^2]);
        var batchB = new Shape(b2.Shape.Dims[..^2]);
        var batch = Shape.Broadcast(batchA, batchB, "Matmul");
        var y = BatchedMatmul(a2, b2, batch, m, n, k);
        if (a.Rank == 1) y = y.Squeeze(-2);
        if (b.Rank == 1) y = y.Squeeze(-1);
        return y;
    }

    private static Tensor BatchedMatmul(Tensor a, Tensor b, Shape batch, int m, int n, int k)
    {
        var bd = batch.ToArray();
        var nb = (int)batch.Numel;
        var a3 = a.Detach().Expand([.. bd, m, k]).Reshape3(nb, m, k);
        var b3 = b.Detach().Expand([.. bd, k, n]).Reshape3(nb, k, n);
        var c = Tensor.Empty(new Shape(nb, m, n), a.DType, a.Device);
        if (c.Numel > 0)
        {
            if (k == 0) c.Backend.Fill(c, 0);
            else c.Backend.Matmul(a3, b3, c);
        }
        var y = c.Reshape([.. bd, m, n]);
        if (!Graph.NeedsGrad(a, b)) return y;
        var (sa, sb) = (new SavedTensor(a, "Matmul"), new SavedTensor(b, "Matmul"));
        return Graph.Record(y, "Matmul", [a, b], g =>
        [
            a.RequiresGrad ? Matmul(g, sb.Get().MT).SumToShape(a.Shape) : null,
            b.RequiresGrad ? Matmul(sa.Get().MT, g).SumToShape(b.Shape) : null,
        ]);
    }
}

public partial class Tensor
{
    /// <summary>Matrix product; see <see cref="F.Matmul"/>.</summary>
    public Tensor Matmul(Tensor other) => F.Matmul(this, other);

    /// <summary>Views an expanded [..., r, c] tensor as [n, r, c] keeping strides when the batch dims merge,
    /// else copies.</summary>
    internal Tensor Reshape3(int n, int r, int c)
    {
        var batchRank = Rank - 2;
        if (batchRank == 0) return new Tensor(Storage, new Shape(1, r, c), [0, Stride(-2), Stride(-1)], Offset);
        var (cs, cst) = Backends.Strided.Coalesce(Shape.Dims[..batchRank], Strides[..batchRank]);
        if (cs.Length == 1)
            return new Tensor(Storage, new Shape(n, r, c), [cs[0] == 1 && n == 1 ? 0 : cst[0], Stride(-2), Stride(-1)], Offset);
        return Materialize().Reshape(n, r, c);
    }
}
